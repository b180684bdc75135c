import { EVENT } from '@logtrace/shared/schema';
import type { ScanJob, UnitSink } from '../engine/scan-job.js';
import type { FastLine } from '../kernel/fast-line.js';
import { createNeedlePrefilter } from '../read/prefilter.js';
import type { JsonLineSink } from '../read/read-json-lines.js';
import { PerfAccumulator, type PerfOptions, type PerfParts } from './perf-accumulator.js';
import { COMFYUI_STAGE_FIELDS, PERF_EVENTS } from './perf-events.js';
import { cachedNodesOf } from './node-stats.js';
import { recordHost } from '../core/record-host.js';

/** What a perf scan reads: see PerfOptions; `byHost` also keeps the statistics of each host. */
export interface PerfSpec {
  readonly options: PerfOptions;
  readonly strict: boolean;
  /** Zone of times written without one (JobSpec). */
  readonly timeZone?: string | undefined;
  readonly byHost?: boolean | undefined;
}

/** A perf unit's result: the statistics of all its lines, and with `byHost` those of each host (null: the logs name none). */
export interface PerfUnitParts {
  readonly all: PerfParts;
  readonly hosts: readonly (readonly [string | null, PerfParts])[];
}

/**
 * The bytes a line perf reads must hold: `duration_ms` (the durations, comfyui_complete
 * and node executions included) or `node_i` (the `node_id` of comfyui_progress, the
 * `node_ids` of comfyui_nodes_cached; cut short because the kernel anchors a needle on
 * its rarest bytes, and `node_id`'s two `d`s match all over UUIDs). Other lines cannot
 * matter. Each needle costs the scan kernel SIMD work on every byte of every log, so
 * perf keeps to two (docs/logtrace.md "perf").
 */
export const PERF_NEEDLES: readonly string[] = Object.freeze(['duration_ms', 'node_i']);

/** `logtrace perf`'s reading: the durations of each unit, in a PerfAccumulator's parts (and one per host with `byHost`). */
export const perfJob: ScanJob<PerfSpec, PerfUnitParts> = {
  kind: 'perf',
  prefilter: () => createNeedlePrefilter(PERF_NEEDLES),
  createSink(spec, unit) {
    const accumulator = new PerfAccumulator(spec.options);
    const sink = perfSink(accumulator);
    if (spec.byHost !== true)
      return { ...sink, toParts: () => ({ all: accumulator.toParts(), hosts: [] }) } satisfies UnitSink<PerfUnitParts>;
    // Each host's lines also go to that host's accumulator: the host is read only when asked for (--by host).
    const hosts = new Map<string | null, { accumulator: PerfAccumulator; sink: JsonLineSink }>();
    const hostSink = (host: string | undefined): JsonLineSink => {
      const key = host ?? null;
      let entry = hosts.get(key);
      if (entry === undefined) {
        const own = new PerfAccumulator(spec.options);
        entry = { accumulator: own, sink: perfSink(own) };
        hosts.set(key, entry);
      }
      return entry.sink;
    };
    return {
      events: PERF_EVENTS,
      fast(line, lineNo) {
        sink.fast(line, lineNo);
        hostSink(line.host(unit.host)).fast(line, lineNo);
      },
      record(record, lineNo, raw, part) {
        sink.record(record, lineNo, raw, part);
        hostSink(recordHost(record.extra, unit.host)).record(record, lineNo, raw, part);
      },
      toParts: () => ({ all: accumulator.toParts(), hosts: [...hosts].map(([host, e]) => [host, e.accumulator.toParts()] as const) }),
    } satisfies UnitSink<PerfUnitParts>;
  },
};

const NODE_EXECUTED = PERF_EVENTS.indexOf(EVENT.comfyui_node_executed);
const NODES_CACHED = PERF_EVENTS.indexOf(EVENT.comfyui_nodes_cached);
const PROGRESS = PERF_EVENTS.indexOf(EVENT.comfyui_progress);
const COMPLETE = PERF_EVENTS.indexOf(EVENT.comfyui_complete);

/** Feeds the numbers of parsed lines to an accumulator, reading only the fields perf needs (as PerfAccumulator.add reads a record). */
export function perfSink(accumulator: PerfAccumulator): JsonLineSink {
  return {
    events: PERF_EVENTS,
    fast(line) {
      const index = line.eventIndex();
      // The events read for their duration_ms come first in PERF_EVENTS.
      if (index < NODE_EXECUTED) {
        const ms = line.duration();
        if (index === COMPLETE && ms !== undefined) fastComplete(accumulator, line);
        if (ms !== undefined) accumulator.addSample(PERF_EVENTS[index], ms, line.time() ?? 0, line);
      } else {
        fastComfyui(accumulator, line, index);
      }
    },
    record(record) {
      accumulator.add(record);
    },
  };
}

function fastComplete(accumulator: PerfAccumulator, line: FastLine): void {
  for (const [name, field] of COMFYUI_STAGE_FIELDS) {
    const ms = line.num(field);
    if (ms !== undefined) accumulator.addStage(name, ms, line.time() ?? 0);
  }
}

function fastComfyui(accumulator: PerfAccumulator, line: FastLine, index: number): void {
  const time = line.time() ?? 0;
  if (index === NODE_EXECUTED) {
    const classType = line.str('class_type');
    const ms = line.duration();
    if (classType !== undefined && ms !== undefined) accumulator.addNodeRun(classType, line.str('node_id'), ms, time);
  } else if (index === PROGRESS) {
    // A run's last report (at its max) has its rate over all its steps.
    const value = line.num('value');
    if (value === undefined || value !== line.num('max') || line.str('node_id') === undefined) return;
    const classType = line.str('class_type');
    const rate = line.num('steps_per_s');
    if (classType !== undefined && rate !== undefined) accumulator.addRate(classType, rate, time);
  } else if (index === NODES_CACHED) {
    // At most one such line per prompt: the whole line is parsed for its array.
    const record = JSON.parse(Buffer.from(line.copyBytes().buffer).toString('latin1')) as Record<string, unknown>;
    const cached = cachedNodesOf(record['node_ids'], record['count']);
    accumulator.addCachedNodes(cached.ids, cached.unlisted, time);
  }
}
