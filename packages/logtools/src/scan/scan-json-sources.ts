import { FileStats } from '../input/file-stats.js';
import type { InputSet, LogSource } from '../input/list-inputs.js';
import type { Prefilter } from '../input/prefilter.js';
import { scanJsonFile, type ScannedRecord } from '../input/scan-json-file.js';

/** Where a batch of records came from: indexes into InputSet.sources and the source's files. */
export interface BatchOrigin {
  readonly source: number;
  readonly file: number;
}

/** The JSON-lines sources of an input set, with their indexes. */
export function jsonSources(inputs: InputSet): { readonly source: LogSource; readonly index: number }[] {
  return inputs.sources.flatMap((source, index) => (source.kind === 'json' ? [{ source, index }] : []));
}

/**
 * Scans every file of every JSON-lines source, oldest file first within a source,
 * and hands each batch of decoded candidate lines to `onBatch`. One FileStats per
 * file is appended to `stats` (pass a throwaway array to scan again without
 * counting twice).
 */
export async function scanJsonSources(
  inputs: InputSet,
  prefilter: Prefilter | undefined,
  stats: FileStats[],
  onBatch: (batch: readonly ScannedRecord[], origin: BatchOrigin) => void,
): Promise<void> {
  for (const { source, index } of jsonSources(inputs)) {
    for (const [fileIndex, file] of source.files.entries()) {
      const fileStats = new FileStats(file.path);
      stats.push(fileStats);
      for await (const batch of scanJsonFile(file, { prefilter, service: source.service }, fileStats)) {
        onBatch(batch, { source: index, file: fileIndex });
      }
    }
  }
}

/** A sort key for (source, file, line) that keeps input order: fits in a double for any realistic input. */
export function inputOrder(origin: BatchOrigin, line: number): number {
  return (origin.source * 1024 + origin.file) * 2 ** 36 + line;
}
