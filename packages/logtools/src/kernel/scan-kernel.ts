import { LEVEL_RANK, normalizeLevel } from '@logtrace/shared/schema';
import {
  EVENT_TABLE,
  IN_BASE,
  KEY_NAMES,
  KEY_TABLE,
  LEVEL_NAMES,
  LEVEL_TABLE,
  LEVEL_WORDS,
  MAX_EVENTS,
  MAX_LEVEL_TOKENS,
  MAX_NEEDLE_BYTES,
  MAX_NEEDLES,
  NEEDLE_KIND,
  NEEDLE_TABLE,
  OUT_BASE,
  REC_WORDS,
  SCAN_MODE,
} from './kernel-layout.js';
import { SCAN_KERNEL_WASM } from './scan-kernel-wasm.js';

/** Result records that fit between OUT_BASE and IN_BASE. */
const OUT_RECORDS = Math.floor((IN_BASE - OUT_BASE) / (REC_WORDS * 4));

/**
 * Which lines the kernel hands back: all of them, those holding one of `needles` as
 * bytes, or those whose `"level"`/`"levelname"` value is one of `levelTokens` (any
 * case), an integer at or above `minRank` (0 counts as DEBUG's 20), another number,
 * or a string it cannot read without decoding (an escape, over 24 bytes).
 */
export type KernelSelection =
  | { readonly kind: 'all' }
  | { readonly kind: 'needles'; readonly needles: readonly string[] }
  | { readonly kind: 'level'; readonly levelTokens: readonly string[]; readonly minRank: number };

interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  scan(start: number, end: number, mode: number, needles: number, levels: number, minRank: number, maxLine: number, outCap: number): number;
  lines(): number;
  resume(): number;
}

// The WebAssembly global, typed here: the package's lib settings do not include it.
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const wasm = (globalThis as unknown as { readonly WebAssembly: WasmApi }).WebAssembly;

let compiled: object | undefined;

/**
 * The WebAssembly scan kernel (assembly/scan-kernel.ts) of one thread: counts lines,
 * finds candidate lines with a SIMD byte search, validates each candidate as JSON and
 * locates its top-level fields, all without making a string. The host copies file
 * bytes to `bytes[IN_BASE, IN_BASE + IN_BYTES)` and reads result records from `words`.
 */
export class ScanKernel {
  /** The module's whole memory as a Buffer (it never grows, so this view stays valid). */
  readonly bytes: Buffer;
  /** The same memory as 32-bit words, for result records. */
  readonly words: Int32Array;
  /** The same memory as doubles, for the derived times and durations. */
  readonly doubles: Float64Array;
  /** Word index of the first result record. */
  readonly outWord = OUT_BASE / 4;
  private readonly exports: KernelExports;
  private mode: number = SCAN_MODE.all;
  private needleCount = 0;
  private levelCount = 0;
  private minRank = 0;

  constructor() {
    compiled ??= new wasm.Module(Buffer.from(SCAN_KERNEL_WASM, 'base64'));
    this.exports = new wasm.Instance(compiled, {
      env: {
        abort: () => {
          throw new Error('scan kernel aborted');
        },
      },
    }).exports as unknown as KernelExports;
    const buffer = this.exports.memory.buffer;
    this.bytes = Buffer.from(buffer);
    this.words = new Int32Array(buffer);
    this.doubles = new Float64Array(buffer);
    this.writeKeyTable();
    this.writeLevelNames();
  }

  /** The event names whose index the kernel finds for each fast line (at most MAX_EVENTS; more are ignored). */
  setEvents(names: readonly string[]): void {
    this.bytes.fill(0, EVENT_TABLE, EVENT_TABLE + MAX_EVENTS * 32);
    names.slice(0, MAX_EVENTS).forEach((name, i) => {
      const bytes = Buffer.from(name, 'latin1').subarray(0, 31);
      this.bytes[EVENT_TABLE + i * 32] = bytes.length;
      bytes.copy(this.bytes, EVENT_TABLE + i * 32 + 1);
    });
  }

