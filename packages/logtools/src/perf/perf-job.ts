import type { ScanJob, UnitSink } from '../engine/scan-job.js';
import { createNeedlePrefilter } from '../read/prefilter.js';
import type { JsonLineSink } from '../read/read-json-lines.js';
import { PERF_EVENTS, PerfAccumulator, type PerfOptions, type PerfParts } from './perf-accumulator.js';

/** What a perf scan reads: see PerfOptions. */
export interface PerfSpec {
  readonly options: PerfOptions;
  readonly strict: boolean;
}

/** Every duration perf reads is a `duration_ms` field: lines without these bytes cannot matter. */
const DURATION_KEY = 'duration_ms';

/** `logtrace perf`'s reading: the durations of each unit, in a PerfAccumulator's parts. */
export const perfJob: ScanJob<PerfSpec, PerfParts> = {
  kind: 'perf',
  prefilter: () => createNeedlePrefilter([DURATION_KEY]),
  createSink(spec) {
    const accumulator = new PerfAccumulator(spec.options);
    return { ...perfSink(accumulator), toParts: () => accumulator.toParts() } satisfies UnitSink<PerfParts>;
  },
};

/** Feeds the durations of parsed lines to an accumulator, reading only the fields perf needs. */
export function perfSink(accumulator: PerfAccumulator): JsonLineSink {
  return {
    events: PERF_EVENTS,
    fast(line) {
      const ms = line.duration();
      if (ms !== undefined) accumulator.addSample(PERF_EVENTS[line.eventIndex()], ms, line.time() ?? 0, line);
    },
    record(record) {
      accumulator.add(record);
    },
  };
}
