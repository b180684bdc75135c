import type { InputSummary } from '../read/file-stats.js';
import type { SkipSample } from '../read/file-stats.js';
import type { Colors } from './colors.js';
import { escapeAndCut, escapeAndCutStart } from './escape-terminal.js';

/** Bad-line samples printed at most. */
const MAX_SAMPLES = 10;

/**
 * The stderr notes of a text report: lines skipped per file and why (with a few
 * escaped samples), glued lines read per file, files that could not be read to the end, ignored files. Empty
 * when there is nothing to say.
 */
export function renderInputNotes(
  summary: InputSummary,
  samples: readonly { readonly path: string; readonly samples: readonly SkipSample[] }[],
  ignored: readonly { readonly path: string; readonly reason: string }[],
  colors: Colors,
  strict: boolean,
): string {
  const out: string[] = [];
  if (summary.skipped > 0) {
    const scope = strict ? 'every line examined' : 'only lines that could matter were examined; --strict examines all';
    out.push(
      colors.yellow(
        `logtrace: skipped ${summary.skipped} unusable ${summary.skipped === 1 ? 'line' : 'lines'} of ${summary.lines} (${scope}):`,
      ),
    );
    for (const file of summary.by_file) {
      if (file.skipped === 0) continue;
      const reasons = Object.entries(file.reasons)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', ');
      out.push(`  ${escapeAndCutStart(file.path, 200)}: ${file.skipped} (${reasons})`);
    }
    let printed = 0;
    for (const file of samples) {
      for (const sample of file.samples) {
        if (printed++ >= MAX_SAMPLES) break;
        out.push(
          colors.dim(`    ${escapeAndCutStart(file.path, 80)}:${sample.line} ${sample.reason}: ${escapeAndCut(sample.excerpt, 120)}`),
        );
      }
    }
  }
  if (summary.glued > 0) {
    out.push(
      colors.yellow(
        `logtrace: read ${summary.glued} glued ${summary.glued === 1 ? 'line' : 'lines'} (JSON objects with no newline between) as one record per object:`,
      ),
    );
    for (const file of summary.by_file) if (file.glued > 0) out.push(`  ${escapeAndCutStart(file.path, 200)}: ${file.glued} glued`);
  }
  for (const file of summary.by_file) {
    if (file.error === null) continue;
    const what = file.lines === 0 ? 'cannot read' : `read stopped after ${file.lines} ${file.lines === 1 ? 'line' : 'lines'}`;
    out.push(colors.red(`logtrace: ${escapeAndCutStart(file.path, 200)}: ${what}: ${escapeAndCut(file.error, 300)}`));
  }
  for (const file of ignored) out.push(colors.dim(`logtrace: ignored ${escapeAndCutStart(file.path, 200)} (${file.reason})`));
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
