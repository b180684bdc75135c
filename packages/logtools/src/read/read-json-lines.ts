import { readSync } from 'node:fs';
import type { NormalizedRecord, TimeZone } from '@logtrace/shared/schema';
import { decodeJsonLine } from './decode-json-line.js';
import { decodeGluedLine } from './decode-glued-line.js';
import { FastLine } from '../kernel/fast-line.js';
import type { FileStats } from './file-stats.js';
import { MAX_LINE_BYTES } from './line-blocker.js';
import type { InputFile } from './list-inputs.js';
import type { Wrapper } from './unwrap-line.js';
import { WrappedLines } from './wrapped-lines.js';
import { checkNotShrunk, describeReadError, FileShrankError, inflateFile, openForRead } from './read-chunks.js';
import { IN_BASE, IN_BYTES, LINE_STATUS, REC_WORDS } from '../kernel/kernel-layout.js';
import type { KernelSelection, ScanKernel } from '../kernel/scan-kernel.js';

/** Bytes read at a time from a plain file. */
export const READ_BYTES = 4 * 1024 * 1024;

/** Receives the lines of a JSON-lines file that the selection picks and that hold a record. */
export interface JsonLineSink {
  /** Event names whose index `line.eventIndex()` gives (at most 8). */
  readonly events?: readonly string[];
  /**
   * A line the kernel parsed, whose time and level are valid (`line.time()` and
   * `line.level()` are defined): read the fields it needs from `line`.
   */
  fast(line: FastLine, lineNo: number): void;
  /**
   * A line that needed JSON.parse, decoded into a record; `raw` is the line's bytes (valid
   * during the call). A glued line (`{…}{…}`) gives one call per object, in line order,
   * `part` counting them from 0 (0 for every other line); `raw` is then the object's bytes.
   */
  record(record: NormalizedRecord, lineNo: number, raw: Buffer, part: number): void;
}

/** Part of a file to read: whole lines (`start` is 0 or just past a `\n`; so is `end` unless it is the file's end). */
export interface ByteRange {
  readonly start: number;
  /** Exclusive; Infinity for the whole file. */
  readonly end: number;
}

/** The whole file. */
export const WHOLE_FILE: ByteRange = Object.freeze({ start: 0, end: Infinity });

/** How readJsonLines reads. */
export interface ReadJsonOptions {
  readonly selection: KernelSelection;
  /** Service for lines that name none. */
  readonly service: string;
  /** Read size for plain files (tests use small ones). */
  readonly readBytes?: number;
  /** How a runtime wrapped each line, when it did: the lines are then unwrapped and decoded one by one, not by the kernel. */
  readonly wrapper?: Wrapper | undefined;
  /** Zone of times written without one (default UTC). */
  readonly timeZone?: TimeZone | undefined;
}

/**
 * Streams a JSON-lines file (or a byte range of a plain one) through the scan kernel:
 * counts every line, hands each selected line that holds a record to `sink` (parsed
 * by the kernel when it can vouch for it, else by decodeJsonLine), and counts the
 * selected lines it could not use in `stats`, by reason. Line numbers are 1-based
 * from the range's start. Lines over MAX_LINE_BYTES (leading NULs not counted) are
 * skipped as `oversized`; a NUL run at the start of a line (what copytruncate leaves)
 * is kept as one NUL. A read error ends the range and is kept in `stats.error`.
 * Memory: the kernel's fixed buffers.
 */
export async function readJsonLines(
  kernel: ScanKernel,
  file: InputFile,
  range: ByteRange,
  options: ReadJsonOptions,
  stats: FileStats,
  sink: JsonLineSink,
): Promise<void> {
  const reader = new LineFeeder(kernel, range.start === 0, options, stats, sink);
  try {
    if (file.gz) {
      for await (const chunk of inflateFile(file)) reader.push(chunk);
    } else {
      readPlain(file, range, options.readBytes ?? READ_BYTES, reader);
    }
  } catch (error) {
    stats.error = describeReadError(error);
  }
  reader.end();
}

function readPlain(file: InputFile, range: ByteRange, readBytes: number, reader: LineFeeder): void {
  const { fd, size, close } = openForRead(file);
  try {
    // Up to the size the file had when listed: lines appended meanwhile are for the next run.
    const end = Math.min(range.end, size);
    let position = range.start;
    while (position < end) {
      const room = Math.min(readBytes, end - position, reader.room);
      const n = readSync(fd, reader.bytes, reader.fillAt, room, position);
      if (n === 0) throw new FileShrankError(position, end);
      position += n;
      reader.filled(n);
    }
    checkNotShrunk(fd, end);
  } finally {
    close();
  }
}

/**
 * Keeps the unfinished last line at the start of the kernel's input area, appends new
 * bytes after it, and runs the kernel over the whole lines.
 */
class LineFeeder {
  readonly bytes: Buffer;
  private carry = 0;
  private discarding = false;
  private lineBase = 0;
  private readonly line: FastLine;
  private readonly wrapped: WrappedLines | undefined;

  constructor(
    private readonly kernel: ScanKernel,
    private readonly fileStart: boolean,
    private readonly options: ReadJsonOptions,
    private readonly stats: FileStats,
    private readonly sink: JsonLineSink,
  ) {
    this.bytes = kernel.bytes;
    this.line = new FastLine(kernel, options.timeZone);
    this.wrapped =
      options.wrapper === undefined ? undefined : new WrappedLines(options.wrapper, options.service, stats, sink, options.timeZone);
    kernel.select(options.selection);
    kernel.setEvents(sink.events ?? []);
  }

