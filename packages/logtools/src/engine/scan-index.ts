import type { InputFile } from '../read/list-inputs.js';
import type { Wrapper } from '../read/unwrap-line.js';
import type { UnitResult } from './run-unit.js';
import type { JobSpec } from './scan-job.js';

/** A JSON-lines file as the engine scans it: the open descriptor and size it was listed with, and how its lines are read. */
export interface IndexedFile {
  readonly input: InputFile;
  readonly service: string;
  readonly wrapper: Wrapper | undefined;
}

/** The partial result of bytes [start, end) of a file: whole lines, `end` just past a `\n` (or a .gz file's size). */
export interface ScannedSegment<Parts> {
  readonly start: number;
  readonly end: number;
  readonly result: UnitResult<Parts>;
}

/**
 * What was already learned of each file, for one job and spec: the engine starts from
 * the segments `load` gives (contiguous from byte 0) and scans only the bytes after
 * them, then hands every segment of the file to `save`. Anything `load` cannot vouch
 * for (another file, rewritten bytes, a damaged store) must give no segment: the
 * engine then reads the file whole, so an index changes how long a scan takes, never
 * its answer. A follower can use the same two calls: load, scan the appended bytes,
 * save.
 */
export interface ScanIndex {
  /** Segments of `file` already scanned by `kind` with `spec`, checked against the file as opened; [] when none can be reused. */
  load(kind: string, spec: JobSpec, file: IndexedFile): readonly ScannedSegment<unknown>[];
  /** Keeps the segments of `file` (from byte 0, contiguous); called before the results are merged, which may change them. */
  save(kind: string, spec: JobSpec, file: IndexedFile, segments: readonly ScannedSegment<unknown>[]): void;
}
