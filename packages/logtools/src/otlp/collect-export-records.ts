import type { SpanSourceRecord } from '@logtrace/shared/otel';
import { toEvent } from '../core/to-event.js';
import type { TimeWindow } from '../core/time-window.js';
import type { ThreadChoice } from '../engine/scan-pool.js';
import { scanUnits } from '../engine/scan-units.js';
import { decodeJsonLine } from '../read/decode-json-line.js';
import type { FileStats } from '../read/file-stats.js';
import type { InputSet } from '../read/list-inputs.js';
import { toSpanRecords } from './to-span-records.js';
import { exportJob } from './export-job.js';

/**
 * Reads the JSON-lines files once and returns the window's records grouped by
 * request_id: each group is one stitched trace (the backend's lines and the GPU
 * server's, which carry the same request_id), ready for the span mapping.
 */
export async function collectExportRecords(
  inputs: InputSet,
  options: { readonly strict: boolean; readonly window: TimeWindow; readonly threads: ThreadChoice },
  stats: FileStats[],
): Promise<Map<string, SpanSourceRecord[]>> {
  const groups = new Map<string, SpanSourceRecord[]>();
  const spec = { strict: options.strict, since: options.window.since, until: options.window.until };
  await scanUnits(inputs, exportJob, spec, options.threads, stats, (result, unit) => {
    for (const bytes of result.parts.lines) {
      const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      const decoded = decodeJsonLine(raw, 0, raw.length, { service: unit.service, first: false, tail: false });
      if (!decoded.ok || decoded.record.request_id === undefined) continue;
      const [record] = toSpanRecords([toEvent(decoded.record)]);
      if (record === undefined) continue;
      const group = groups.get(decoded.record.request_id);
      if (group === undefined) groups.set(decoded.record.request_id, [record]);
      else group.push(record);
    }
  });
  return groups;
}
