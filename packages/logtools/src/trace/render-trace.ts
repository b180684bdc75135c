import { ID_FIELDS } from '@logtrace/shared/schema';
import type { TraceEvent } from '../core/to-event.js';
import type { TraceComfyuiLine, TraceReport } from './stitch-trace.js';
import { colorLevel, colorService, type Colors } from '../render/colors.js';
import { escapeAndCut, escapeTerminal } from '../render/escape-terminal.js';
import { formatDuration } from '../render/format-duration.js';
import { renderTable } from '../render/render-table.js';
import { describeHttp, HTTP_FIELDS } from '../render/describe-http.js';
import { renderWaterfall } from './render-waterfall.js';

/** Comfyui.log lines shown per entry in the timeline. */
const COMFYUI_LINES = 24;
const HIDDEN_FIELDS = new Set(['time', 'service', 'event', 'level', 'msg', ...ID_FIELDS, 'pid', 'hostname', 'v']);
const OUTCOME_TEXT = { ok: 'ok', validation_error: 'validation error', timeout: 'timeout', error: 'error', incomplete: 'incomplete' } as const;

/** The text report of `logtrace trace`: header, timeline with ComfyUI lines in place, waterfall. */
export function renderTrace(report: TraceReport, colors: Colors): string {
  const out: string[] = [];
  const outcome = OUTCOME_TEXT[report.outcome];
  const paintOutcome = report.outcome === 'ok' ? colors.green : report.outcome === 'incomplete' ? colors.yellow : colors.red;
  out.push(`${colors.bold('Trace')} ${escapeTerminal(report.id)}`);
  out.push(`  request     ${escapeTerminal(report.request_id ?? '-')}`);
  if (report.generation_ids.length > 0) out.push(`  generation  ${report.generation_ids.map(escapeTerminal).join(', ')}`);
  if (report.prompt_ids.length > 0) out.push(`  prompt      ${report.prompt_ids.map(escapeTerminal).join(', ')}`);
  out.push(`  outcome     ${paintOutcome(colors.bold(outcome))}   total ${formatDuration(report.duration_ms)}   started ${report.started_at ?? '-'}`);
  out.push('', renderTimeline(report, colors));
  if (report.stages.length > 0) {
    out.push('', colors.bold('Where the time went'), ...renderWaterfall(report.stages, colors));
    const b = report.breakdown;
    const parts = [
      ['backend overhead', b.backend_overhead_ms],
      ['GPU server before ComfyUI', b.gpu_before_comfyui_ms],
      ['ComfyUI queue + execution', b.comfyui_ms],
      ['image transfer', b.image_transfer_ms],
    ].filter((p): p is [string, number] => p[1] !== null);
    if (parts.length > 0) out.push(`  ${parts.map(([label, ms]) => `${label} ${formatDuration(ms)}`).join(' · ')}`);
  }
  return `${out.join('\n')}\n`;
}

function renderTimeline(report: TraceReport, colors: Colors): string {
  const start = report.started_at === null ? 0 : Date.parse(report.started_at);
  const rows: string[][] = [];
  let next = 0;
  const comfyuiRow = (line: TraceComfyuiLine) => rows.push(comfyuiCells(line, start, colors));
  report.events.forEach((event, index) => {
    while (next < report.comfyui.length && (report.comfyui[next]?.before_event ?? Infinity) <= index) comfyuiRow(report.comfyui[next++] as TraceComfyuiLine);
    rows.push(eventCells(event, start, colors));
  });
  while (next < report.comfyui.length) comfyuiRow(report.comfyui[next++] as TraceComfyuiLine);
  // The details column is not wrapped: long values stay whole (and greppable) when piped.
  return renderTable(
    [{ header: 'time (UTC)' }, { header: '+ms', align: 'right' }, { header: 'service' }, { header: 'level' }, { header: 'event' }, { header: 'details' }],
    rows,
    colors,
  );
}

function eventCells(event: TraceEvent, start: number, colors: Colors): string[] {
  const time = String(event['time']);
  const http = describeHttp(event);
  const fields = Object.entries(event)
    .filter(([key]) => !HIDDEN_FIELDS.has(key) && (http === undefined || !HTTP_FIELDS.includes(key)))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  // An event without a catalog name says what it is in its message (pino-http, structlog).
  const lead = event['event'] === null ? [String(event['msg'] ?? ''), http ?? ''].filter((t) => t !== '') : http === undefined ? [] : [http];
  const details = [...lead, ...fields].join(' ');
  return [
    shortTime(time),
    String(Date.parse(time) - start),
    colorService(colors, escapeTerminal(String(event['service']))),
    colorLevel(colors, String(event['level'])),
    escapeTerminal(String(event['event'] ?? '-')),
    escapeAndCut(details === '' ? String(event['msg'] ?? '') : details, 600),
  ];
}

function comfyuiCells(line: TraceComfyuiLine, start: number, colors: Colors): string[] {
  const lines = line.text.split('\n');
  const shown = lines.slice(0, COMFYUI_LINES).map((l) => escapeAndCut(l, 300));
  if (lines.length > shown.length) shown.push(colors.dim(`… ${lines.length - shown.length} more lines`));
  shown[0] = `${shown[0] ?? ''}  ${colors.dim(`[comfyui.log:${line.line}, by ${line.attribution}]`)}`;
  const level = line.kind === 'exception' || line.kind === 'request_error' || line.text.startsWith('invalid prompt') ? 'ERROR' : line.kind === 'interrupted' ? 'WARN' : '';
  return [
    line.time === null ? colors.dim('(no stamp)') : shortTime(line.time),
    line.time === null ? '~' : String(Date.parse(line.time) - start),
    colorService(colors, 'comfyui'),
    colorLevel(colors, level),
    line.kind,
    shown.join('\n'),
  ];
}

/** `05:03:21.123` from an ISO time. */
function shortTime(iso: string): string {
  return iso.slice(11, 23);
}
