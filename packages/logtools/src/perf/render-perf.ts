import type { PerfReport } from './perf-accumulator.js';
import type { ScanPerfReport } from './scan-perf.js';
import type { StageName } from './perf-events.js';
import type { DurationSummary } from './summarize-durations.js';
import type { Colors } from '../render/colors.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { formatClock, formatDuration } from '../render/format-duration.js';
import { renderTable } from '../render/render-table.js';

const STAGE_LABELS: Readonly<Record<StageName, string>> = {
  backend_end_to_end: 'backend end-to-end',
  gpu_round_trip: 'GPU round trip',
  image_transfer: 'image transfer',
  queue_wait: 'ComfyUI queue wait',
  execution: 'ComfyUI execution',
};

/** Stages shown only when the logs have them (a GPU server that reads ComfyUI's websocket). */
const WEBSOCKET_STAGES: ReadonlySet<StageName> = new Set(['queue_wait', 'execution']);

/** How to render the perf report. */
export interface PerfRenderOptions {
  /** Add the table of node classes. */
  readonly byNode: boolean;
}

/** The text report of `logtrace perf`: statistics table, per host (`--by host`), ComfyUI's cache and sampler speed, node classes (`byNode`), slow generations, per-bucket table. */
export function renderPerf(report: ScanPerfReport, colors: Colors, options: PerfRenderOptions = { byNode: false }): string {
  const parts: string[] = [];
  const stages = (Object.keys(STAGE_LABELS) as StageName[]).filter((n) => !WEBSOCKET_STAGES.has(n) || report.stages[n].count > 0);
  const statsOf = (r: PerfReport) => [
    ['generation (ComfyUI)', r.generation] as const,
    ...stages.map((n) => [STAGE_LABELS[n], r.stages[n]] as const),
  ];
  parts.push(
    renderTable(
      ['', 'count', 'avg', 'min', 'p50', 'p90', 'p95', 'p99', 'max'].map((header, i) => ({ header, align: i === 0 ? 'left' : 'right' })),
      statsOf(report).map(([label, s]) => [label, ...summaryCells(s)]),
      colors,
    ),
  );
  parts.push(colors.dim('generation = comfyui_complete.duration_ms (prompt sent → outputs ready); percentiles are exact, nearest rank'));
  if (report.by_host !== undefined) {
    parts.push('', colors.bold('By host'));
    parts.push(
      renderTable(
        ['host', '', 'count', 'avg', 'min', 'p50', 'p90', 'p95', 'p99', 'max'].map((header, i) => ({
          header,
          align: i < 2 ? 'left' : 'right',
        })),
        report.by_host.flatMap((h) =>
          statsOf(h)
            .filter(([, s]) => s.count > 0)
            .map(([label, s], i) => [i === 0 ? escapeTerminal(h.host ?? '-') : '', label, ...summaryCells(s)]),
        ),
        colors,
      ),
    );
  }
  parts.push(...renderComfyuiNodes(report, colors, options.byNode));

  const slow = report.slow;
  const shown = slow.items.length < slow.count ? `, slowest ${slow.items.length} shown` : '';
  parts.push('', colors.bold(`Slow generations (≥ ${formatDuration(slow.threshold_ms)}): ${slow.count}${shown}`));
  if (slow.items.length > 0) {
    parts.push(
      renderTable(
        [
          { header: 'duration', align: 'right' },
          { header: 'time (UTC)' },
          { header: 'request_id' },
          { header: 'generation_id' },
          { header: 'prompt_id' },
        ],
        slow.items.map((item) => [
          colors.yellow(formatDuration(item.duration_ms)),
          formatClock(item.time),
          escapeTerminal(item.request_id ?? '-'),
          escapeTerminal(item.generation_id ?? '-'),
          escapeTerminal(item.prompt_id ?? '-'),
        ]),
        colors,
      ),
    );
  }

  if (report.buckets.items.length > 0) {
    parts.push('', colors.bold(`Generation time per ${formatDuration(report.buckets.size_ms)}`));
    const worst = Math.max(...report.buckets.items.map((b) => b.p95_ms));
    parts.push(
      renderTable(
        [
          { header: 'start (UTC)' },
          { header: 'count', align: 'right' },
          { header: 'avg', align: 'right' },
          { header: 'p95', align: 'right' },
          { header: 'max', align: 'right' },
          { header: 'p95' },
        ],
        report.buckets.items.map((b) => [
          formatClock(b.start),
          String(b.count),
          formatDuration(b.avg_ms),
          formatDuration(b.p95_ms),
          formatDuration(b.max_ms),
          '▇'.repeat(Math.max(1, Math.min(30, Math.round((worst > 0 ? b.p95_ms / worst : 0) * 30)))),
        ]),
        colors,
      ),
    );
  }
  return `${parts.join('\n')}\n`;
}

/** ComfyUI's cache hits, the samplers' speed and, with `byNode`, the node classes; nothing for logs without node events. */
function renderComfyuiNodes(report: PerfReport, colors: Colors, byNode: boolean): string[] {
  const out: string[] = [];
  const cache = report.cache;
  if (cache.executed + cache.cached > 0) {
    const unknown = cache.unattributed > 0 ? `, ${cache.unattributed} of them of an unknown class` : '';
    const hint = byNode ? '' : colors.dim('  (per class: --by-node)');
    out.push(
      '',
      `${colors.bold('ComfyUI nodes')}: ${cache.executed + cache.cached} runs, ${cache.cached} from the cache (${formatRatio(cache.hit_ratio)} cache hits${unknown})${hint}`,
    );
  }
  for (const [classType, r] of Object.entries(report.steps_per_s)) {
    out.push(
      `${colors.bold('Sampler speed')}: ${escapeTerminal(classType)} ${formatRate(r.avg)} steps/s avg, p50 ${formatRate(r.p50)}, min ${formatRate(r.min)}, max ${formatRate(r.max)} (${r.count} finished run${r.count === 1 ? '' : 's'})`,
    );
  }
  const classes = Object.entries(report.nodes);
  if (byNode && classes.length > 0) {
    out.push('', colors.bold('Nodes by class, most execution time first'));
    out.push(
      renderTable(
        ['class_type', 'count', 'cached', 'avg', 'p50', 'p95', 'max'].map((header, i) => ({ header, align: i === 0 ? 'left' : 'right' })),
        classes.map(([classType, n]) => [
          escapeTerminal(classType),
          String(n.count),
          String(n.cached),
          ...[n.avg_ms, n.p50_ms, n.p95_ms, n.max_ms].map(formatDuration),
        ]),
        colors,
      ),
    );
  }
  return out;
}

/** `18.4 %`; `-` for null. */
function formatRatio(ratio: number | null): string {
  return ratio === null ? '-' : `${(ratio * 100).toFixed(1)} %`;
}

/** Two decimals; `-` for null. */
function formatRate(rate: number | null): string {
  return rate === null ? '-' : rate.toFixed(2);
}

function summaryCells(s: DurationSummary): string[] {
  return [String(s.count), s.avg_ms, s.min_ms, s.p50_ms, s.p90_ms, s.p95_ms, s.p99_ms, s.max_ms].map((v, i) =>
    i === 0 ? String(v) : formatDuration(v as number | null),
  );
}
