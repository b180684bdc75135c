import type { NormalizedRecord, TimeZone } from '@logtrace/shared/schema';
import type { FileStats } from './file-stats.js';
import type { InputFile } from './list-inputs.js';
import type { Prefilter } from './prefilter.js';
import { readJsonLines, WHOLE_FILE, type ByteRange, type JsonLineSink } from './read-json-lines.js';
import { ScanKernel } from '../kernel/scan-kernel.js';
import { decodeJsonLine } from './decode-json-line.js';
import type { Wrapper } from './unwrap-line.js';

/** A decoded line and where it was. */
export interface ScannedRecord {
  readonly record: NormalizedRecord;
  /** 1-based line number in its file. */
  readonly line: number;
}

/** How to scan a JSON-lines file. */
export interface JsonScanOptions {
  /** Which lines to decode; undefined decodes every line (`--strict`, the reference path). */
  readonly prefilter: Prefilter | undefined;
  /** Service for lines that name none. */
  readonly service: string;
  /** Read size in bytes (tests use small ones). */
  readonly chunkBytes?: number;
  /** Part of a plain file (default: all of it). */
  readonly range?: ByteRange;
  /** How a runtime wrapped each line (the source's), when it did: every line is then unwrapped and decoded. */
  readonly wrapper?: Wrapper | undefined;
  /** Zone of times written without one (default UTC). */
  readonly timeZone?: TimeZone | undefined;
}

/** Receives each decoded record. */
export type RecordSink = (record: NormalizedRecord, line: number) => void;

let threadKernel: ScanKernel | undefined;
/** Settles when the scan using this thread's kernel ends: a .gz file's scan waits on zlib, and another must not start meanwhile. */
let kernelFree: Promise<void> = Promise.resolve();

/** This thread's scan kernel (one instance: its buffers are reused file after file). */
export function scanKernel(): ScanKernel {
  threadKernel ??= new ScanKernel();
  return threadKernel;
}

/**
 * Streams one JSON-lines file, synchronously and in file order, giving `sink` each
 * line the prefilter picks (every line without one) that holds a record: a function
 * gets every such record decoded in full; a JsonLineSink gets the kernel's parsed
 * lines as they are. Lines it examines and cannot use are counted in `stats` by
 * reason; oversized lines are always counted. A read error (unreadable file, corrupt
 * gzip) ends the file and is kept in `stats.error`: what was read before it still counts.
 * Scans of one thread run one after the other (they share its kernel).
 */
export async function scanJsonFile(
  file: InputFile,
  options: JsonScanOptions,
  stats: FileStats,
  sink: RecordSink | JsonLineSink,
): Promise<void> {
  const previous = kernelFree;
  let release = () => undefined as void;
  kernelFree = new Promise((resolve) => (release = resolve));
  await previous;
  try {
    const kernel = scanKernel();
    const lines = typeof sink === 'function' ? recordsOnly(kernel, options.service, options.timeZone, sink) : sink;
    await readJsonLines(
      kernel,
      file,
      options.range ?? WHOLE_FILE,
      {
        selection: options.prefilter ?? { kind: 'all' },
        service: options.service,
        wrapper: options.wrapper,
        timeZone: options.timeZone,
        ...(options.chunkBytes === undefined ? {} : { readBytes: options.chunkBytes }),
      },
      stats,
      lines,
    );
  } finally {
    release();
  }
}

/**
 * The records of one file that `keep` accepts, as a stream, for consumers that merge
 * several files by time. The kernel's buffers are reused file after file, so the file
 * is read to its end first: memory grows with the records kept, not the file.
 */
export async function* scanJsonFileBatches(
  file: InputFile,
  options: JsonScanOptions,
  stats: FileStats,
  keep: (record: NormalizedRecord) => boolean,
): AsyncGenerator<ScannedRecord[]> {
  const batch: ScannedRecord[] = [];
  await scanJsonFile(file, options, stats, (record, line) => {
    if (keep(record)) batch.push({ record, line });
  });
  if (batch.length > 0) yield batch;
}

/** A sink that decodes every line in full (JSON.parse and normalizeRecord), for consumers of whole records. */
function recordsOnly(kernel: ScanKernel, service: string, timeZone: TimeZone | undefined, onRecord: RecordSink): JsonLineSink {
  return {
    fast(line, lineNo) {
      const decoded = decodeJsonLine(kernel.bytes, line.start, line.end, { service, first: false, tail: false, timeZone });
      if (decoded.ok) onRecord(decoded.record, lineNo);
    },
    record: onRecord,
  };
}
