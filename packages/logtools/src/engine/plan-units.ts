import { readSync } from 'node:fs';
import type { InputFile, InputSet } from '../read/list-inputs.js';
import { openForRead } from '../read/read-chunks.js';
import type { Wrapper } from '../read/unwrap-line.js';
import { jsonSources } from './scan-json-sources.js';

/** One piece of scanning work: a byte range of a JSON-lines file (a gzip file is one piece). */
export interface ScanUnit {
  /** Index into InputSet.sources, and of the file in its source. */
  readonly source: number;
  readonly file: number;
  readonly path: string;
  readonly gz: boolean;
  /** The descriptor and size the file was listed with (InputFile). */
  readonly fd: number | undefined;
  readonly size: number | undefined;
  readonly service: string;
  /** The host of its records that name none (its source's). */
  readonly host: string | undefined;
  /** How a runtime wrapped the file's lines (its source's), when it did. */
  readonly wrapper: Wrapper | undefined;
  /** Bytes [start, end) of the file, whole lines; end is Infinity for the file's last piece. */
  readonly start: number;
  readonly end: number;
}

/** Pieces are about this big (or smaller, so that each thread gets several). */
const UNIT_BYTES = 64 * 1024 * 1024;
const MIN_UNIT_BYTES = 1024 * 1024;
/** How far past a planned cut the next `\n` is looked for before giving up on that cut. */
const ALIGN_WINDOW = 2 * 1024 * 1024;

/**
 * Cuts every JSON-lines file into pieces of whole lines, in input order (source, file,
 * offset), so that `threads` threads can share them and partial results can be merged
 * in that order. Each cut is moved to just past the next `\n`.
 */
export function planUnits(inputs: InputSet, threads: number, resume?: ResumePlan): { units: ScanUnit[]; bytes: number } {
  const files = jsonSources(inputs).flatMap(({ source, index }) =>
    source.files.map((f, fileIndex) => ({
      source: index,
      file: fileIndex,
      input: f,
      service: source.service,
      host: source.host,
      wrapper: source.wrapper,
      size: sizeOf(f),
    })),
  );
  const startOf = (f: (typeof files)[number]): number => {
    const from = resume?.startOf(f.source, f.file);
    if (from === undefined) return 0;
    if (from === DONE) return f.size;
    return f.input.gz ? 0 : Math.min(f.size, from);
  };
  const bytes = files.reduce((sum, f) => sum + f.size - startOf(f), 0);
  const unitBytes = Math.max(MIN_UNIT_BYTES, Math.min(UNIT_BYTES, Math.ceil(bytes / (threads * 4))));
  const units: ScanUnit[] = [];
  for (const f of files) {
    if (resume?.startOf(f.source, f.file) === DONE) continue;
    const base = {
      source: f.source,
      file: f.file,
      path: f.input.path,
      gz: f.input.gz,
      fd: f.input.fd,
      size: f.input.size,
      service: f.service,
      host: f.host,
      wrapper: f.wrapper,
    };
    let start = startOf(f);
    // A wrapped file is one piece: a line the runtime split (CRI `P`) goes on in the next one.
    if (!f.input.gz && f.wrapper === undefined) {
      for (let cut = start + unitBytes; cut < f.size - MIN_UNIT_BYTES / 2; cut = Math.max(cut + unitBytes, start + unitBytes)) {
        const aligned = nextLineStart(f.input, cut, f.size);
        if (aligned === undefined || aligned >= f.size) break;
        units.push({ ...base, start, end: aligned });
        start = aligned;
      }
      // An index keeps whole lines only: an unfinished last line is its own piece, read again once it has its `\n`.
      const last = resume === undefined ? undefined : lastLineEnd(f.input, start, f.size);
      if (last !== undefined && last > start) {
        units.push({ ...base, start, end: last });
        start = last;
        if (start >= f.size) continue;
      }
    }
    units.push({ ...base, start, end: Infinity });
  }
  return { units, bytes };
}

/** Where each file's scan starts (the end of what an index already holds), or DONE for a file the index holds whole. */
export interface ResumePlan {
  startOf(source: number, file: number): number | undefined;
}

/** ResumePlan.startOf's answer for a file read whole already (a .gz file the index holds). */
export const DONE = -1;

/** Offset just past the last `\n` of bytes [from, size), or undefined when there is none near the end (or the file cannot be read). */
function lastLineEnd(file: InputFile, from: number, size: number): number | undefined {
  return readingWindow(file, (fd, buf) => {
    for (let end = size; end > from && end > size - ALIGN_WINDOW; end -= buf.length) {
      const at = Math.max(from, end - buf.length);
      const n = readSync(fd, buf, 0, end - at, at);
      const nl = buf.subarray(0, n).lastIndexOf(0x0a);
      if (nl !== -1) return at + nl + 1;
    }
    return undefined;
  });
}

/** Bytes of a file as listed; 0 when it cannot be read (its read then reports why). */
function sizeOf(file: InputFile): number {
  try {
    const { size, close } = openForRead(file);
    close();
    return size;
  } catch {
    return 0;
  }
}

/** Offset just past the first `\n` at or after `at`, or undefined when none is near (or the file cannot be read). */
function nextLineStart(file: InputFile, at: number, size: number): number | undefined {
  return readingWindow(file, (fd, buf) => {
    for (let pos = at; pos < Math.min(size, at + ALIGN_WINDOW); pos += buf.length) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) return undefined;
      const nl = buf.indexOf(0x0a);
      if (nl !== -1 && nl < n) return pos + nl + 1;
    }
    return undefined;
  });
}

/** Runs `look` on the open file with a 64 KiB buffer; undefined when the file cannot be opened or read (its scan then reports why). */
function readingWindow(file: InputFile, look: (fd: number, buf: Buffer) => number | undefined): number | undefined {
  let opened;
  try {
    opened = openForRead(file);
  } catch {
    return undefined;
  }
  try {
    return look(opened.fd, Buffer.allocUnsafe(64 * 1024));
  } catch {
    return undefined;
  } finally {
    opened.close();
  }
}
