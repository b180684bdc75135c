import type { ErrorGroup, ErrorsReport } from './error-grouper.js';
import { colorLevel, colorService, type Colors } from '../render/colors.js';
import { escapeAndCut, escapeTerminal } from '../render/escape-terminal.js';
import { describeHttp } from '../render/describe-http.js';
import { formatClock } from '../render/format-duration.js';

/** Traceback lines printed under a ComfyUI group: the first, and the last ones (where it failed). */
const TRACEBACK_LINES = 12;

/** The first line and the last non-blank ones (every line when `full`); undefined marks the lines left out. */
function tracebackExcerpt(lines: readonly string[], full = false): (string | undefined)[] {
  if (full) return [...lines];
  const text = lines.filter((l) => l.trim() !== '');
  if (text.length <= TRACEBACK_LINES) return text;
  return [text[0] as string, undefined, ...text.slice(-(TRACEBACK_LINES - 2))];
}

/** How renderErrors draws. */
export interface RenderErrorsOptions {
  readonly minLevel: string;
  /** Terminal width: messages and (unless `full`) traceback lines are cut to it. */
  readonly width: number;
  /** Print each traceback whole, every line uncut (`--full`); else its first and last lines. */
  readonly full?: boolean | undefined;
}

/** The text report of `logtrace errors`: one block per group, most frequent first. */
export function renderErrors(report: ErrorsReport, colors: Colors, options: RenderErrorsOptions): string {
  const lines: string[] = [];
  const groups = report.groups.length;
  lines.push(
    colors.bold(
      `${report.total} ${report.total === 1 ? 'error' : 'errors'} in ${groups} ${groups === 1 ? 'group' : 'groups'} (level ≥ ${options.minLevel})`,
    ),
  );
  // Hosts are named only when the errors come from more than one machine.
  const showHosts = new Set(report.groups.flatMap((g) => g.hosts)).size > 1;
  for (const group of report.groups) lines.push('', ...renderGroup(group, colors, options.width, options.full === true, showHosts));
  return `${lines.join('\n')}\n`;
}

function renderGroup(group: ErrorGroup, colors: Colors, width: number, full: boolean, showHosts: boolean): string[] {
  const count = String(group.count).padStart(6);
  const head = [
    colors.bold(count),
    colorLevel(colors, group.level),
    colorService(colors, escapeTerminal(group.service)),
    escapeTerminal(group.event ?? '-'),
    colors.bold(escapeTerminal(group.error_code ?? '-')),
  ].join('  ');
  const indent = ' '.repeat(8);
  const out = [head, `${indent}${escapeAndCut(group.message, Math.max(40, width - indent.length))}`];
  if (group.last_frame !== null) out.push(`${indent}${colors.dim('at')} ${escapeTerminal(group.last_frame)}`);
  const seen =
    group.first_time === null
      ? 'no times (unstamped comfyui.log)'
      : `first ${formatClock(group.first_time)}  last ${formatClock(group.last_time)}`;
  out.push(`${indent}${colors.dim(seen)}`);
  if (showHosts) out.push(`${indent}${colors.dim('hosts')} ${group.hosts.length === 0 ? '-' : group.hosts.map(escapeTerminal).join(' ')}`);
  if (group.request_ids.length > 0) {
    out.push(`${indent}${colors.dim('requests')} ${group.request_ids.slice(0, 3).map(escapeTerminal).join(' ')}`);
  }
  if (group.traceback !== null && group.traceback.length > 1) {
    const cut = (line: string) => (full ? escapeTerminal(line) : escapeAndCut(line, Math.max(40, width - indent.length - 2)));
    for (const line of tracebackExcerpt(group.traceback, full)) {
      out.push(`${indent}${colors.dim('│')} ${line === undefined ? colors.dim('…') : cut(line)}`);
    }
  }
  return out;
}

/**
 * One line of `errors --no-group` text output, from the record's fields; with `full`, its
 * traceback whole; with `showHost`, its host after the service.
 */
export function renderErrorLine(fields: Readonly<Record<string, unknown>>, colors: Colors, full = false, showHost = false): string {
  const text = (key: string) => {
    const value = fields[key];
    return value === undefined || value === null ? '-' : escapeTerminal(String(value));
  };
  const message = fields['error'] ?? fields['msg'];
  const parts = [
    formatClock(typeof fields['time'] === 'string' ? fields['time'] : null),
    colorLevel(colors, text('level')).padEnd(5),
    colorService(colors, text('service')),
    ...(showHost ? [text('host')] : []),
    text('event'),
    colors.bold(text('error_code')),
    escapeTerminal(typeof message === 'string' ? message : (JSON.stringify(message) ?? '')),
  ];
  const http = describeHttp(fields);
  if (http !== undefined) parts.push(escapeTerminal(http));
  if (typeof fields['request_id'] === 'string') parts.push(colors.dim(escapeTerminal(fields['request_id'])));
  const out = [parts.join('  ')];
  if (typeof fields['text'] === 'string') {
    for (const line of tracebackExcerpt(fields['text'].split('\n'), full).slice(1)) {
      out.push(`    ${colors.dim('│')} ${line === undefined ? '…' : escapeTerminal(line)}`);
    }
  }
  return out.join('\n');
}
