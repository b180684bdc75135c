import type { NormalizedRecord } from '@logtrace/shared/schema';
import { decodeJsonLine } from './decode-json-line.js';
import type { FileStats } from './file-stats.js';
import { LineBlocker, type LineBlock } from './line-blocker.js';
import { describeFsError, type InputFile } from './list-inputs.js';
import type { Prefilter } from './prefilter.js';
import { CHUNK_BYTES, readChunks } from './read-chunks.js';

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
}

/** Receives each decoded record. */
export type RecordSink = (record: NormalizedRecord, line: number) => void;

const NL = 0x0a;

/**
 * Streams one JSON-lines file and calls `onRecord`, synchronously and in file order,
 * for each line the prefilter picks (every line without one) that decodes to a
 * record. Lines it examines and cannot use are counted in `stats` by reason;
 * oversized lines are always counted. A read error (unreadable file, corrupt gzip)
 * ends the file and is kept in `stats.error`: what was read before it still counts.
 * Memory is one chunk plus one line at most.
 */
export async function scanJsonFile(file: InputFile, options: JsonScanOptions, stats: FileStats, onRecord: RecordSink): Promise<void> {
  const blocker = createJsonLineBlocker(options, stats, onRecord);
  try {
    for await (const chunk of readChunks(file.path, file.gz, options.chunkBytes ?? CHUNK_BYTES)) {
      blocker.push(chunk);
      stats.lines = blocker.lines;
    }
  } catch (error) {
    stats.error = describeReadError(error);
  }
  blocker.end();
  stats.lines = blocker.lines;
}

/** scanJsonFile as a stream of per-chunk batches, for consumers that merge several files. */
export async function* scanJsonFileBatches(file: InputFile, options: JsonScanOptions, stats: FileStats): AsyncGenerator<ScannedRecord[]> {
  let batch: ScannedRecord[] = [];
  const blocker = createJsonLineBlocker(options, stats, (record, line) => batch.push({ record, line }));
  try {
    for await (const chunk of readChunks(file.path, file.gz, options.chunkBytes ?? CHUNK_BYTES)) {
      blocker.push(chunk);
      stats.lines = blocker.lines;
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
  } catch (error) {
    stats.error = describeReadError(error);
  }
  blocker.end();
  stats.lines = blocker.lines;
  if (batch.length > 0) yield batch;
}

/** A LineBlocker whose blocks go through the prefilter and the decoder to `onRecord`. */
function createJsonLineBlocker(options: JsonScanOptions, stats: FileStats, onRecord: RecordSink): LineBlocker {
  const examine = (block: LineBlock, s: number, e: number, line: number): void => {
    const decoded = decodeJsonLine(block.buf, s, e, { service: options.service, first: line === 1, tail: block.tail });
    if (decoded.ok) onRecord(decoded.record, line);
    else stats.skip(decoded.reason, line, block.buf, s, e);
  };
  return new LineBlocker({
    block(block) {
      if (options.prefilter === undefined) forEachLine(block, examine);
      else forEachCandidate(block, options.prefilter, examine);
    },
    oversized(line, head) {
      stats.skip('oversized', line, head, 0, head.length);
    },
  });
}

function forEachLine(block: LineBlock, examine: (b: LineBlock, s: number, e: number, line: number) => void): void {
  let line = block.firstLine;
  let s = block.start;
  while (s < block.end) {
    const nl = block.buf.indexOf(NL, s);
    const e = nl === -1 || nl >= block.end ? block.end : nl + 1;
    examine(block, s, e, line++);
    s = e;
  }
}

function forEachCandidate(
  block: LineBlock,
  prefilter: Prefilter,
  examine: (b: LineBlock, s: number, e: number, line: number) => void,
): void {
  // Line numbers are counted lazily, from one candidate to the next.
  let countedTo = block.start;
  let line = block.firstLine;
  prefilter.forEachCandidate(block.buf, block.start, block.end, (s, e) => {
    let p = block.buf.indexOf(NL, countedTo);
    while (p !== -1 && p < s) {
      line++;
      p = block.buf.indexOf(NL, p + 1);
    }
    countedTo = s;
    examine(block, s, e, line);
  });
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ERR_PADDING_1') {
    return `corrupt gzip data: ${(error as Error).message}`;
  }
  if (typeof code === 'string' && code.startsWith('Z_')) return `gzip error: ${(error as Error).message}`;
  return describeFsError(error);
}
