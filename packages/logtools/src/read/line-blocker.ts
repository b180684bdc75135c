/** 1 MiB: lines longer than this (leading NUL bytes not counted) are skipped as `oversized`. */
export const MAX_LINE_BYTES = 1024 * 1024;

const NL = 0x0a;

/**
 * Whole lines of a file: `buf[start, end)` holds one or more lines, each ending in
 * `\n` except the file's unterminated last line (`tail`). The buffer is only valid
 * during the call that receives it.
 */
export interface LineBlock {
  readonly buf: Buffer;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  /** 1-based number of the block's first line in its file. */
  readonly firstLine: number;
  /** True when this is the file's last line and it has no `\n` (possibly a torn write). */
  readonly tail: boolean;
}

/** Receives what a LineBlocker finds. */
export interface LineBlockSink {
  /** A block of whole lines. */
  block(block: LineBlock): void;
  /** A line over the cap was dropped; `head` is its first bytes (for a report). */
  oversized(line: number, head: Buffer): void;
}

/**
 * Byte-level line splitter over chunks of any size (split2-style, without strings):
 * keeps the unfinished line between chunks, still delivers a last line without `\n`,
 * never splits inside a UTF-8 character (it only cuts at 0x0A), drops lines over the
 * cap without buffering them, and drops NUL runs at the start of a pending line (what
 * copytruncate leaves) so they cannot make a line oversized. Counts every line.
 */
export class LineBlocker {
  /** Lines seen so far (oversized and unterminated last lines included). */
  lines = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingNul = false;
  private discarding = false;

  constructor(
    private readonly sink: LineBlockSink,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  /** Feeds the next chunk of the file. The chunk may be reused by the caller afterwards. */
  push(chunk: Buffer): void {
    let pos = 0;
    if (this.discarding || this.pendingBytes > 0 || this.pendingNul) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        if (!this.discarding) this.appendPending(chunk, 0, chunk.length);
        return;
      }
      if (this.discarding) this.discarding = false;
      else this.finishPending(chunk, nl + 1);
      pos = nl + 1;
    }
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl >= pos) {
      this.emitLines(chunk, pos, lastNl + 1);
      pos = lastNl + 1;
    }
    if (pos < chunk.length) this.appendPending(chunk, pos, chunk.length);
  }

  /** Signals the end of the file: delivers the unterminated last line, if any. */
  end(): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (this.pendingBytes === 0 && !this.pendingNul) return;
    const line = this.takePending();
    this.lines++;
    this.sink.block({ buf: line, start: 0, end: line.length, firstLine: this.lines, tail: true });
  }

  private emitLines(chunk: Buffer, start: number, end: number): void {
    let blockStart = start;
    let firstLine = this.lines + 1;
    let lineStart = start;
    while (lineStart < end) {
      const nl = chunk.indexOf(NL, lineStart);
      this.lines++;
      if (nl - lineStart > this.maxLineBytes && contentLength(chunk, lineStart, nl) > this.maxLineBytes) {
        if (lineStart > blockStart) {
          this.sink.block({ buf: chunk, start: blockStart, end: lineStart, firstLine, tail: false });
        }
        this.sink.oversized(this.lines, chunk.subarray(lineStart, lineStart + 160));
        blockStart = nl + 1;
        firstLine = this.lines + 1;
      }
      lineStart = nl + 1;
    }
    if (blockStart < end) this.sink.block({ buf: chunk, start: blockStart, end, firstLine, tail: false });
  }

  private appendPending(chunk: Buffer, start: number, end: number): void {
    let s = start;
    if (this.pendingBytes === 0) {
      while (s < end && chunk[s] === 0) s++;
      if (s > start) this.pendingNul = true;
      if (s === end) return;
    }
    if (this.pendingBytes + (end - s) > this.maxLineBytes) {
      const head = this.pendingBytes > 0 ? Buffer.concat(this.pending).subarray(0, 160) : chunk.subarray(s, s + 160);
      this.clearPending();
      this.lines++;
      this.sink.oversized(this.lines, head);
      this.discarding = true;
      return;
    }
    this.pending.push(Buffer.from(chunk.subarray(s, end)));
    this.pendingBytes += end - s;
  }

  private finishPending(chunk: Buffer, end: number): void {
    const length = this.pendingBytes > 0 ? this.pendingBytes + end - 1 : contentLength(chunk, 0, end - 1);
    if (length > this.maxLineBytes) {
      const head = Buffer.concat(this.pending).subarray(0, 160);
      this.clearPending();
      this.lines++;
      this.sink.oversized(this.lines, head);
      return;
    }
    this.pending.push(chunk.subarray(0, end));
    this.pendingBytes += end;
    const line = this.takePending();
    this.lines++;
    this.sink.block({ buf: line, start: 0, end: line.length, firstLine: this.lines, tail: false });
  }

  /** The pending line as one buffer; a stripped NUL run is kept as one NUL byte. */
  private takePending(): Buffer {
    const parts = this.pendingNul ? [Buffer.alloc(1), ...this.pending] : this.pending;
    const line = Buffer.concat(parts);
    this.clearPending();
    return line;
  }

  private clearPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingNul = false;
  }
}

/** Length of buf[start, end) without its leading NUL bytes. */
function contentLength(buf: Buffer, start: number, end: number): number {
  let s = start;
  while (s < end && buf[s] === 0) s++;
  return end - s;
}
