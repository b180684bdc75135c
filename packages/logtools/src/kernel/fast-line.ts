import {
  isEventName,
  LEVEL_RANK,
  LEVELS,
  normalizeLevel,
  parseTime,
  RECORD_KEY_ALIASES,
  UTC_ZONE,
  type Level,
  type TimeZone,
} from '@logtrace/shared/schema';
import { latin1 } from '../read/latin1.js';
import { parseIsoBytes } from '../read/parse-iso-bytes.js';
import { validTime } from '../read/valid-time.js';
import { DERIVED_WORD, SLOT, VALUE_TYPE, type KeyName } from './kernel-layout.js';
import type { ScanKernel } from './scan-kernel.js';

/**
 * Read access to one line the scan kernel parsed (valid JSON, ASCII only, top-level
 * keys located): each getter gives what normalizeRecord would give for that field,
 * reading only the bytes of that value. Reused from line to line: valid until the
 * next line.
 */
export class FastLine {
  /** Word index of the current result record. */
  private rec = 0;
  private cachedTime: number | undefined;
  private timeRead = false;
  private errorRead = false;
  private cachedError: Record<string, unknown> | undefined;
  private readonly bytes: Buffer;
  private readonly words: Int32Array;
  private readonly doubles: Float64Array;

  /** Zone of times written without one; undefined for UTC_ZONE, which is what the kernel derives. */
  private readonly zone: TimeZone | undefined;

  constructor(kernel: ScanKernel, zone?: TimeZone) {
    // Not zone.utc: for this machine's zone that reads its zone data, needed only once a time without a zone is read.
    this.zone = zone === UTC_ZONE ? undefined : zone;
    this.bytes = kernel.bytes;
    this.words = kernel.words;
    this.doubles = kernel.doubles;
  }

  /** Moves to the result record at word index `rec`. */
  at(rec: number): this {
    this.rec = rec;
    this.timeRead = false;
    this.errorRead = false;
    return this;
  }

  /** Offset of the line's first byte in the kernel's memory. */
  get start(): number {
    return this.words[this.rec] ?? 0;
  }

  /** Offset just past the line's last byte (its `\n` not included). */
  get end(): number {
    return this.words[this.rec + 1] ?? 0;
  }

