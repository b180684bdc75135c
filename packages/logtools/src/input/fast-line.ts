import { normalizeLevel, parseTime, type Level } from '@logtrace/shared/schema';
import { SLOT, VALUE_TYPE, type KeyName, type ScanKernel } from './scan-kernel.js';

/**
 * Read access to one line the scan kernel parsed (valid JSON, ASCII only, top-level
 * keys located): each getter gives what normalizeRecord would give for that field,
 * reading only the bytes of that value. Reused from line to line: valid until the
 * next line.
 */
export class FastLine {
  /** Word index of the current result record. */
  rec = 0;
  private readonly bytes: Buffer;
  private readonly words: Int32Array;

  constructor(kernel: ScanKernel) {
    this.bytes = kernel.bytes;
    this.words = kernel.words;
  }

  /** Offset of the line's first byte in the kernel's memory. */
  get start(): number {
    return this.words[this.rec] ?? 0;
  }

  /** Offset just past the line's last byte (its `\n` not included). */
  get end(): number {
    return this.words[this.rec + 1] ?? 0;
  }

  /** Type of a key's value (VALUE_TYPE), absent when the line has no such key. */
  type(key: KeyName): number {
    const at = this.rec + 4 + 2 * SLOT[key];
    return (this.words[at] ?? -1) < 0 ? VALUE_TYPE.absent : (this.words[at + 1] ?? 0) >>> 28;
  }

  /** A string value (undefined for a missing key or another type). */
  str(key: KeyName): string | undefined {
    const at = this.rec + 4 + 2 * SLOT[key];
    const s = this.words[at] ?? -1;
    if (s < 0) return undefined;
    const word = this.words[at + 1] ?? 0;
    const type = word >>> 28;
    const e = word & 0x0fffffff;
    if (type === VALUE_TYPE.string) return latin1(this.bytes, s + 1, e - 1);
    if (type === VALUE_TYPE.escapedString) return JSON.parse(latin1(this.bytes, s, e)) as string;
    return undefined;
  }

  /** A finite number value (undefined for a missing key, another type or an overflow). */
  num(key: KeyName): number | undefined {
    const at = this.rec + 4 + 2 * SLOT[key];
    const s = this.words[at] ?? -1;
    if (s < 0) return undefined;
    const word = this.words[at + 1] ?? 0;
    if (word >>> 28 !== VALUE_TYPE.number) return undefined;
    const e = word & 0x0fffffff;
    if (e - s <= 15) {
      let value = 0;
      let p = s;
      for (; p < e; p++) {
        const c = this.bytes[p] ?? 0;
        if (c < 0x30 || c > 0x39) break;
        value = value * 10 + c - 0x30;
      }
      if (p === e) return value;
    }
    const value = Number(latin1(this.bytes, s, e));
    return Number.isFinite(value) ? value : undefined;
  }

  /** The record's time in epoch ms, as normalizeRecord reads `time` (else `timestamp`); undefined when invalid. */
  time(): number | undefined {
    const key: KeyName = isNullish(this.type('time')) ? 'timestamp' : 'time';
    switch (this.type(key)) {
      case VALUE_TYPE.string: {
        const at = this.rec + 4 + 2 * SLOT[key];
        return isoTime(this.bytes, this.words[at] ?? 0, (this.words[at + 1] ?? 0) & 0x0fffffff);
      }
      case VALUE_TYPE.escapedString:
        return parseTime(this.str(key));
      case VALUE_TYPE.number:
        return parseTime(this.num(key));
      default:
        return undefined;
    }
  }

  /** The record's level, as normalizeRecord reads `level` (else `levelname`); undefined when invalid. */
  level(): Level | undefined {
    const key: KeyName = isNullish(this.type('level')) ? 'levelname' : 'level';
    const type = this.type(key);
    if (type === VALUE_TYPE.number) return normalizeLevel(this.num(key));
    return type === VALUE_TYPE.string || type === VALUE_TYPE.escapedString ? normalizeLevel(this.str(key)) : undefined;
  }

