import type { TimeZone } from '@logtrace/shared/schema';
import { parseIsoBytes } from '../read/parse-iso-bytes.js';

const CR = 0x0d;

/** Where a comfyui.log line's text is, and where its stamp is (stampEnd -1 when unstamped). */
export interface LineText {
  start: number;
  end: number;
  stampStart: number;
  stampEnd: number;
}

/**
 * The stamp's time, epoch ms (undefined when unstamped): read only for lines that need
 * it. A stamp without a zone (ComfyUI-Manager's) is a wall-clock time in `zone`.
 */
export function stampTimeOf(bytes: Buffer, text: LineText, zone?: TimeZone): number | undefined {
  return text.stampEnd < 0 ? undefined : parseIsoBytes(bytes, text.stampStart, text.stampEnd, zone);
}

/**
 * Splits a raw comfyui.log line bytes[s, e) (no `\n`) into stamp and text at byte
 * level, as toComfyuiLine does, for the common cases: the line stamper's
 * `YYYY-MM-DDTHH:MM:SS(.fff)Z ` prefix, ComfyUI-Manager's `[YYYY-MM-DD HH:MM:SS.fff] `
 * or no stamp; of `\r`-separated progress
 * updates, the last non-blank one is the text. Returns false for anything else (the
 * caller then uses toComfyuiLine on the decoded line). Fills `out` (no object per line).
 * `firstCr`: where the first `\r` at or after `s` is (-1 for none), when the caller
 * knows it from scanning the lines before (so each byte is searched once).
 */
export function splitComfyuiLine(bytes: Buffer, s: number, e: number, out: LineText, firstCr = bytes.indexOf(CR, s)): boolean {
  if (!splitStamp(bytes, s, e, out)) return false;
  return firstCr === -1 || firstCr >= e || lastSegment(bytes, out.start, e, out);
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
  out.stampStart = s;
  out.stampEnd = -1;
  if (bytes[s] === 0x5b) return splitManagerStamp(bytes, s, e, out);
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
  // Every digit is checked, so the stamp always reads as a time (a 4-digit year).
  out.stampEnd = p + 1;
  out.start = p + 2;
  return true;
}

const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/** Length of ComfyUI-Manager's stamp with the space after it: `[2026-12-03 14:37:36.463] `. */
const MANAGER_STAMP_BYTES = 26;

/**
 * ComfyUI-Manager's `[YYYY-MM-DD HH:MM:SS.fff] ` prefix (its prestartup_script.py writes
 * `f"[{timestamp}] {message}"`). A line starting with `[` and a digit in another form
 * (its epoch-seconds fallback stamp) is left to toComfyuiLine; any other `[` line is text.
 */
function splitManagerStamp(bytes: Buffer, s: number, e: number, out: LineText): boolean {
  if (!isDigit(bytes[s + 1])) return true;
  if (e - s < MANAGER_STAMP_BYTES || bytes[s + 24] !== 0x5d || bytes[s + 25] !== 0x20 || bytes[s + 11] !== 0x20 || bytes[s + 20] !== 0x2e) {
    return false;
  }
  for (const i of DIGITS) if (!isDigit(bytes[s + 1 + i])) return false;
  if (!isDigit(bytes[s + 21]) || !isDigit(bytes[s + 22]) || !isDigit(bytes[s + 23])) return false;
  if (bytes[s + 5] !== 0x2d || bytes[s + 8] !== 0x2d || bytes[s + 14] !== 0x3a || bytes[s + 17] !== 0x3a) return false;
  out.stampStart = s + 1;
  out.stampEnd = s + 24;
  out.start = s + MANAGER_STAMP_BYTES;
  return true;
}

/** A line starting with four digits and a dash may carry a stamp this reader does not take apart. */
function looksStamped(bytes: Buffer, s: number, e: number): boolean {
  return (
    e - s >= 5 && isDigit(bytes[s]) && isDigit(bytes[s + 1]) && isDigit(bytes[s + 2]) && isDigit(bytes[s + 3]) && bytes[s + 4] === 0x2d
  );
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
export const ENTRY_FIRST_BYTES: Uint8Array = firstBytes('giP!F*OETDWS0123456789 \t\v\f');

/**
 * What a comfyui.log text is, as far as ComfyuiEntryParser is concerned when no block
 * is open: a plain single `other` entry, `got prompt`, `Prompt executed in …`, a
 * progress bar (`  50%|…`), or something else (decoded and parsed in full).
 */
export type TextClass = 'plain' | 'got_prompt' | 'executed' | 'progress' | 'special';

const GOT_PROMPT = Buffer.from('got prompt');
const EXECUTED = Buffer.from('Prompt executed in ');

/** The class of the text bytes[start, end) (see TextClass), read from its bytes. */
export function classifyText(bytes: Buffer, start: number, end: number): TextClass {
  if (start >= end) return 'special';
  const first = bytes[start] ?? 0;
  if (ENTRY_FIRST_BYTES[first] !== 1) return 'plain';
  if (first === 0x67) return end - start === GOT_PROMPT.length && startsWith(bytes, start, end, GOT_PROMPT) ? 'got_prompt' : 'special';
  if (first === 0x50) return startsWith(bytes, start, end, EXECUTED) ? 'executed' : 'special';
  let p = start;
  while (p < end && (bytes[p] === 0x20 || bytes[p] === 0x09 || bytes[p] === 0x0b || bytes[p] === 0x0c)) p++;
  const digits = p;
  while (p < end && p - digits < 4 && isDigit(bytes[p])) p++;
  const n = p - digits;
  return n >= 1 && n <= 3 && bytes[p] === 0x25 && bytes[p + 1] === 0x7c && p + 1 < end ? 'progress' : 'special';
}

/** Texts that ComfyuiEntryParser classifies as each TextClass other than plain and special. */
export const STAND_IN_TEXT = Object.freeze({ got_prompt: 'got prompt', executed: 'Prompt executed in ', progress: '0%|' } as const);

function startsWith(bytes: Buffer, start: number, end: number, prefix: Buffer): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix[i]) return false;
  return true;
}

function firstBytes(chars: string): Uint8Array {
  const table = new Uint8Array(256);
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  for (let b = 0x80; b < 256; b++) table[b] = 1;
  return table;
}
