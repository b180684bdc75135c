/** What a Python traceback says, in short. */
export interface TracebackSummary {
  /** Exception type of the last (outermost) traceback, e.g. `PIL.UnidentifiedImageError`. */
  readonly type: string;
  /** First line of its message. */
  readonly message: string;
  /** Its last frame as `file:line in function`, or null when there is no frame. */
  readonly lastFrame: string | null;
}

const TRACEBACK = /^Traceback \(most recent call last\):$/;
const FRAME = /^\s+File "(.+)", line (\d+), in (.+)$/;
const EXCEPTION_LINE = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;

/**
 * Reads the last traceback in `lines` (a chained one prints the outermost last): its
 * last `File "...", line N, in f` frame and the `Type: message` line after the frames.
 * Without a traceback, `headline` (the text after `!!! Exception during processing !!!`)
 * is the message and the type is `Exception`.
 */
export function summarizeTraceback(lines: readonly string[], headline: string): TracebackSummary {
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (TRACEBACK.test(lines[i] ?? '')) {
      start = i;
      break;
    }
  }
  if (start === -1) return { type: 'Exception', message: headline.trim(), lastFrame: null };
  let lastFrame: string | null = null;
  for (let i = start + 1; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const frame = FRAME.exec(text);
    if (frame !== null) {
      lastFrame = `${frame[1]}:${frame[2]} in ${frame[3]}`;
      continue;
    }
    if (text === '' || /^\s/.test(text)) continue;
    const m = EXCEPTION_LINE.exec(text);
    if (m !== null && m[1] !== undefined && (m[2] !== undefined || /[A-Z]/.test(m[1]))) {
      return { type: m[1], message: (m[2] ?? '').trim() || headline.trim(), lastFrame };
    }
    return { type: 'Exception', message: text.trim(), lastFrame };
  }
  return { type: 'Exception', message: headline.trim(), lastFrame };
}
