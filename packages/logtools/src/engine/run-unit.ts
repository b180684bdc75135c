import { ErrorGrouper, matchesErrorFilter, type ErrorFilter, type MutableGroup } from '../errors/error-grouper.js';
import { PERF_EVENTS, PerfAccumulator, type PerfOptions, type PerfParts } from '../perf/perf-accumulator.js';
import { FileStats } from '../read/file-stats.js';
import { createLevelPrefilter, createNeedlePrefilter, type Prefilter } from '../read/prefilter.js';
import type { JsonLineSink } from '../read/read-json-lines.js';
import { scanJsonFile } from '../read/scan-json-file.js';
import type { ScanUnit } from './plan-units.js';
import type { Level, NormalizedRecord } from '@logtrace/shared/schema';
import { dequeuedPromptOf, postAttemptOf } from '../comfyui/attribute-comfyui.js';
import { hashId, PostAttemptList, type PostAttemptArrays } from '../comfyui/post-attempt-list.js';
import type { FastLine } from '../kernel/fast-line.js';
import { VALUE_TYPE } from '../kernel/scan-kernel.js';

/** What a scanning thread computes over its units: plain data, so it can be sent to a worker. */
export type JobSpec =
  | { readonly kind: 'perf'; readonly options: PerfOptions; readonly strict: boolean }
  | {
      readonly kind: 'trace';
      /** Byte needles: the id (or the ids found so far), plus the POST events when `posts`. */
      readonly needles: readonly string[];
      /** Keep lines with an id field starting with this; undefined keeps every line holding a needle. */
      readonly idPrefix: string | undefined;
      /** Collect the GPU server's POST /prompt attempts (for comfyui.log attribution). */
      readonly posts: boolean;
      readonly strict: boolean;
    }
  | {
      readonly kind: 'errors';
      readonly minLevel: Level;
      readonly services: readonly string[] | undefined;
      readonly window: ErrorFilter['window'];
      readonly strict: boolean;
    };

/** A unit's partial result, by job kind. */
export type UnitParts = PerfParts | MutableGroup[] | TraceParts;

/** What a trace unit found: the raw lines that matter, POST attempts in typed arrays, dequeued prompts. */
export interface TraceParts {
  /** Lines (numbered from the unit's start) and their bytes, decoded by the caller. */
  readonly lines: readonly { readonly line: number; readonly bytes: Uint8Array }[];
  /** POST attempts, `orders` holding line numbers from the unit's start. */
  readonly posts: PostAttemptArrays;
  readonly dequeued: readonly string[];
}

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

/** The buffers of a unit's typed arrays (each its own), so postMessage can move them instead of copying. */
export function transferablesOf(parts: UnitParts): ArrayBuffer[] {
  const found: ArrayBuffer[] = [];
  const visit = (value: unknown): void => {
    if (ArrayBuffer.isView(value)) {
      if (value.buffer instanceof ArrayBuffer && !found.includes(value.buffer)) found.push(value.buffer);
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (typeof value === 'object' && value !== null) {
      Object.values(value).forEach(visit);
    }
  };
  visit(parts);
  return found;
}

/** Every duration perf reads is a `duration_ms` field: lines without these bytes cannot matter. */
const DURATION_KEY = 'duration_ms';

/** The prefilter of a job (undefined: every line). */
export function jobPrefilter(spec: JobSpec): Prefilter | undefined {
  if (spec.strict) return undefined;
  if (spec.kind === 'trace') return createNeedlePrefilter(spec.needles);
  return spec.kind === 'perf' ? createNeedlePrefilter([DURATION_KEY]) : createLevelPrefilter(spec.minLevel);
}

/** Scans one unit with this thread's kernel and returns its partial result. */
export async function runUnit(spec: JobSpec, unit: ScanUnit): Promise<UnitResult> {
  const stats = new FileStats(unit.path);
  const file = { path: unit.path, name: unit.path, gz: unit.gz, fd: unit.fd, size: unit.size };
  const options = { prefilter: jobPrefilter(spec), service: unit.service, range: { start: unit.start, end: unit.end } };
  let parts: UnitParts;
  if (spec.kind === 'perf') {
    const accumulator = new PerfAccumulator(spec.options);
    await scanJsonFile(file, options, stats, perfSink(accumulator));
    parts = accumulator.toParts();
  } else if (spec.kind === 'trace') {
    const found = new TraceCollector(spec);
    await scanJsonFile(file, options, stats, found);
    parts = found.toParts();
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

const POST_EVENTS = ['comfyui_prompt_sent', 'error_comfyui'] as const;

/** Collects what a trace pass needs from parsed lines: see TraceParts. */
class TraceCollector implements JsonLineSink {
  private readonly lines: { line: number; bytes: Uint8Array }[] = [];
  // Typed arrays: JS arrays of numbers cost twice the time here (270 000 attempts in a gigabyte).
  private readonly posts = new PostAttemptList();
  private readonly dequeued: string[] = [];

  constructor(private readonly spec: Extract<JobSpec, { kind: 'trace' }>) {}

  get events(): readonly string[] {
    return POST_EVENTS;
  }

  fast(line: FastLine, lineNo: number): void {
    const prefix = this.spec.idPrefix;
    if (prefix === undefined || ID_KEYS.some((k) => line.startsWith(k, prefix))) this.lines.push({ line: lineNo, bytes: line.copyBytes() });
    if (!this.spec.posts) return;
    const event = POST_EVENTS[line.eventIndex()];
    if (event === undefined) return;
    const promptHash = line.hashOf('prompt_id', hashId);
    if (event === 'comfyui_prompt_sent') this.posts.addHashed(line.time() ?? 0, lineNo, true, promptHash ?? -1);
    else if (promptHash === undefined && line.type('status') === VALUE_TYPE.number) this.posts.addHashed(line.time() ?? 0, lineNo, false, -1);
    if (event === 'error_comfyui' && promptHash !== undefined && line.oneOf('comfyui_cancel', DEQUEUED) !== undefined) this.dequeued.push(line.str('prompt_id') ?? '');
  }

  record(record: NormalizedRecord, lineNo: number, raw: Buffer): void {
    const prefix = this.spec.idPrefix;
    if (prefix === undefined || ID_KEYS.some((k) => record[k]?.startsWith(prefix) === true)) this.lines.push({ line: lineNo, bytes: new Uint8Array(raw) });
    if (!this.spec.posts) return;
    const accepted = postAttemptOf(record);
    if (accepted !== undefined) this.posts.addHashed(record.time, lineNo, accepted, record.prompt_id === undefined ? -1 : hashId(record.prompt_id));
    const removed = dequeuedPromptOf(record);
    if (removed !== undefined) this.dequeued.push(removed);
  }

  toParts(): TraceParts {
    return {
      lines: this.lines,
      posts: this.posts.toArrays(),
      dequeued: this.dequeued,
    };
  }
}

const ID_KEYS = ['request_id', 'generation_id', 'prompt_id'] as const;
const DEQUEUED = ['dequeued'] as const;