  /** Sets which lines the next scans return. */
  select(selection: KernelSelection): void {
    this.mode = selection.kind === 'all' ? SCAN_MODE.all : SCAN_MODE.needles;
    this.needleCount = 0;
    this.levelCount = 0;
    this.minRank = 0;
    if (selection.kind === 'needles') {
      const needles = [...new Set(selection.needles.map(needleBytes))];
      // An empty needle (or too many) would match every line: scan them all.
      if (needles.some((n) => n.length === 0) || needles.length === 0 || needles.length > MAX_NEEDLES) this.mode = SCAN_MODE.all;
      else needles.forEach((n) => this.addNeedle(n, NEEDLE_KIND.bytes));
    } else if (selection.kind === 'level') {
      this.addNeedle(Buffer.from('"level'), NEEDLE_KIND.level);
      for (const token of selection.levelTokens.slice(0, MAX_LEVEL_TOKENS)) {
        const at = LEVEL_TABLE + this.levelCount++ * 16;
        const bytes = Buffer.from(token.toLowerCase(), 'latin1').subarray(0, 15);
        this.bytes[at] = bytes.length;
        bytes.copy(this.bytes, at + 1);
      }
      this.minRank = selection.minRank;
    }
  }

  /**
   * Scans the whole lines of `bytes[start, end)` (end just past a `\n`); returns the
   * number of records written. Lines over `maxLine` bytes come back as `long`.
   * Check `resume` and call again from there while it is below `end`.
   */
  scan(start: number, end: number, maxLine: number): number {
    return this.exports.scan(start, end, this.mode, this.needleCount, this.levelCount, this.minRank, maxLine, OUT_RECORDS);
  }

  /** Lines the last scan went through. */
  get lines(): number {
    return this.exports.lines();
  }

  /** Where the last scan stopped. */
  get resume(): number {
    return this.exports.resume();
  }

  private addNeedle(bytes: Buffer, kind: number): void {
    const at = NEEDLE_TABLE + this.needleCount++ * 64;
    const [a, b] = anchors(bytes);
    this.bytes[at] = bytes.length;
    this.bytes[at + 1] = a;
    this.bytes[at + 2] = b;
    this.bytes[at + 3] = kind;
    bytes.copy(this.bytes, at + 4);
  }

  /** Every spelling normalizeLevel accepts, lower case, with its rank, for the kernel's level reading. */
  private writeLevelNames(): void {
    this.bytes.fill(0, LEVEL_NAMES, LEVEL_NAMES + LEVEL_WORDS.length * 16);
    LEVEL_WORDS.forEach((word, i) => {
      const level = normalizeLevel(word);
      if (level === undefined) throw new Error(`normalizeLevel no longer reads "${word}"`);
      const at = LEVEL_NAMES + i * 16;
      this.bytes[at] = word.length;
      this.bytes[at + 1] = LEVEL_RANK[level];
      this.bytes.write(word, at + 2, 'latin1');
    });
  }

  private writeKeyTable(): void {
    this.bytes.fill(0, KEY_TABLE, KEY_TABLE + 256 * 32);
    KEY_NAMES.forEach((key, slot) => {
      const bytes = Buffer.from(key, 'latin1');
      let h = (bytes.length * 7 + (bytes[0] ?? 0) * 31 + (bytes[bytes.length - 1] ?? 0) * 13) & 255;
      while (this.bytes[KEY_TABLE + h * 32] !== 0) h = (h + 1) & 255;
      const at = KEY_TABLE + h * 32;
      this.bytes[at] = bytes.length;
      this.bytes[at + 1] = slot;
      bytes.copy(this.bytes, at + 2);
    });
  }
}

/** A needle's bytes: up to its first newline (lines never hold one), at most MAX_NEEDLE_BYTES (a prefix finds a superset). */
function needleBytes(needle: string): Buffer {
  const text = needle.split('\n')[0] ?? '';
  let bytes = Buffer.from(text, 'utf8');
  if (bytes.length > MAX_NEEDLE_BYTES) bytes = bytes.subarray(0, MAX_NEEDLE_BYTES);
  return bytes;
}

// Bytes of JSON log text, most frequent first (rough ranks: quotes, digits and common
// letters are everywhere; upper case and rare letters make selective anchors).
const COMMON = '"e:,t0a1i2_-or3n4s5c6l7d8u9mp.g TfhvyIkNbw}{OFRSEqxDz';

/**
 * Two byte positions of a needle for the SIMD filter to compare first: the rarest byte
 * of its first half and the rarest of its second half. Far-apart anchors keep needles
 * that share a common stem (`comfyui_prompt_sent`, `comfyui_polling`) apart.
 */
function anchors(bytes: Buffer): [number, number] {
  const rank = (c: number | undefined) => {
    const i = c === undefined ? -1 : COMMON.indexOf(String.fromCharCode(c));
    return i === -1 ? 1000 : i;
  };
  const rarest = (from: number, to: number) => {
    let best = from;
    for (let i = from; i < to; i++) if (rank(bytes[i]) > rank(bytes[best])) best = i;
    return best;
  };
  if (bytes.length < 2) return [0, 0];
  const half = bytes.length >> 1;
  return [rarest(0, half), rarest(half, bytes.length)];
}
