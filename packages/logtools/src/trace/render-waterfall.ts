import type { TraceStage } from './trace-stages.js';
import type { Colors } from '../render/colors.js';
import { formatDuration } from '../render/format-duration.js';

/** Characters of the widest bar. */
export const WATERFALL_WIDTH = 40;

/**
 * One line per stage: label, duration, and a bar placed at the stage's offset and
 * sized to its duration on a scale where the whole trace is WATERFALL_WIDTH wide.
 * A stage too short to see still gets one block. A stage that began before the first
 * event (a duration reaching back before what the logs hold) widens the scale to the left.
 */
export function renderWaterfall(stages: readonly TraceStage[], colors: Colors): string[] {
  const origin = Math.min(0, ...stages.map((s) => s.start_ms));
  const span = Math.max(1, ...stages.map((s) => s.start_ms + s.duration_ms - origin));
  const labelWidth = Math.max(...stages.map((s) => s.label.length), 5);
  return stages.map((stage) => {
    const from = Math.max(0, Math.min(WATERFALL_WIDTH - 1, Math.floor(((stage.start_ms - origin) / span) * WATERFALL_WIDTH)));
    const length = Math.max(1, Math.min(WATERFALL_WIDTH - from, Math.round((stage.duration_ms / span) * WATERFALL_WIDTH)));
    const bar = `${' '.repeat(from)}${'█'.repeat(length)}`.padEnd(WATERFALL_WIDTH);
    const paint = stage.name === 'comfyui' ? colors.blue : stage.name === 'total' ? colors.bold : stage.name.startsWith('backend') ? colors.cyan : colors.magenta;
    return `  ${stage.label.padEnd(labelWidth)}  ${formatDuration(stage.duration_ms).padStart(9)}  ${colors.dim('│')}${paint(bar)}${colors.dim('│')}`;
  });
}
