import type { PerfReport, StageName } from './perf-accumulator.js';
import type { DurationSummary } from './summarize-durations.js';
import type { Colors } from '../render/colors.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { formatClock, formatDuration } from '../render/format-duration.js';
import { renderTable } from '../render/render-table.js';

const STAGE_LABELS: Readonly<Record<StageName, string>> = {
  backend_end_to_end: 'backend end-to-end',
  gpu_round_trip: 'GPU round trip',
  image_transfer: 'image transfer',
};

/** The text report of `logtrace perf`: statistics table, slow generations, per-bucket table. */
export function renderPerf(report: PerfReport, colors: Colors): string {
  const parts: string[] = [];
  const stats = [['generation (ComfyUI)', report.generation] as const, ...(Object.keys(STAGE_LABELS) as StageName[]).map((n) => [STAGE_LABELS[n], report.stages[n]] as const)];
  parts.push(
    renderTable(
      ['', 'count', 'avg', 'min', 'p50', 'p90', 'p95', 'p99', 'max'].map((header, i) => ({ header, align: i === 0 ? 'left' : 'right' })),
      stats.map(([label, s]) => [label, ...summaryCells(s)]),
      colors,
    ),
  );
  parts.push(colors.dim('generation = comfyui_complete.duration_ms (prompt sent → outputs ready); percentiles are exact, nearest rank'));

  const slow = report.slow;
  const shown = slow.items.length < slow.count ? `, slowest ${slow.items.length} shown` : '';
  parts.push('', colors.bold(`Slow generations (≥ ${formatDuration(slow.threshold_ms)}): ${slow.count}${shown}`));
  if (slow.items.length > 0) {
    parts.push(
      renderTable(
        [{ header: 'duration', align: 'right' }, { header: 'time (UTC)' }, { header: 'request_id' }, { header: 'generation_id' }, { header: 'prompt_id' }],
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
        [{ header: 'start (UTC)' }, { header: 'count', align: 'right' }, { header: 'avg', align: 'right' }, { header: 'p95', align: 'right' }, { header: 'max', align: 'right' }, { header: 'p95' }],
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

function summaryCells(s: DurationSummary): string[] {
  return [String(s.count), s.avg_ms, s.min_ms, s.p50_ms, s.p90_ms, s.p95_ms, s.p99_ms, s.max_ms].map((v, i) =>
    i === 0 ? String(v) : formatDuration(v as number | null),
  );
}
