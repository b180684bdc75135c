import { resolveTimeZone } from '@logtrace/shared/schema';
import { FileStats } from '../read/file-stats.js';
import { scanJsonFile } from '../read/scan-json-file.js';
import type { ScanUnit } from './plan-units.js';
import type { JobSpec, ScanJob } from './scan-job.js';

/** One unit's outcome: its file stats (lines numbered from the unit's start) and its partial result. */
export interface UnitResult<Parts> {
  readonly stats: StatsParts;
  readonly parts: Parts;
}

/** FileStats as plain data. */
export interface StatsParts {
  readonly lines: number;
  readonly skipped: number;
  readonly glued: number;
  readonly reasons: FileStats['reasons'];
  readonly samples: FileStats['samples'];
  readonly error: string | undefined;
}

/** Scans one unit with this thread's kernel and returns its partial result. */
export async function runUnit<Spec extends JobSpec, Parts>(
  job: ScanJob<Spec, Parts>,
  spec: Spec,
  unit: ScanUnit,
): Promise<UnitResult<Parts>> {
  const stats = new FileStats(unit.path);
  const file = { path: unit.path, name: unit.path, gz: unit.gz, fd: unit.fd, size: unit.size };
  const prefilter = spec.strict ? undefined : job.prefilter(spec);
  const sink = job.createSink(spec, unit);
  await scanJsonFile(
    file,
    {
      prefilter,
      service: unit.service,
      wrapper: unit.wrapper,
      range: { start: unit.start, end: unit.end },
      timeZone: spec.timeZone === undefined ? undefined : resolveTimeZone(spec.timeZone),
    },
    stats,
    sink,
  );
  return {
    stats: {
      lines: stats.lines,
      skipped: stats.skipped,
      glued: stats.glued,
      reasons: stats.reasons,
      samples: stats.samples,
      error: stats.error,
    },
    parts: sink.toParts(),
  };
}

/** The buffers of a unit's typed arrays (each its own), so postMessage can move them instead of copying. */
export function transferablesOf(parts: unknown): ArrayBuffer[] {
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
