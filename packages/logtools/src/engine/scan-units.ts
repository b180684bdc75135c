import { FileStats, MAX_SAMPLES } from '../read/file-stats.js';
import type { InputSet } from '../read/list-inputs.js';
import { DONE, planUnits, type ResumePlan, type ScanUnit } from './plan-units.js';
import type { IndexedFile, ScanIndex, ScannedSegment } from './scan-index.js';
import { jsonSources } from './scan-json-sources.js';
import { runUnit, type UnitResult } from './run-unit.js';
import type { JobSpec, ScanJob } from './scan-job.js';
import { ScanPool, type ThreadChoice } from './scan-pool.js';

/** Below this many bytes of JSON lines, starting a worker costs more than it saves. */
export const PARALLEL_MIN_BYTES = 48 * 1024 * 1024;

/**
 * Runs a job (with its spec) over every JSON-lines file: the files are cut into units of whole lines
 * that this thread and `threads − 1` workers (started by the first scan of the
 * command and kept in `choice.workers`) claim one at a time from a shared counter; then, in input order, each unit's stats are folded into its file's
 * FileStats (appended to `stats`, one per file) and its partial result is handed to
 * `merge` with the number of lines of its file before it. Merging in input order keeps every answer identical to a single pass.
 * `mainFirst`, if given, runs on this thread before it joins the scanning.
 * With an index (`choice.index`), a file starts where the segments it holds end, those
 * segments are merged in their place, and what was read is handed back to it.
 */
export async function scanUnits<Spec extends JobSpec, Parts>(
  inputs: InputSet,
  job: ScanJob<Spec, Parts>,
  spec: Spec,
  choice: ThreadChoice,
  stats: FileStats[],
  merge: (result: UnitResult<Parts>, unit: ScanUnit, lineOffset: number) => void,
  mainFirst?: () => Promise<void>,
): Promise<void> {
  const known = choice.index === undefined ? undefined : loadKnown(inputs, job.kind, spec, choice.index);
  const { units, bytes } = planUnits(inputs, choice.threads, known === undefined ? undefined : resumePlan(known));
  // Workers take pieces of plain files; .gz files stay on this thread, one at a time:
  // zlib already inflates on its own thread, and each stream holds tens of MB of buffers.
  const plain = units.flatMap((u, i) => (u.gz ? [] : [i]));
  const gz = units.flatMap((u, i) => (u.gz ? [i] : []));
  const parallel = plain.length >= 2 && (choice.forced || bytes >= PARALLEL_MIN_BYTES);
  const pool = parallel ? (choice.workers.pool ??= ScanPool.start(choice.threads - 1)) : undefined;
  const results: (UnitResult<Parts> | undefined)[] = new Array<UnitResult<Parts> | undefined>(units.length);
  const counter = new SharedArrayBuffer(4);
  const next = new Int32Array(counter);
  const count = Math.min(pool?.size ?? 0, plain.length - 1);
  const running =
    pool === undefined
      ? Promise.resolve()
      : pool.run<Parts>(count, { kind: job.kind, spec, units, shared: plain, counter }, (index, result) => (results[index] = result));
  // Other work of this thread (comfyui.log for errors) runs while the workers start scanning.
  if (mainFirst !== undefined) await mainFirst();
  for (const index of gz) results[index] = await runUnit(job, spec, units[index] as ScanUnit);
  for (let k = Atomics.add(next, 0, 1); k < plain.length; k = Atomics.add(next, 0, 1)) {
    const index = plain[k] ?? 0;
    results[index] = await runUnit(job, spec, units[index] as ScanUnit);
  }
  await running;
  if (known === undefined || choice.index === undefined) {
    foldResults(units, results, stats, merge);
    return;
  }
  saveKnown(known, units, results, job.kind, spec, choice.index);
  const all = withKnown(known, units, results);
  foldResults(all.units, all.results, stats, merge);
}

/** What an index holds of one file: its segments, which file and how it is read. */
interface KnownFile {
  readonly source: number;
  readonly file: number;
  /** Its source's host label (several directories): the parts it gives depend on it. */
  readonly host: string | undefined;
  readonly indexed: IndexedFile | undefined;
  readonly segments: readonly ScannedSegment<unknown>[];
}

/** Each JSON-lines file with the segments the index can vouch for (none for a wrapped or unopened file: those are read whole). */
function loadKnown(inputs: InputSet, kind: string, spec: JobSpec, index: ScanIndex): KnownFile[] {
  return jsonSources(inputs).flatMap(({ source, index: s }) =>
    source.files.map((input, f) => {
      const indexed =
        input.fd === undefined || source.wrapper !== undefined ? undefined : { input, service: source.service, wrapper: undefined };
      const segments = indexed === undefined ? [] : index.load(kind, specFor(spec, source.host), indexed);
      // Only what can be resumed: within the file as listed, and a .gz file whole.
      const end = segments[segments.length - 1]?.end ?? 0;
      const usable = end <= (input.size ?? 0) && (!input.gz || end === input.size);
      return { source: s, file: f, host: source.host, indexed, segments: usable ? segments : [] };
    }),
  );
}

