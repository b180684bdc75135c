import type { Prefilter } from '../read/prefilter.js';
import type { JsonLineSink } from '../read/read-json-lines.js';
import type { ScanUnit } from './plan-units.js';

/** What every job's spec says. Specs are plain data: they are sent to the workers. */
export interface JobSpec {
  /** Examine every line (`--strict`), not only those the prefilter picks. */
  readonly strict: boolean;
  /** Zone of JSON times written without one, by name (resolveTimeZone; `local` for this machine's); undefined for UTC. */
  readonly timeZone?: string | undefined;
}

/** Takes one unit's lines and hands back its partial result (plain data and typed arrays, moved between threads). */
export interface UnitSink<Parts> extends JsonLineSink {
  toParts(): Parts;
}

/**
 * One kind of scan the engine runs over units of the JSON-lines files, on this thread
 * and in the workers: a command's reading of the lines, without the merge, which the
 * command does on this thread in input order.
 */
export interface ScanJob<Spec extends JobSpec, Parts> {
  /** Names the job in the workers' registry (scan-jobs.ts). */
  readonly kind: string;
  /** The lines that can matter to the job when not strict (undefined: every line). */
  prefilter(spec: Spec): Prefilter | undefined;
  /** A sink for one unit's lines. */
  createSink(spec: Spec, unit: ScanUnit): UnitSink<Parts>;
}
