import { FileStats } from '../read/file-stats.js';
import type { LogSource } from '../read/list-inputs.js';
import type { StatsParts } from './run-unit.js';
import type { ScanIndex } from './scan-index.js';
import type { JobSpec } from './scan-job.js';

/**
 * What `read` makes of a source read whole (comfyui.log, whose entries can span an
 * append, so it is not cut into units): from the index when it holds it for the file
 * as it is now — a source of one file, not changed since, not even grown — else read,
 * and handed to the index. `read` pushes one FileStats per file onto the list it is
 * given; the result must be plain data (it is serialized).
 */
export async function readWholeFileIndexed<Parts>(
  index: ScanIndex | undefined,
  kind: string,
  spec: JobSpec,
  source: LogSource,
  stats: FileStats[],
  read: (stats: FileStats[]) => Promise<Parts>,
): Promise<Parts> {
  const input = source.files.length === 1 ? source.files[0] : undefined;
  if (index === undefined || input === undefined || input.fd === undefined || input.size === undefined) return read(stats);
  const file = { input, service: source.service, wrapper: undefined };
  const [held, ...more] = index.load(kind, spec, file);
  if (held !== undefined && more.length === 0 && held.end === input.size) {
    stats.push(statsOf(input.path, held.result.stats));
    return held.result.parts as Parts;
  }
  const own: FileStats[] = [];
  const parts = await read(own);
  stats.push(...own);
  const fileStats = own[0];
  if (own.length === 1 && fileStats !== undefined && fileStats.error === undefined)
    index.save(kind, spec, file, [{ start: 0, end: input.size, result: { stats: { ...fileStats }, parts } }]);
  return parts;
}

function statsOf(path: string, parts: StatsParts): FileStats {
  return Object.assign(
    new FileStats(path),
    { lines: parts.lines, skipped: parts.skipped, glued: parts.glued, error: parts.error },
    {
      reasons: { ...parts.reasons },
      samples: [...parts.samples],
    },
  );
}