function resumePlan(known: readonly KnownFile[]): ResumePlan {
  const starts = new Map(
    known.flatMap((k) => {
      const last = k.segments[k.segments.length - 1];
      if (last === undefined) return [];
      return [[`${k.source}/${k.file}`, last.end >= (k.indexed?.input.size ?? Infinity) ? DONE : last.end] as const];
    }),
  );
  return { startOf: (source, file) => starts.get(`${source}/${file}`) };
}

/** Hands each indexable file's segments (those held, then the units read up to its last whole line) to the index, when some are new and none failed. */
function saveKnown<Parts>(
  known: readonly KnownFile[],
  units: readonly ScanUnit[],
  results: readonly (UnitResult<Parts> | undefined)[],
  kind: string,
  spec: JobSpec,
  index: ScanIndex,
): void {
  const byFile = new Map<string, ScannedSegment<unknown>[]>();
  const failed = new Set<string>();
  units.forEach((unit, i) => {
    const key = `${unit.source}/${unit.file}`;
    const result = results[i];
    if (result === undefined || result.stats.error !== undefined) failed.add(key);
    const end = unit.gz ? unit.size : unit.end;
    if (result === undefined || end === undefined || !Number.isFinite(end)) return;
    const list = byFile.get(key) ?? [];
    list.push({ start: unit.start, end, result });
    byFile.set(key, list);
  });
  for (const k of known) {
    const key = `${k.source}/${k.file}`;
    const fresh = byFile.get(key);
    if (k.indexed === undefined || fresh === undefined || failed.has(key)) continue;
    index.save(kind, specFor(spec, k.host), k.indexed, [...k.segments, ...fresh]);
  }
}

/**
 * The spec an index keys a file's segments with: a unit's parts name its directory's
 * host (errors' hosts, perf by host), so a file read among several directories is
 * kept apart from the same file read alone (whose key stays the spec itself).
 */
function specFor(spec: JobSpec, host: string | undefined): JobSpec {
  return host === undefined ? spec : ({ ...spec, directoryHost: host } as JobSpec);
}

/** The units and results in input order with each file's held segments first. */
function withKnown<Parts>(
  known: readonly KnownFile[],
  units: readonly ScanUnit[],
  results: readonly (UnitResult<Parts> | undefined)[],
): { units: ScanUnit[]; results: (UnitResult<Parts> | undefined)[] } {
  const all: { units: ScanUnit[]; results: (UnitResult<Parts> | undefined)[] } = { units: [], results: [] };
  let next = 0;
  for (const k of known) {
    const input = k.indexed?.input;
    for (const segment of k.segments) {
      if (input === undefined) break;
      all.units.push({
        source: k.source,
        file: k.file,
        path: input.path,
        gz: input.gz,
        fd: input.fd,
        size: input.size,
        service: k.indexed?.service ?? '',
        host: k.host,
        wrapper: undefined,
        start: segment.start,
        end: segment.end,
      });
      all.results.push(segment.result as UnitResult<Parts>);
    }
    for (; next < units.length && units[next]?.source === k.source && units[next]?.file === k.file; next++) {
      all.units.push(units[next] as ScanUnit);
      all.results.push(results[next]);
    }
  }
  return all;
}

function foldResults<Parts>(
  units: readonly ScanUnit[],
  results: readonly (UnitResult<Parts> | undefined)[],
  stats: FileStats[],
  merge: (result: UnitResult<Parts>, unit: ScanUnit, lineOffset: number) => void,
): void {
  let current: FileStats | undefined;
  let key = '';
  units.forEach((unit, i) => {
    const result = results[i];
    if (result === undefined) throw new Error(`scan unit ${i} (${unit.path}) has no result`);
    if (`${unit.source}/${unit.file}` !== key || current === undefined) {
      key = `${unit.source}/${unit.file}`;
      current = new FileStats(unit.path);
      stats.push(current);
    }
    const offset = current.lines;
    current.lines += result.stats.lines;
    current.skipped += result.stats.skipped;
    current.glued += result.stats.glued;
    for (const [reason, count] of Object.entries(result.stats.reasons)) {
      const r = reason as keyof FileStats['reasons'];
      current.reasons[r] = (current.reasons[r] ?? 0) + (count ?? 0);
    }
    for (const sample of result.stats.samples) {
      if (current.samples.length < MAX_SAMPLES) current.samples.push({ ...sample, line: sample.line + offset });
    }
    current.error ??= result.stats.error;
    merge(result, unit, offset);
  });
}
