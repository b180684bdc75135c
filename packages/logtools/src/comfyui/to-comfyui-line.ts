import { parseTime, STAMP_PATTERN, type TimeZone } from '@logtrace/shared/schema';

/** One line of comfyui.log, after the stamp and progress-bar updates are taken apart. */
export interface ComfyuiLine {
  /** The text ComfyUI printed (no stamp, no `\r` updates, no line ending). */
  readonly text: string;
  /** Epoch ms from the line stamper's prefix; undefined for an unstamped line. */
  readonly time: number | undefined;
  /** 1-based line number in its file. */
  readonly line: number;
}

// A tqdm bar still being drawn when another thread printed a line: ComfyUI's stderr then
// holds the bar and that line together, e.g. ` 25%|██▌       | 7/28 [00:00<00:01, 20.29it/s]got prompt`.
const GLUED_BAR = /^(\s*\d{1,3}%\|[^|]*\|\s*\d+\/\d+ \[[^\]]*\])(\S.*)$/;

/** True when a line's text is a progress bar with another thread's line glued to its end. */
export function isGluedProgress(text: string): boolean {
  return GLUED_BAR.test(text);
}

/**
 * False when the progress bar bytes[start, end) certainly has nothing glued to it, read
 * from the bytes: GLUED_BAR needs a non-blank character right after the first `]`.
 * True means "decode it and ask isGluedProgress".
 */
export function mayBeGluedProgress(bytes: Uint8Array, start: number, end: number): boolean {
  for (let p = start; p < end; p++) {
    if (bytes[p] !== 0x5d) continue;
    const next = bytes[p + 1] ?? 0x20;
    return p + 1 < end && next !== 0x20 && (next < 0x09 || next > 0x0d);
  }
  return false;
}

/**
 * Reads one raw comfyui.log line into the lines ComfyUI meant (see toComfyuiLine): a
 * progress bar with another thread's line glued to its end becomes the bar and that
 * line, both with the same stamp and line number.
 */
export function toComfyuiLines(raw: string, line: number, zone?: TimeZone): ComfyuiLine[] {
  const first = toComfyuiLine(raw, line, zone);
  const glued = GLUED_BAR.exec(first.text);
  if (glued === null) return [first];
  return [
    { ...first, text: glued[1] ?? '' },
    { ...first, text: glued[2] ?? '' },
  ];
}

/**
 * ComfyUI-Manager's stamp: `[2026-12-03 14:37:36.463] ` (local time, no zone), or
 * `[1764772656] ` (epoch seconds) when Python's datetime module is unusable.
 */
const MANAGER_STAMP = /^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?|\d{9,11})\] /;

/**
 * Reads one raw comfyui.log line: strips the line ending, takes off the line stamper's
 * `2026-11-28T05:03:21.123Z ` prefix (STAMP_PATTERN) or ComfyUI-Manager's
 * `[2026-11-28 05:03:21.123] ` (MANAGER_STAMP, a wall-clock time in `zone`, default
 * UTC) when there is one, and reduces `\r`-separated progress-bar updates to their
 * final state (the last non-empty segment), as ComfyUI's own log buffer does.
 */
export function toComfyuiLine(raw: string, line: number, zone?: TimeZone): ComfyuiLine {
  let text = raw.replace(/\r?\n$/, '').replace(/\r+$/, '');
  let time: number | undefined;
  const m = STAMP_PATTERN.exec(text) ?? MANAGER_STAMP.exec(text);
  if (m !== null) {
    const stamp = m[1] ?? '';
    time = /^\d+$/.test(stamp) ? parseTime(Number(stamp)) : parseTime(stamp, zone);
    if (time !== undefined) text = text.slice(m[0].length);
  }
  if (text.includes('\r')) {
    const segments = text.split('\r').filter((s) => s.trim() !== '');
    text = segments[segments.length - 1] ?? '';
  }
  return { text, time, line };
}
