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

/** What a perf scan collected: the accumulator of every line and, with `byHost`, one per host (null: no known host), by name, null last. */
export interface PerfScan {
  readonly accumulator: PerfAccumulator;
  readonly hosts: readonly (readonly [string | null, PerfAccumulator])[] | undefined;
}

/**
 * Reads the JSON-lines logs for `logtrace perf`, on every core for a large input:
 * only lines holding `duration_ms` are parsed (every line with `strict`).
 */
export async function scanPerf(
  inputs: InputSet,
  options: PerfOptions & { readonly strict: boolean; readonly timeZone?: string | undefined },
  stats: FileStats[],
  threads: ThreadChoice,
): Promise<ScanPerfReport> {
  return perfScanReport(await scanPerfAccumulators(inputs, options, stats, threads));
}

/** Reads the logs as scanPerf does, and returns everything collected (for more than the report: `logtrace serve`'s charts). */
export async function scanPerfAccumulator(
  inputs: InputSet,
  options: PerfOptions & { readonly strict: boolean; readonly timeZone?: string | undefined },
  stats: FileStats[],
  threads: ThreadChoice,
): Promise<PerfAccumulator> {
  return (await scanPerfAccumulators(inputs, options, stats, threads)).accumulator;
}

/** Reads the logs as scanPerf does; with `byHost`, also each host's accumulator. */
export async function scanPerfAccumulators(
  inputs: InputSet,
  options: PerfOptions & { readonly strict: boolean; readonly timeZone?: string | undefined; readonly byHost?: boolean },
  stats: FileStats[],
  threads: ThreadChoice,
): Promise<PerfScan> {
  const { strict, timeZone, byHost, ...perfOptions } = options;
  const parts: PerfParts[] = [];
  const hostParts = new Map<string | null, PerfParts[]>();
  await scanUnits(inputs, perfJob, { options: perfOptions, strict, timeZone, byHost }, threads, stats, (result) => {
    parts.push(result.parts.all);
    for (const [host, own] of result.parts.hosts) hostParts.set(host, [...(hostParts.get(host) ?? []), own]);
  });
  const accumulator = PerfAccumulator.merged(perfOptions, parts);
  if (byHost !== true) return { accumulator, hosts: undefined };
  // Units are merged in input order, host by host, as one pass over each host's lines would.
  const names = [...hostParts.keys()].sort((a, b) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1));
  return { accumulator, hosts: names.map((host) => [host, PerfAccumulator.merged(perfOptions, hostParts.get(host) ?? [])] as const) };
}

/** The report of a perf scan, with `by_host` when it kept each host's statistics. */
export function perfScanReport(scan: PerfScan): ScanPerfReport {
  const report = scan.accumulator.report();
  return scan.hosts === undefined ? report : { ...report, by_host: scan.hosts.map(([host, own]) => ({ host, ...own.report() })) };
}