  /** A copy of the line's bytes. */
  copyBytes(): Uint8Array {
    return new Uint8Array(this.bytes.subarray(this.start, this.end));
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

  /** True when the string value of `key` starts with `prefix` (compared on the bytes, no string made). */
  startsWith(key: KeyName, prefix: string): boolean {
    const at = this.rec + 4 + 2 * SLOT[key];
    const s = (this.words[at] ?? -1) + 1;
    const word = this.words[at + 1] ?? 0;
    if (s <= 0) return false;
    const type = word >>> 28;
    if (type === VALUE_TYPE.escapedString) return this.str(key)?.startsWith(prefix) === true;
    if (type !== VALUE_TYPE.string || (word & 0x0fffffff) - 1 - s < prefix.length) return false;
    for (let i = 0; i < prefix.length; i++) if (prefix.charCodeAt(i) !== this.bytes[s + i]) return false;
    return true;
  }

  /** hashId of the string value of `key` (read from its bytes), or undefined when it is not a string. */
  hashOf(key: KeyName, hash: (text: string) => number): number | undefined {
    const at = this.rec + 4 + 2 * SLOT[key];
    const s = (this.words[at] ?? -1) + 1;
    const word = this.words[at + 1] ?? 0;
    if (s <= 0) return undefined;
    const type = word >>> 28;
    if (type === VALUE_TYPE.string) return hashBytes(this.bytes, s, (word & 0x0fffffff) - 1);
    return type === VALUE_TYPE.escapedString ? hash(this.str(key) ?? '') : undefined;
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

  /** The record's time in epoch ms, as normalizeRecord reads `time` (else `timestamp`); undefined when invalid or beyond a Date's range. */
  time(): number | undefined {
    if (!this.timeRead) {
      const derived = this.doubles[(this.rec + DERIVED_WORD + 2) >> 1] ?? Number.NaN;
      if (Number.isNaN(derived)) this.cachedTime = validTime(this.readTime());
      else if (derived === -Infinity) this.cachedTime = undefined;
      // The kernel reads a zone-less time as UTC; only such lines pay for the zone.
      else this.cachedTime = this.zone !== undefined && this.zonelessTime() ? validTime(this.zone.fromWallClock(derived)) : derived;
      this.timeRead = true;
    }
    return this.cachedTime;
  }

  /** Index of the line's `event` in the names given to ScanKernel.setEvents, or -1. */
  eventIndex(): number {
    return this.words[this.rec + DERIVED_WORD] ?? -1;
  }

  /** `duration_ms` when it is a finite number (asNumber), else undefined. */
  duration(): number | undefined {
    const derived = this.doubles[(this.rec + DERIVED_WORD + 4) >> 1] ?? Number.NaN;
    if (Number.isNaN(derived)) return this.num('duration_ms');
    return derived === -Infinity ? undefined : derived;
  }

  /**
   * The string value of `key` when it is one of `choices` (the very string of the
   * list, so nothing is allocated), else undefined.
   */
  oneOf<T extends string>(key: KeyName, choices: readonly T[]): T | undefined {
    const at = this.rec + 4 + 2 * SLOT[key];
    const s = (this.words[at] ?? -1) + 1;
    const word = this.words[at + 1] ?? 0;
    if (s <= 0 || word >>> 28 !== VALUE_TYPE.string) return undefined;
    const len = (word & 0x0fffffff) - 1 - s;
    for (const choice of choices) {
      if (choice.length !== len) continue;
      let i = 0;
      while (i < len && choice.charCodeAt(i) === this.bytes[s + i]) i++;
      if (i === len) return choice;
    }
    return undefined;
  }

  /** True when the time the kernel derived is a string with no `Z` (the kernel derives no other zone). */
  private zonelessTime(): boolean {
    const key: KeyName = isNullish(this.type('time')) ? 'timestamp' : 'time';
    if (this.type(key) !== VALUE_TYPE.string) return false;
    const last = this.bytes[((this.words[this.rec + 5 + 2 * SLOT[key]] ?? 0) & 0x0fffffff) - 2];
    return last !== 0x5a && last !== 0x7a;
  }

  private readTime(): number | undefined {
    const key: KeyName = isNullish(this.type('time')) ? 'timestamp' : 'time';
    switch (this.type(key)) {
      case VALUE_TYPE.string: {
        const at = this.rec + 4 + 2 * SLOT[key];
        return parseIsoBytes(this.bytes, (this.words[at] ?? 0) + 1, ((this.words[at + 1] ?? 0) & 0x0fffffff) - 1, this.zone);
      }
      case VALUE_TYPE.escapedString:
        return parseTime(this.str(key), this.zone);
      case VALUE_TYPE.number:
        return parseTime(this.num(key));
      default:
        return undefined;
    }
  }

  /** The record's level, as normalizeRecord reads `level` (else `levelname`); undefined when invalid. */
  level(): Level | undefined {
    const rank = this.words[this.rec + DERIVED_WORD + 1] ?? -2;
    if (rank !== -2) return rank === -1 ? undefined : LEVEL_OF_RANK[rank];
    const key: KeyName = isNullish(this.type('level')) ? 'levelname' : 'level';
    const type = this.type(key);
    if (type === VALUE_TYPE.string) {
      const named = this.oneOf(key, LEVELS);
      if (named !== undefined) return named;
    }
    if (type === VALUE_TYPE.number) return normalizeLevel(this.num(key));
    return type === VALUE_TYPE.string || type === VALUE_TYPE.escapedString ? normalizeLevel(this.str(key)) : undefined;
  }

  /** The service: `service`, else the logger's `name` (pino, Python) or `logger`, else the file's. */
  service(fallback: string): string {
    return this.str('service') ?? this.str('name') ?? this.str('logger') ?? fallback;
  }

  /** The machine, as recordHost reads it: `hostname`, else `host` (non-empty strings), else `fallback`. */
  host(fallback: string | undefined): string | undefined {
    const hostname = this.str('hostname');
    if (hostname !== undefined && hostname !== '') return hostname;
    const host = this.str('host');
    return host !== undefined && host !== '' ? host : fallback;
  }

  /** `msg`, else `message`, else an `event` that names no catalog event (structlog's message), else the empty string. */
  msg(): string {
    const msg = this.str('msg') ?? this.str('message');
    if (msg !== undefined) return msg;
    const event = this.str('event');
    return event !== undefined && !isEventName(event) ? event : '';
  }

  /** The error's text: `error` (else pino's `err`) as a string, or its `message` when an object. */
  error(): string | undefined {
    const key = this.errorKey();
    const type = this.type(key);
    if (type === VALUE_TYPE.string || type === VALUE_TYPE.escapedString) return this.str(key);
    return asString(this.errorObject(key)?.['message']);
  }

  /** The error's class: `error_type`, else the error object's `type`. */
  errorType(): string | undefined {
    return this.str('error_type') ?? asString(this.errorObject(this.errorKey())?.['type']);
  }

  /** A stack trace or traceback: the error object's `stack`, else the first of `stack`, `exc_info`, `exception` that is set, when a string. */
  stack(): string | undefined {
    const fromObject = asString(this.errorObject(this.errorKey())?.['stack']);
    if (fromObject !== undefined) return fromObject;
    const key = STACK_KEYS.find((k) => !isNullish(this.type(k)));
    return key === undefined ? undefined : this.str(key);
  }

  /** Where the error is: `error`, or pino's `err` when `error` is missing or null. */
  private errorKey(): KeyName {
    return isNullish(this.type('error')) ? 'err' : 'error';
  }

  /** The error field as an object (parsed from its bytes once per line), or undefined when it is none. */
  private errorObject(key: KeyName): Record<string, unknown> | undefined {
    if (!this.errorRead) {
      this.errorRead = true;
      const at = this.rec + 4 + 2 * SLOT[key];
      this.cachedError =
        this.type(key) === VALUE_TYPE.object
          ? (JSON.parse(latin1(this.bytes, this.words[at] ?? 0, (this.words[at + 1] ?? 0) & 0x0fffffff)) as Record<string, unknown>)
          : undefined;
    }
    return this.cachedError;
  }
}

const STACK_KEYS: readonly KeyName[] = RECORD_KEY_ALIASES.stack;

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const LEVEL_OF_RANK: Readonly<Record<number, Level>> = Object.fromEntries(LEVELS.map((l) => [LEVEL_RANK[l], l]));

/** hashId (comfyui/post-attempt-list.ts) of ASCII text bytes[s, e): the same two FNV-1a variants over the bytes. */
function hashBytes(bytes: Buffer, s: number, e: number): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = s; i < e; i++) {
    const c = bytes[i] ?? 0;
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return a * 0x200000 + (b & 0x1fffff);
}

function isNullish(type: number): boolean {
  return type === VALUE_TYPE.absent || type === VALUE_TYPE.null;
}
