import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Random } from './create-random.js';
import { CORRUPT_KINDS, corruptLine, oversizedLine, type CorruptLine } from './corrupt-lines.js';

/** How a LogSink damages a JSON-lines file, so readers can be checked against exact counts. */
export interface Damage {
  /** One bad line after every this many good lines (0: none). Every kind appears at least once. */
  readonly corruptEvery: number;
  /** Add one line over the 1 MiB cap. */
  readonly oversized: boolean;
  /** Start the oldest file with a UTF-8 BOM, end some lines with CRLF, prefix one line with NULs. */
  readonly quirks: boolean;
  /** End the live file with a torn line and no newline. */
  readonly truncatedTail: boolean;
}

/** What was written to one file. */
export interface FileReport {
  /** File name in the directory. */
  readonly name: string;
  readonly lines: number;
  readonly bytes: number;
  /** Lines a reader must skip, by reason (each object of a glued line counts as one). */
  readonly skipped: Readonly<Record<string, number>>;
  /** Lines of objects back to back (`{…}{…}`). */
  readonly glued: number;
}

const FLUSH_BYTES = 1024 * 1024;
const CRLF_EVERY = 97;
const NUL_LINE = 7;
const OVERSIZED_AT = 50;

interface Segment {
  readonly temp: string;
  fd: number;
  lines: number;
  bytes: number;
  readonly skipped: Record<string, number>;
  glued: number;
}

/**
 * Appends lines to `<base>.log` in a directory, buffered (1 MiB writes), with
 * optional damage for JSON-lines files and rotation (`rotate()` starts a new file;
 * at `close()` the older files become `<base>.log.1`, `<base>.log.2.gz`, ...).
 */
export class LogSink {
  private readonly segments: Segment[] = [];
  private parts: (string | Buffer)[] = [];
  private pendingBytes = 0;
  private realLines = 0;
  private corruptCount = 0;
  private readonly order: readonly (typeof CORRUPT_KINDS)[number][];
  private readonly seen = new Set<string>();
  private oversizedDone = false;

  constructor(
    private readonly dir: string,
    private readonly base: string,
    private readonly damage: Damage | undefined,
    private readonly rng: Random,
    private readonly gzipOlderThan = 2,
  ) {
    this.order = [...CORRUPT_KINDS].sort(() => rng.next() - 0.5);
    this.openSegment();
  }

  /** Appends one good line (no newline). */
  write(line: string): void {
    const d = this.damage;
    const seg = this.current();
    let text = line;
    if (d?.quirks === true) {
      if (this.segments.length === 1 && seg.lines === 0) text = `\ufeff${text}`;
      if (this.realLines === NUL_LINE) text = `\0\0\0\0${text}`;
    }
    const ending = d?.quirks === true && this.realLines % CRLF_EVERY === CRLF_EVERY - 1 ? '\r\n' : '\n';
    this.append(text + ending, 1);
    this.realLines++;
    if (d === undefined) return;
    if (d.oversized && !this.oversizedDone && this.realLines === OVERSIZED_AT) this.writeBad(oversizedLine());
    if (d.corruptEvery > 0 && this.realLines % d.corruptEvery === 0) this.writeNextCorrupt();
  }

  /** Closes the current file and starts a new one (logrotate's `create`). */
  rotate(): void {
    this.flush();
    closeSync(this.current().fd);
    this.openSegment();
  }

  /** Writes what is left (missing bad-line kinds, the torn tail) and names the files; returns one report per file, oldest first. */
  close(): FileReport[] {
    const d = this.damage;
    if (d !== undefined) {
      if (d.oversized && !this.oversizedDone) this.writeBad(oversizedLine());
      if (d.corruptEvery > 0) for (const kind of this.order) if (!this.seen.has(kind)) this.writeBad(corruptLine(kind, this.rng), kind);
      if (d.truncatedTail) {
        const torn = `{"level":"INFO","time":"2026-11-28T05:03:21.123Z","service":"${this.base}","event":"comfyui_complete","dur`;
        this.append(torn, 1);
        this.count('truncated');
      }
    }
    this.flush();
    closeSync(this.current().fd);
    const n = this.segments.length;
    return this.segments.map((seg, i) => {
      const age = n - 1 - i;
      let name = age === 0 ? `${this.base}.log` : `${this.base}.log.${age}`;
      renameSync(seg.temp, path.join(this.dir, name));
      if (age >= this.gzipOlderThan) {
        const plain = path.join(this.dir, name);
        writeFileSync(`${plain}.gz`, gzipSync(readFileSync(plain)));
        unlinkSync(plain);
        name = `${name}.gz`;
      }
      return { name, lines: seg.lines, bytes: seg.bytes, skipped: { ...seg.skipped }, glued: seg.glued };
    });
  }

  private writeNextCorrupt(): void {
    const kind = this.order[this.corruptCount++ % this.order.length] ?? 'blank';
    this.writeBad(corruptLine(kind, this.rng), kind);
  }

  private writeBad(bad: CorruptLine, kind?: string): void {
    if (kind !== undefined) this.seen.add(kind);
    if (bad.reason === 'oversized') this.oversizedDone = true;
    this.append(Buffer.concat([bad.bytes, Buffer.from('\n')]), 1);
    if (bad.glued === undefined) {
      this.count(bad.reason);
    } else {
      this.current().glued++;
      for (const reason of bad.glued) this.count(reason);
    }
  }

  private count(reason: string): void {
    const seg = this.current();
    seg.skipped[reason] = (seg.skipped[reason] ?? 0) + 1;
  }

  private append(data: string | Buffer, lines: number): void {
    const seg = this.current();
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    seg.lines += lines;
    seg.bytes += bytes;
    this.parts.push(data);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const chunks: Buffer[] = [];
    let text: string[] = [];
    for (const part of this.parts) {
      if (typeof part === 'string') {
        text.push(part);
      } else {
        if (text.length > 0) chunks.push(Buffer.from(text.join(''), 'utf8'));
        text = [];
        chunks.push(part);
      }
    }
    if (text.length > 0) chunks.push(Buffer.from(text.join(''), 'utf8'));
    const buf = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    let off = 0;
    while (off < buf.length) off += writeSync(this.current().fd, buf, off);
    this.parts = [];
    this.pendingBytes = 0;
  }

  private openSegment(): void {
    const temp = path.join(this.dir, `.${this.base}.segment${this.segments.length}.tmp`);
    this.segments.push({ temp, fd: openSync(temp, 'w'), lines: 0, bytes: 0, skipped: {}, glued: 0 });
  }

  private current(): Segment {
    return this.segments[this.segments.length - 1] as Segment;
  }
}
