import type { NormalizedRecord } from '@logtrace/shared/schema';
import { PerfAccumulator, type PerfOptions, type PerfReport } from '../perf/perf-accumulator.js';
import { PERF_EVENTS } from '../perf/perf-events.js';

const PERF_EVENT_SET: ReadonlySet<string> = new Set(PERF_EVENTS);

/** True for a record perf reads (a duration, or one of perf's ComfyUI events). */
export function isPerfRecord(record: NormalizedRecord): boolean {
  return record.duration_ms !== undefined || (record.event !== undefined && PERF_EVENT_SET.has(record.event));
}

/**
 * perf over a rolling window: keeps the records perf reads from the last `windowMs`
 * (in time order, as they leave the reorder window) and reports on them with the
 * accumulator `perf` uses. Records older than the window are dropped as it moves.
 */
export class RollingPerf {
  private records: NormalizedRecord[] = [];
  private start = 0;

  constructor(
    private readonly options: Omit<PerfOptions, 'window'>,
    private readonly windowMs: number,
  ) {}

  /** Takes a record, if perf reads it. */
  add(record: NormalizedRecord): void {
    if (isPerfRecord(record)) this.records.push(record);
  }

  /** The report over [now − window, now). */
  report(now: number): PerfReport & { readonly window: { readonly since: string; readonly until: string } } {
    const since = now - this.windowMs;
    while (this.start < this.records.length && (this.records[this.start] as NormalizedRecord).time < since - this.windowMs) this.start++;
    if (this.start > 4096 && this.start * 2 > this.records.length) {
      this.records = this.records.slice(this.start);
      this.start = 0;
    }
    const accumulator = new PerfAccumulator({ ...this.options, window: { since, until: undefined } });
    // Node executions just before the window still tell a cached node's class, as in perf's --since.
    for (let i = this.start; i < this.records.length; i++) accumulator.add(this.records[i] as NormalizedRecord);
    return { ...accumulator.report(), window: { since: new Date(since).toISOString(), until: new Date(now).toISOString() } };
  }
}
