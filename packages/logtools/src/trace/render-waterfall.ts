import type { TraceNode } from './trace-nodes.js';
import type { TraceStage } from './trace-stages.js';
import type { Colors } from '../render/colors.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { formatDuration } from '../render/format-duration.js';

/** Characters of the widest bar. */
export const WATERFALL_WIDTH = 40;

/** One line of the waterfall: a stage, or a ComfyUI node under the execution. */
interface Row {
  readonly label: string;
  readonly start_ms: number;
  /** Null for a cached node: no bar. */
  readonly duration_ms: number | null;
  readonly paint: (text: string) => string;
}

/** The stages that split `comfyui`, shown indented under it. */
const COMFYUI_PARTS: ReadonlySet<string> = new Set(['comfyui_queue_wait', 'comfyui_execution']);

/**
 * One line per stage, and per ComfyUI node under the execution (indented): label,
 * duration (`cached` for a node ComfyUI did not run), and a bar placed at the row's
 * offset and sized to its duration on a scale where the whole trace is
 * WATERFALL_WIDTH wide. A row too short to see still gets one block. A row that began
 * before the first event (a duration reaching back before what the logs hold) widens
 * the scale to the left.
 */
export function renderWaterfall(stages: readonly TraceStage[], nodes: readonly TraceNode[], colors: Colors): string[] {
  const rows = waterfallRows(stages, nodes, colors);
  const timed = rows.filter((r) => r.duration_ms !== null);
  const origin = Math.min(0, ...timed.map((r) => r.start_ms));
  const span = Math.max(1, ...timed.map((r) => r.start_ms + (r.duration_ms ?? 0) - origin));
  const labelWidth = Math.max(...rows.map((r) => r.label.length), 5);
  return rows.map((row) => {
    let bar = ' '.repeat(WATERFALL_WIDTH);
    if (row.duration_ms !== null) {
      const from = Math.max(0, Math.min(WATERFALL_WIDTH - 1, Math.floor(((row.start_ms - origin) / span) * WATERFALL_WIDTH)));
      const length = Math.max(1, Math.min(WATERFALL_WIDTH - from, Math.round((row.duration_ms / span) * WATERFALL_WIDTH)));
      bar = `${' '.repeat(from)}${'█'.repeat(length)}`.padEnd(WATERFALL_WIDTH);
    }
    const duration = row.duration_ms === null ? 'cached' : formatDuration(row.duration_ms);
    return `  ${row.label.padEnd(labelWidth)}  ${duration.padStart(9)}  ${colors.dim('│')}${row.paint(bar)}${colors.dim('│')}`;
  });
}

/** The stages in order, ComfyUI's queue wait and execution indented under `comfyui`, the nodes after them. */
function waterfallRows(stages: readonly TraceStage[], nodes: readonly TraceNode[], colors: Colors): Row[] {
  const rows: Row[] = [];
  const nodeRows = nodes.map((n): Row => ({
    label: `    #${escapeTerminal(n.node_id ?? '?')}${n.class_type === null ? '' : ` ${escapeTerminal(n.class_type)}`}`,
    start_ms: n.start_ms,
    duration_ms: n.cached ? null : n.duration_ms,
    paint: colors.blue,
  }));
  // The nodes go after ComfyUI's last row (its execution, queue wait or whole stage), else last.
  const parent = stages.filter((s) => s.name === 'comfyui' || COMFYUI_PARTS.has(s.name)).at(-1)?.name;
  for (const stage of stages) {
    const paint = stage.name.startsWith('comfyui')
      ? colors.blue
      : stage.name === 'total'
        ? colors.bold
        : stage.name.startsWith('backend')
          ? colors.cyan
          : colors.magenta;
    rows.push({
      label: COMFYUI_PARTS.has(stage.name) ? `  ${stage.label}` : stage.label,
      start_ms: stage.start_ms,
      duration_ms: stage.duration_ms,
      paint,
    });
    if (stage.name === parent) rows.push(...nodeRows);
  }
  if (parent === undefined) rows.push(...nodeRows);
  return rows;
}
