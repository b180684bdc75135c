import { isUtf8 } from 'node:buffer';
import { normalizeRecord, type NormalizedRecord, type TimeZone } from '@logtrace/shared/schema';
import { validTime } from './valid-time.js';

/** Why a line of a JSON-lines file was skipped. */
export type SkipReason =
  'blank' | 'nul_padding' | 'invalid_utf8' | 'invalid_json' | 'truncated' | 'not_object' | 'no_time' | 'no_level' | 'oversized';

/** Result of decodeJsonLine. */
export type DecodedLine = { readonly ok: true; readonly record: NormalizedRecord } | { readonly ok: false; readonly reason: SkipReason };

/** Where a line sits in its file, as decodeJsonLine needs it. */
export interface LineContext {
  /** Service to assume when the line names none (from the file name). */
  readonly service: string;
  /** The line is the file's first: a UTF-8 BOM is stripped. */
  readonly first: boolean;
  /** The line is the file's unterminated last line: a parse failure is `truncated`. */
  readonly tail: boolean;
  /** Zone of a time written without one (default UTC). */
  readonly timeZone?: TimeZone | undefined;
}

const BOM = [0xef, 0xbb, 0xbf] as const;

/**
 * Reads one JSON-lines line, `buf[start, end)` (a trailing `\n` is allowed), into a
 * NormalizedRecord. Strips one trailing `\r` (CRLF), leading NUL bytes (copytruncate)
 * and a BOM on the first line; rejects invalid UTF-8 instead of guessing; never
 * throws. The JSON is parsed with JSON.parse and read by the shared normalizeRecord,
 * so every producer of docs/log-format.md "Other producers" is understood; a time a Date cannot hold is `no_time`.
 */
export function decodeJsonLine(buf: Buffer, start: number, end: number, context: LineContext): DecodedLine {
  let e = end;
  if (e > start && buf[e - 1] === 0x0a) e--;
  if (e > start && buf[e - 1] === 0x0d) e--;
  let s = start;
  while (s < e && buf[s] === 0) s++;
  const hadNul = s > start;
  if (context.first && buf[s] === BOM[0] && buf[s + 1] === BOM[1] && buf[s + 2] === BOM[2]) s += 3;
  if (isBlank(buf, s, e)) return { ok: false, reason: hadNul && s === e ? 'nul_padding' : 'blank' };
  const text = buf.toString('utf8', s, e);
  // Decoding replaces invalid UTF-8 with U+FFFD; only then is the exact check needed.
  if (text.includes('\ufffd') && !isUtf8(buf.subarray(s, e))) return { ok: false, reason: 'invalid_utf8' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: context.tail ? 'truncated' : 'invalid_json' };
  }
  const result = normalizeRecord(value, { defaultService: context.service, timeZone: context.timeZone });
  if (!result.ok) return { ok: false, reason: result.problem };
  return validTime(result.record.time) === undefined ? { ok: false, reason: 'no_time' } : result;
}

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x00) return false;
  }
  return true;
}