  /** The service: `service`, else pino's `name`, else the file's. */
  service(fallback: string): string {
    return this.str('service') ?? this.str('name') ?? fallback;
  }

  /** `msg`, else `message`, else the empty string. */
  msg(): string {
    return this.str('msg') ?? this.str('message') ?? '';
  }

  /** The `error` field's text: a string, or pino's serialized error's `message`. */
  error(): string | undefined {
    const type = this.type('error');
    if (type === VALUE_TYPE.string || type === VALUE_TYPE.escapedString) return this.str('error');
    if (type !== VALUE_TYPE.object) return undefined;
    const at = this.rec + 4 + 2 * SLOT.error;
    const value = JSON.parse(latin1(this.bytes, this.words[at] ?? 0, (this.words[at + 1] ?? 0) & 0x0fffffff)) as Record<string, unknown>;
    return typeof value['message'] === 'string' ? value['message'] : undefined;
  }
}

/** Text of bytes[s, e) read as Latin-1 (the kernel passes ASCII only): Buffer's fastest decoder. */
export function latin1(bytes: Buffer, s: number, e: number): string {
  return (bytes as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(s, e);
}

function isNullish(type: number): boolean {
  return type === VALUE_TYPE.absent || type === VALUE_TYPE.null;
}

let cachedDay = -1;
let cachedDayMs = 0;

/**
 * parseTime for the quoted string at bytes[s, e), read from the bytes when it has the
 * common shapes (`2026-11-28T05:03:21.123Z`, Python's zone-less microseconds), with
 * the day's start cached; any other form goes to parseTime itself. Date.UTC is linear
 * in hours, minutes, seconds and ms, so the sum equals parseTime's result exactly.
 */
function isoTime(bytes: Buffer, s: number, e: number): number | undefined {
  const p = s + 1;
  const end = e - 1;
  const len = end - p;
  const d = (i: number) => (bytes[p + i] ?? 0) - 0x30;
  const two = (i: number) => {
    const a = d(i);
    const b = d(i + 1);
    return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
  };
  const sep = bytes[p + 10];
  if (
    len < 19 ||
    bytes[p + 4] !== 0x2d ||
    bytes[p + 7] !== 0x2d ||
    (sep !== 0x54 && sep !== 0x20) ||
    bytes[p + 13] !== 0x3a ||
    bytes[p + 16] !== 0x3a
  ) {
    return parseTime(latin1(bytes, p, end));
  }
  const y1 = two(0);
  const y2 = two(2);
  const mo = two(5);
  const day = two(8);
  const h = two(11);
  const mi = two(14);
  const sec = two(17);
  if (y1 < 0 || y2 < 0 || mo < 0 || day < 0 || h < 0 || mi < 0 || sec < 0) return parseTime(latin1(bytes, p, end));
  let q = 19;
  let ms = 0;
  const c = bytes[p + q];
  if (q < len && (c === 0x2e || c === 0x2c)) {
    q++;
    let digits = 0;
    while (q < len && d(q) >= 0 && d(q) <= 9) {
      if (digits < 3) ms = ms * 10 + d(q);
      digits++;
      q++;
    }
    if (digits === 0 || digits > 9) return parseTime(latin1(bytes, p, end));
    for (let k = digits; k < 3; k++) ms *= 10;
  }
  if (q < len && (bytes[p + q] === 0x5a || bytes[p + q] === 0x7a)) q++;
  if (q !== len) return parseTime(latin1(bytes, p, end));
  const dayKey = ((y1 * 100 + y2) * 100 + mo) * 100 + day;
  if (dayKey !== cachedDay) {
    const base = Date.UTC(y1 * 100 + y2, mo - 1, day);
    if (!Number.isFinite(base)) return undefined;
    cachedDay = dayKey;
    cachedDayMs = base;
  }
  return cachedDayMs + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms;
}
