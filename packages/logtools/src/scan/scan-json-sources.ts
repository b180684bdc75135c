import { FileStats } from '../input/file-stats.js';
import type { InputSet, LogSource } from '../input/list-inputs.js';
import type { Prefilter } from '../input/prefilter.js';
import { scanJsonFile } from '../input/scan-json-file.js';
import type { JsonLineSink } from '../input/read-json-lines.js';
import type { NormalizedRecord } from '@logtrace/shared/schema';

/** Where a record came from: indexes into InputSet.sources and the source's files. */
export interface RecordOrigin {
  readonly source: number;
  readonly file: number;
}

/** The JSON-lines sources of an input set, with their indexes. */
export function jsonSources(inputs: InputSet): { readonly source: LogSource; readonly index: number }[] {
  return inputs.sources.flatMap((source, index) => (source.kind === 'json' ? [{ source, index }] : []));
}

/**
 * Scans every file of every JSON-lines source, oldest file first within a source,
 * and hands each candidate line to the sink `sinkFor` gives for its file. One FileStats per file is
 * appended to `stats` (pass a throwaway array to scan again without counting twice).
 */
export async function scanJsonSources(
  inputs: InputSet,
  prefilter: Prefilter | undefined,
  stats: FileStats[],
  sinkFor: (origin: RecordOrigin) => JsonLineSink | ((record: NormalizedRecord, line: number) => void),
): Promise<void> {
  for (const { source, index } of jsonSources(inputs)) {
    for (const [fileIndex, file] of source.files.entries()) {
      const fileStats = new FileStats(file.path);
      stats.push(fileStats);
      const origin = { source: index, file: fileIndex };
      await scanJsonFile(file, { prefilter, service: source.service }, fileStats, sinkFor(origin));
    }
  }
}

/** A sort key for (source, file, line) that keeps input order: fits in a double for any realistic input. */
export function inputOrder(origin: RecordOrigin, line: number): number {
  return (origin.source * 1024 + origin.file) * 2 ** 36 + line;
}
