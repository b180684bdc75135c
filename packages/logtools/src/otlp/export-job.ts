import type { JobSpec, ScanJob, UnitSink } from '../engine/scan-job.js';
import { createNeedlePrefilter } from '../read/prefilter.js';

/** What an export scan reads: the lines of requests in a time window (epoch ms; either end open). */
export interface ExportSpec extends JobSpec {
  readonly since: number | undefined;
  readonly until: number | undefined;
}

/** The bytes of every line of a unit that belongs to a request and lies in the window. */
export interface ExportParts {
  readonly lines: readonly Uint8Array[];
}

/** `logtrace export`'s reading: the lines that carry a request_id, in the window, kept whole for the span mapping. */
export const exportJob: ScanJob<ExportSpec, ExportParts> = {
  kind: 'export',
  // Only a request's lines become spans, and every one of them names its request_id.
  prefilter: () => createNeedlePrefilter(['"request_id"']),
  createSink(spec): UnitSink<ExportParts> {
    const lines: Uint8Array[] = [];
    const inWindow = (time: number) => (spec.since === undefined || time >= spec.since) && (spec.until === undefined || time < spec.until);
    return {
      fast(line) {
        if (line.str('request_id') === undefined || !inWindow(line.time() ?? Number.NaN)) return;
        lines.push(line.copyBytes());
      },
      record(record, _lineNo, raw) {
        if (record.request_id === undefined || !inWindow(record.time)) return;
        lines.push(new Uint8Array(raw));
      },
      toParts: () => ({ lines }),
    };
  },
};
