import { FileStats, MAX_SAMPLES } from '../read/file-stats.js';
import type { InputSet } from '../read/list-inputs.js';
import { planUnits, type ScanUnit } from './plan-units.js';
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
  const { units, bytes } = planUnits(inputs, choice.threads);
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
  foldResults(units, results, stats, merge);
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
