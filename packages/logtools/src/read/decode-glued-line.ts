import { decodeJsonLine, type DecodedLine, type LineContext } from './decode-json-line.js';

/** One object of a glued line: its bytes `[start, end)` in the buffer, and what it decoded to. */
export interface GluedPart {
  readonly start: number;
  readonly end: number;
  readonly decoded: DecodedLine;
}

const OPEN = 0x7b;
const CLOSE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Reads a line that JSON.parse refused as JSON objects written back to back (a lost
 * newline: `{…}{…}`, with or without blanks between, any number of them), as jq would:
 * each complete object is decoded as a line of its own (decodeJsonLine), and an
 * unfinished last object is `truncated` on the file's unterminated last line, else
 * `invalid_json`. Undefined when the line is not that: anything but blanks between or
 * after the objects, a single object, or no object JSON.parse accepts (then the line
 * stays one `invalid_json`). Runs only on lines that failed to decode, so a normal line
 * costs nothing. `buf[start, end)` is the line as decodeJsonLine takes it.
 */
export function decodeGluedLine(buf: Buffer, start: number, end: number, context: LineContext): GluedPart[] | undefined {
  let e = end;
  if (e > start && buf[e - 1] === 0x0a) e--;
  if (e > start && buf[e - 1] === 0x0d) e--;
  let p = start;
  while (p < e && buf[p] === 0) p++;
  if (context.first && buf[p] === 0xef && buf[p + 1] === 0xbb && buf[p + 2] === 0xbf) p += 3;
  p = skipBlanks(buf, p, e);
  const spans: [number, number][] = [];
  let unfinished: number | undefined;
  while (p < e) {
    if (buf[p] !== OPEN) return undefined;
    const close = objectEnd(buf, p, e);
    if (close === undefined) {
      unfinished = p;
      break;
    }
    spans.push([p, close]);
    p = skipBlanks(buf, close, e);
  }
  if (spans.length + (unfinished === undefined ? 0 : 1) < 2) return undefined;
  const parts: GluedPart[] = spans.map(([s, pe], i) => ({
    start: s,
    end: pe,
    // The first object keeps the line's start, so its BOM or NUL run is stripped as on any line.
    decoded: decodeJsonLine(buf, i === 0 ? start : s, pe, { service: context.service, first: context.first && i === 0, tail: false }),
  }));
  if (!parts.some((part) => part.decoded.ok || part.decoded.reason !== 'invalid_json')) return undefined;
  if (unfinished !== undefined)
    parts.push({ start: unfinished, end: e, decoded: { ok: false, reason: context.tail ? 'truncated' : 'invalid_json' } });
  return parts;
}

/** JSON's blanks: space, tab, CR, LF. */
function skipBlanks(buf: Buffer, from: number, end: number): number {
  let p = from;
  while (p < end) {
    const c = buf[p];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
    p++;
  }
  return p;
}

/**
 * Position just past the `}` that closes the object opening at `from` (braces counted
 * outside strings; a UTF-8 sequence never holds these ASCII bytes), or undefined when
 * the line ends first. Whether the object is valid JSON is JSON.parse's to say.
 */
function objectEnd(buf: Buffer, from: number, end: number): number | undefined {
  let depth = 0;
  for (let p = from; p < end; p++) {
    const c = buf[p];
    if (c === QUOTE) {
      for (p++; p < end && buf[p] !== QUOTE; p++) if (buf[p] === BACKSLASH) p++;
      if (p >= end) return undefined;
    } else if (c === OPEN) {
      depth++;
    } else if (c === CLOSE) {
      depth--;
      if (depth === 0) return p + 1;
    }
  }
  return undefined;
}
