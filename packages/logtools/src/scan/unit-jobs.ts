import { ErrorGrouper, matchesErrorFilter, type ErrorFilter, type MutableGroup } from '../core/error-grouper.js';
import { PerfAccumulator, type PerfOptions, type PerfParts } from '../core/perf-accumulator.js';
import { FileStats } from '../input/file-stats.js';
import { createLevelPrefilter, createNeedlePrefilter, type Prefilter } from '../input/prefilter.js';
import type { JsonLineSink } from '../input/read-json-lines.js';
import { scanJsonFile } from '../input/scan-json-file.js';
import type { ScanUnit } from './plan-units.js';
import type { Level } from '@logtrace/shared/schema';

/** What a scanning thread computes over its units: plain data, so it can be sent to a worker. */
export type JobSpec =
  | { readonly kind: 'perf'; readonly options: PerfOptions; readonly strict: boolean }
  | {
      readonly kind: 'errors';
      readonly minLevel: Level;
      readonly services: readonly string[] | undefined;
      readonly window: ErrorFilter['window'];
      readonly strict: boolean;
    };

/** A unit's partial result, by job kind. */
export type UnitParts = PerfParts | MutableGroup[];

/** One unit's outcome: its file stats (lines numbered from the unit's start) and its partial result. */
export interface UnitResult {
  readonly stats: StatsParts;
  readonly parts: UnitParts;
}

/** FileStats as plain data. */
export interface StatsParts {
  readonly lines: number;
  readonly skipped: number;
  readonly reasons: FileStats['reasons'];
  readonly samples: FileStats['samples'];
  readonly error: string | undefined;
}

/** Every duration perf reads is a `duration_ms` field: lines without these bytes cannot matter. */
const DURATION_KEY = 'duration_ms';

/** The prefilter of a job (undefined: every line). */
export function jobPrefilter(spec: JobSpec): Prefilter | undefined {
  if (spec.strict) return undefined;
  return spec.kind === 'perf' ? createNeedlePrefilter([DURATION_KEY]) : createLevelPrefilter(spec.minLevel);
}

/** Scans one unit with this thread's kernel and returns its partial result. */
export async function runUnit(spec: JobSpec, unit: ScanUnit): Promise<UnitResult> {
  const stats = new FileStats(unit.path);
  const file = { path: unit.path, name: unit.path, gz: unit.gz };
  const options = { prefilter: jobPrefilter(spec), service: unit.service, range: { start: unit.start, end: unit.end } };
  let parts: UnitParts;
  if (spec.kind === 'perf') {
    const accumulator = new PerfAccumulator(spec.options);
    await scanJsonFile(file, options, stats, perfSink(accumulator));
    parts = accumulator.toParts();
  } else {
    const grouper = new ErrorGrouper(spec.window);
    await scanJsonFile(file, options, stats, errorSink(grouper, errorFilterOf(spec), unit.service));
    parts = grouper.toParts();
  }
  return { stats: { lines: stats.lines, skipped: stats.skipped, reasons: stats.reasons, samples: stats.samples, error: stats.error }, parts };
}

/** The ErrorFilter of an errors job. */
export function errorFilterOf(spec: Extract<JobSpec, { kind: 'errors' }>): ErrorFilter {
  return { minLevel: spec.minLevel, services: spec.services === undefined ? undefined : new Set(spec.services), window: spec.window };
}

/** Feeds the durations of parsed lines to an accumulator, reading only the fields perf needs. */
export function perfSink(accumulator: PerfAccumulator): JsonLineSink {
  return {
    fast(line) {
      const ms = line.num('duration_ms');
      if (ms !== undefined) accumulator.addSample(line.oneOf('event', PERF_EVENT_NAMES), ms, line.time() ?? 0, line);
    },
    record(record) {
      accumulator.add(record);
    },
  };
}

const PERF_EVENT_NAMES = ['comfyui_complete', 'response_sent', 'gpu_response', 'image_retrieved'] as const;

/** Groups the errors among parsed lines, reading only the fields errors needs. */
export function errorSink(grouper: ErrorGrouper, filter: ErrorFilter, service: string): JsonLineSink {
  return {
    fast(line) {
      const level = line.level() ?? 'DEBUG';
      const lineService = line.service(service);
      const time = line.time() ?? 0;
      if (!matchesErrorFilter({ level, service: lineService, time }, filter)) return;
      // A literal, not a spread: V8 copies spread objects on a slow path.
      grouper.addRecord({
        level,
        service: lineService,
        time,
        event: line.str('event'),
        error_code: line.str('error_code'),
        error: line.error(),
        msg: line.msg(),
        request_id: line.str('request_id'),
      });
    },
    record(record) {
      if (matchesErrorFilter(record, filter)) grouper.addRecord(record);
    },
  };
}
