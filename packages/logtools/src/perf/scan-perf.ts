import type { FileStats } from '../read/file-stats.js';
import type { InputSet } from '../read/list-inputs.js';
import { PerfAccumulator, type PerfOptions, type PerfParts, type PerfReport } from './perf-accumulator.js';
import type { ThreadChoice } from '../engine/scan-pool.js';
import { scanUnits } from '../engine/scan-units.js';
import { perfJob } from './perf-job.js';

/** The perf report of one host (`--by host`); host null: records of no known host. */
export type HostPerfReport = { readonly host: string | null } & PerfReport;

/** What scanPerf gives: the report, and with `byHost` one per host, by name (null last). */
export type ScanPerfReport = PerfReport & { readonly by_host?: readonly HostPerfReport[] };

/**
 * Reads the JSON-lines logs for `logtrace perf`, on every core for a large input:
 * only lines holding `duration_ms` are parsed (every line with `strict`).
 */
export async function scanPerf(
  inputs: InputSet,
  options: PerfOptions & { readonly strict: boolean; readonly byHost?: boolean },
  stats: FileStats[],
  threads: ThreadChoice,
): Promise<ScanPerfReport> {
  const { strict, byHost, ...perfOptions } = options;
  const parts: PerfParts[] = [];
  const hostParts = new Map<string | null, PerfParts[]>();
  await scanUnits(inputs, perfJob, { options: perfOptions, strict, byHost }, threads, stats, (result) => {
    parts.push(result.parts.all);
    for (const [host, own] of result.parts.hosts) hostParts.set(host, [...(hostParts.get(host) ?? []), own]);
  });
  const report = PerfAccumulator.merged(perfOptions, parts).report();
  if (byHost !== true) return report;
  // Units are merged in input order, host by host, as one pass over each host's lines would.
  const hosts = [...hostParts.keys()].sort((a, b) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1));
  const byHostReports = hosts.map((host) => ({ host, ...PerfAccumulator.merged(perfOptions, hostParts.get(host) ?? []).report() }));
  return { ...report, by_host: byHostReports };
}