  /** Offset where the next bytes go. */
  get fillAt(): number {
    return IN_BASE + this.carry;
  }

  /** How many bytes fit after the unfinished line. */
  get room(): number {
    return IN_BYTES - this.carry;
  }

  /** Takes bytes from a stream, in pieces that fit. */
  push(chunk: Buffer): void {
    for (let at = 0; at < chunk.length;) {
      const n = Math.min(this.room, chunk.length - at);
      chunk.copy(this.bytes, this.fillAt, at, at + n);
      at += n;
      this.filled(n);
    }
  }

  /** `n` new bytes were written at fillAt. */
  filled(n: number): void {
    const end = IN_BASE + this.carry + n;
    let from = IN_BASE;
    if (this.discarding) {
      const nl = this.bytes.indexOf(0x0a, from);
      if (nl === -1 || nl >= end) {
        this.carry = 0;
        return;
      }
      this.discarding = false;
      from = nl + 1;
    }
    const last = this.bytes.lastIndexOf(0x0a, end - 1);
    if (last >= from) {
      this.scan(from, last + 1, false);
      from = last + 1;
    }
    this.keep(from, end);
  }

  /** Ends the input: the unfinished last line, if any, is the file's last line. */
  end(): void {
    if (this.carry > 0 && !this.discarding) {
      this.bytes[IN_BASE + this.carry] = 0x0a;
      this.scan(IN_BASE, IN_BASE + this.carry + 1, true);
    }
    this.carry = 0;
    this.wrapped?.end();
    this.stats.lines = this.lineBase;
  }

  /** Moves the unfinished line [from, end) to the start of the input area (a NUL run at its start shrunk to one NUL). */
  private keep(from: number, end: number): void {
    let s = from;
    if (s < end && this.bytes[s] === 0) {
      while (s < end && this.bytes[s] === 0) s++;
      s--;
    }
    if (contentLength(this.bytes, s, end) > MAX_LINE_BYTES) {
      this.lineBase++;
      this.stats.skip('oversized', this.lineBase, this.bytes, s, Math.min(end, s + 160));
      this.discarding = true;
      this.carry = 0;
      return;
    }
    this.bytes.copyWithin(IN_BASE, s, end);
    this.carry = end - s;
  }

  private scan(start: number, end: number, tail: boolean): void {
    if (this.wrapped !== undefined) {
      this.scanWrapped(this.wrapped, start, end, tail);
      return;
    }
    const kernel = this.kernel;
    const words = kernel.words;
    for (let from = start; from < end;) {
      const count = kernel.scan(from, end, MAX_LINE_BYTES);
      for (let i = 0; i < count; i++) {
        const rec = kernel.outWord + i * REC_WORDS;
        const lineNo = this.lineBase + (words[rec + 2] ?? 0);
        const status = words[rec + 3];
        const s = words[rec] ?? 0;
        const e = words[rec + 1] ?? 0;
        if (status === LINE_STATUS.fast) {
          this.line.at(rec);
          if (this.line.time() !== undefined && this.line.level() !== undefined) {
            this.sink.fast(this.line, lineNo);
            continue;
          }
        } else if (status === LINE_STATUS.long && contentLength(this.bytes, s, e) > MAX_LINE_BYTES) {
          this.stats.skip('oversized', lineNo, this.bytes, s, s + 160);
          continue;
        }
        this.decode(s, e, lineNo, tail);
      }
      this.lineBase += kernel.lines;
      from = kernel.resume;
    }
  }

  /** The whole lines of [start, end), each unwrapped and decoded (no kernel: the producer's JSON is inside a string or behind a prefix). */
  private scanWrapped(wrapped: WrappedLines, start: number, end: number, tail: boolean): void {
    for (let s = start; s < end;) {
      const nl = this.bytes.indexOf(0x0a, s);
      const e = nl === -1 || nl >= end ? end : nl;
      this.lineBase++;
      wrapped.line(this.bytes, s, e, this.lineBase, tail && e + 1 >= end);
      s = e + 1;
    }
  }

  private decode(s: number, e: number, lineNo: number, tail: boolean): void {
    const context = { service: this.options.service, first: this.fileStart && lineNo === 1, tail, timeZone: this.options.timeZone };
    const decoded = decodeJsonLine(this.bytes, s, e, context);
    if (decoded.ok) {
      this.sink.record(decoded.record, lineNo, this.bytes.subarray(s, e), 0);
      return;
    }
    const parts =
      decoded.reason === 'invalid_json' || decoded.reason === 'truncated' ? decodeGluedLine(this.bytes, s, e, context) : undefined;
    if (parts === undefined) {
      this.stats.skip(decoded.reason, lineNo, this.bytes, s, e);
      return;
    }
    this.stats.glued++;
    parts.forEach((p, part) => {
      if (p.decoded.ok) this.sink.record(p.decoded.record, lineNo, this.bytes.subarray(p.start, p.end), part);
      else this.stats.skip(p.decoded.reason, lineNo, this.bytes, p.start, p.end);
    });
  }
}

/** Length of bytes[start, end) without its leading NUL bytes. */
function contentLength(bytes: Buffer, start: number, end: number): number {
  let s = start;
  while (s < end && bytes[s] === 0) s++;
  return end - s;
}
