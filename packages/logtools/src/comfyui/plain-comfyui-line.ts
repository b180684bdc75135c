import { parseIsoBytes } from '../input/fast-line.js';

const CR = 0x0d;

/** Where a comfyui.log line's text is, and its stamp's time (undefined when unstamped). */
export interface LineText {
  start: number;
  end: number;
  time: number | undefined;
}

/**
 * Splits a raw comfyui.log line bytes[s, e) (no `\n`) into stamp and text at byte
 * level, as toComfyuiLine does, for the common case: the line stamper's
 * `YYYY-MM-DDTHH:MM:SS(.fff)Z ` prefix or no stamp; of `\r`-separated progress
 * updates, the last non-blank one is the text. Returns false for anything else (the
 * caller then uses toComfyuiLine on the decoded line). Fills `out` (no object per line).
 */
export function splitComfyuiLine(bytes: Buffer, s: number, e: number, out: LineText): boolean {
  if (!splitStamp(bytes, s, e, out)) return false;
  const cr = bytes.indexOf(CR, out.start);
  return cr === -1 || cr >= e || lastSegment(bytes, out.start, e, out);
}

/** Takes the last non-blank `\r`-separated segment of [start, e) as the text; false when unsure (non-ASCII). */
function lastSegment(bytes: Buffer, start: number, e: number, out: LineText): boolean {
  let segEnd = e;
  while (segEnd > start) {
    const cr = bytes.lastIndexOf(CR, segEnd - 1);
    const segStart = cr < start ? start : cr + 1;
    for (let p = segStart; p < segEnd; p++) {
      const c = bytes[p] ?? 0;
      if (c >= 0x80) return false;
      if (c !== 0x20 && (c < 0x09 || c > 0x0d)) {
        out.start = segStart;
        out.end = segEnd;
        return true;
      }
    }
    if (cr < start) break;
    segEnd = cr;
  }
  out.start = e;
  out.end = e;
  return true;
}

function splitStamp(bytes: Buffer, s: number, e: number, out: LineText): boolean {
  out.start = s;
  out.end = e;
  out.time = undefined;
  if (e - s < 21 || bytes[s + 4] !== 0x2d || bytes[s + 10] !== 0x54 || !isDigit(bytes[s])) return !looksStamped(bytes, s, e);
  let p = s + 19;
  if (bytes[p] === 0x2e) {
    p++;
    const first = p;
    while (p < e && isDigit(bytes[p])) p++;
    if (p === first || p - first > 9) return false;
  }
  if (bytes[p] !== 0x5a || bytes[p + 1] !== 0x20 || p + 1 >= e) return false;
  for (const i of DIGITS) if (!isDigit(bytes[s + i])) return false;
  if (bytes[s + 7] !== 0x2d || bytes[s + 13] !== 0x3a || bytes[s + 16] !== 0x3a) return false;
  out.time = parseIsoBytes(bytes, s, p + 1);
  if (out.time === undefined) return false;
  out.start = p + 2;
  return true;
}

const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/** A line starting with four digits and a dash may carry a stamp this reader does not take apart. */
function looksStamped(bytes: Buffer, s: number, e: number): boolean {
  return e - s >= 5 && isDigit(bytes[s]) && isDigit(bytes[s + 1]) && isDigit(bytes[s + 2]) && isDigit(bytes[s + 3]) && bytes[s + 4] === 0x2d;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/**
 * First bytes of a text that can begin something ComfyuiEntryParser or the attributor
 * treats specially: `got prompt`, `invalid prompt`, `Prompt executed`, `Processing
 * interrupted`, `!!! Exception`, `Failed to validate`, `* ` and indented validation
 * lines, `Output will be ignored`, `Error handling request`, `Traceback`, `The above
 * exception`, `To see the GUI`, `During handling`, `WARNING`, `Starting server`,
 * `Stopped server`, progress bars. A text starting otherwise (and not empty), read
 * while no block is open, is a single `other` entry that changes no state.
 */
export const ENTRY_FIRST_BYTES: Uint8Array = firstBytes('giP!F*OETDWS0123456789 \t');

/** First bytes of a text that can begin a problem `errors` reports (exception, request error, validation, interrupt, warning). */
export const PROBLEM_FIRST_BYTES: Uint8Array = firstBytes('!EFiPW');

function firstBytes(chars: string): Uint8Array {
  const table = new Uint8Array(256);
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  for (let b = 0x80; b < 256; b++) table[b] = 1;
  return table;
}

/** True when the text bytes[start, end) is empty or starts with a byte of `table`. */
export function startsSpecially(bytes: Buffer, start: number, end: number, table: Uint8Array): boolean {
  return start >= end || table[bytes[start] ?? 0] === 1;
}
