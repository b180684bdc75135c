import { ID_FIELDS } from '@logtrace/shared/schema';
import type { TraceEvent } from '../core/to-event.js';
import type { TraceComfyuiLine, TraceReport } from './stitch-trace.js';
import type { TraceStall } from './trace-nodes.js';
import { colorLevel, colorService, type Colors } from '../render/colors.js';
import { escapeAndCut, escapeTerminal } from '../render/escape-terminal.js';
import { formatDuration } from '../render/format-duration.js';
import { renderTable } from '../render/render-table.js';
import { describeHttp, HTTP_FIELDS } from '../render/describe-http.js';
import { renderWaterfall } from './render-waterfall.js';

/** Comfyui.log lines shown per entry in the timeline. */
const COMFYUI_LINES = 24;
const HIDDEN_FIELDS = new Set(['time', 'service', 'host', 'event', 'level', 'msg', ...ID_FIELDS, 'pid', 'hostname', 'v']);
const OUTCOME_TEXT = {
  ok: 'ok',
  validation_error: 'validation error',
  timeout: 'timeout',
  error: 'error',
  incomplete: 'incomplete',
} as const;

/** The text report of `logtrace trace`: header (with ComfyUI stalls called out), timeline with ComfyUI lines in place, waterfall with ComfyUI's nodes. */
export function renderTrace(report: TraceReport, colors: Colors): string {
  const out: string[] = [];
  const outcome = OUTCOME_TEXT[report.outcome];
  const paintOutcome = report.outcome === 'ok' ? colors.green : report.outcome === 'incomplete' ? colors.yellow : colors.red;
  out.push(`${colors.bold('Trace')} ${escapeTerminal(report.id)}`);
  out.push(`  request     ${escapeTerminal(report.request_id ?? '-')}`);
  if (report.generation_ids.length > 0) out.push(`  generation  ${report.generation_ids.map(escapeTerminal).join(', ')}`);
  if (report.prompt_ids.length > 0) out.push(`  prompt      ${report.prompt_ids.map(escapeTerminal).join(', ')}`);
  out.push(
    `  outcome     ${paintOutcome(colors.bold(outcome))}   total ${formatDuration(report.duration_ms)}   started ${report.started_at ?? '-'}`,
  );
  for (const stall of report.stalls) out.push(`  ${colors.yellow(colors.bold('stalled'))}     ${describeStall(stall)}`);
  out.push('', renderTimeline(report, colors));
  if (report.stages.length > 0 || report.nodes.length > 0) {
    out.push('', colors.bold('Where the time went'), ...renderWaterfall(report.stages, report.nodes, colors));
    const b = report.breakdown;
    const parts = [
      ['backend overhead', b.backend_overhead_ms],
      ['GPU server before ComfyUI', b.gpu_before_comfyui_ms],
      ['ComfyUI queue + execution', b.comfyui_ms],
      ['queue wait', b.queue_wait_ms],
      ['execution', b.execution_ms],
      ['image transfer', b.image_transfer_ms],
    ].filter((p): p is [string, number] => p[1] !== null);
    if (parts.length > 0) out.push(`  ${parts.map(([label, ms]) => `${label} ${formatDuration(ms)}`).join(' · ')}`);
  }
  return `${out.join('\n')}\n`;
}

/** `ComfyUI said nothing about the prompt for 30.00 s while #3 KSampler ran (last: comfyui_node_executed at +2.30 s); comfyui_stalled at +32.30 s`. */
function describeStall(stall: TraceStall): string {
  const idle = stall.idle_ms === null ? '' : ` for ${formatDuration(stall.idle_ms)}`;
  const node =
    stall.node_id === null
      ? ''
      : ` while #${escapeTerminal(stall.node_id)}${stall.class_type === null ? '' : ` ${escapeTerminal(stall.class_type)}`} ran`;
  const last =
    stall.last_event === null ? ' (no websocket event before)' : ` (last: ${stall.last_event} at +${formatDuration(stall.last_event_ms)})`;
  return `ComfyUI said nothing about the prompt${idle}${node}${last}; comfyui_stalled at +${formatDuration(stall.at_ms)}`;
}

function renderTimeline(report: TraceReport, colors: Colors): string {
  const start = report.started_at === null ? 0 : Date.parse(report.started_at);
  const rows: string[][] = [];
  let next = 0;
  // The host column appears only when the trace names more than one machine: one machine's trace reads as before.
  const hosts = new Set(
    [...report.events.map((e) => e['host']), ...report.comfyui.map((l) => l.host)].filter((h) => typeof h === 'string'),
  );
  const withHost = hosts.size > 1;
  const hostCell = (host: unknown) => (withHost ? [typeof host === 'string' ? escapeTerminal(host) : '-'] : []);
  const comfyuiRow = (line: TraceComfyuiLine) => {
    const [time = '', ms = '', ...rest] = comfyuiCells(line, start, colors);
    rows.push([time, ms, rest[0] ?? '', ...hostCell(line.host), ...rest.slice(1)]);
  };
  report.events.forEach((event, index) => {
    while (next < report.comfyui.length && (report.comfyui[next]?.before_event ?? Infinity) <= index)
      comfyuiRow(report.comfyui[next++] as TraceComfyuiLine);
    const [time = '', ms = '', service = '', ...rest] = eventCells(event, start, colors);
    rows.push([time, ms, service, ...hostCell(event['host']), ...rest]);
  });
  while (next < report.comfyui.length) comfyuiRow(report.comfyui[next++] as TraceComfyuiLine);
  // The details column is not wrapped: long values stay whole (and greppable) when piped.
  return renderTable(
    [
      { header: 'time (UTC)' },
      { header: '+ms', align: 'right' },
      { header: 'service' },
      ...(withHost ? [{ header: 'host' }] : []),
      { header: 'level' },
      { header: 'event' },
      { header: 'details' },
    ],
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
  const lead =
    event['event'] === null ? [String(event['msg'] ?? ''), http ?? ''].filter((t) => t !== '') : http === undefined ? [] : [http];
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
  const level =
    line.kind === 'exception' || line.kind === 'request_error' || line.text.startsWith('invalid prompt')
      ? 'ERROR'
      : line.kind === 'interrupted'
        ? 'WARN'
        : '';
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
