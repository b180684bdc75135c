import type { InputSet, LogSource } from '../read/list-inputs.js';

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
 * A sort key for (source, file, line) that keeps input order: fits in a double for any
 * realistic input. Linear in `line`: inputOrder(o, a + b) = inputOrder(o, a) + b.
 */
export function inputOrder(origin: RecordOrigin, line: number): number {
  return (origin.source * 1024 + origin.file) * 2 ** 36 + line;
}
