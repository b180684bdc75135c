import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FileStats, MAX_SAMPLES } from '../input/file-stats.js';
import type { InputSet } from '../input/list-inputs.js';
import { planUnits, type ScanUnit } from './plan-units.js';
import { runUnit, type JobSpec, type UnitResult } from './unit-jobs.js';

/** Below this many bytes of JSON lines, starting a worker costs more than it saves. */
export const PARALLEL_MIN_BYTES = 48 * 1024 * 1024;

/** How many threads scan: `LOGTRACE_THREADS` when set (tests force 2 on small inputs), else one per core. */
export interface ThreadChoice {
  readonly threads: number;
  /** True when the number was given, so it applies to small inputs too. */
  readonly forced: boolean;
}

/** Reads LOGTRACE_THREADS (a whole number ≥ 1); anything else means one thread per core. */
export function chooseThreads(env: Readonly<Record<string, string | undefined>>): ThreadChoice {
  const given = Number(env['LOGTRACE_THREADS']);
  if (Number.isSafeInteger(given) && given >= 1) return { threads: given, forced: true };
  return { threads: availableParallelism(), forced: false };
}

/**
 * Runs a job over every JSON-lines file: the files are cut into units of whole lines
 * that this thread and `threads − 1` workers claim one at a time from a shared
 * counter; then, in input order, each unit's stats are folded into its file's
 * FileStats (appended to `stats`, one per file) and its partial result is handed to
 * `merge` with the number of lines of its file before it. Merging in input order keeps every answer identical to a single pass.
 * `mainFirst`, if given, runs on this thread before it joins the scanning.
 */
export async function scanUnits(
  inputs: InputSet,
  spec: JobSpec,
  choice: ThreadChoice,
  stats: FileStats[],
  merge: (result: UnitResult, unit: ScanUnit, lineOffset: number) => void,
  mainFirst?: () => Promise<void>,
): Promise<void> {
  const { units, bytes } = planUnits(inputs, choice.threads);
  // Workers take pieces of plain files; .gz files stay on this thread, one at a time:
  // zlib already inflates on its own thread, and each stream holds tens of MB of buffers.
  const plain = units.flatMap((u, i) => (u.gz ? [] : [i]));
  const gz = units.flatMap((u, i) => (u.gz ? [i] : []));
  const parallel = plain.length >= 2 && (choice.forced || bytes >= PARALLEL_MIN_BYTES);
  const workers = parallel ? Math.min(choice.threads - 1, plain.length) : 0;
  const results: (UnitResult | undefined)[] = new Array<UnitResult | undefined>(units.length);
  const counter = new SharedArrayBuffer(4);
  const next = new Int32Array(counter);
  const running: Promise<void>[] = [];
  for (let i = 0; i < workers; i++) running.push(startWorker(spec, units, plain, counter, results));
  // Other work of this thread (comfyui.log for errors) runs while the workers start scanning.
  if (mainFirst !== undefined) await mainFirst();
  for (const index of gz) results[index] = await runUnit(spec, units[index] as ScanUnit);
  for (let k = Atomics.add(next, 0, 1); k < plain.length; k = Atomics.add(next, 0, 1)) {
    const index = plain[k] ?? 0;
    results[index] = await runUnit(spec, units[index] as ScanUnit);
  }
  await Promise.all(running);
  foldResults(units, results, stats, merge);
}

function startWorker(
  spec: JobSpec,
  units: readonly ScanUnit[],
  shared: readonly number[],
  counter: SharedArrayBuffer,
  results: (UnitResult | undefined)[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: { spec, units, shared, counter } });
    worker.on('message', (message: { index?: number; result?: UnitResult; done?: boolean }) => {
      if (message.index !== undefined) results[message.index] = message.result;
      if (message.done === true) void worker.terminate().then(() => resolve());
    });
    worker.on('error', reject);
    worker.on('exit', () => resolve());
  });
}

function foldResults(
  units: readonly ScanUnit[],
  results: readonly (UnitResult | undefined)[],
  stats: FileStats[],
  merge: (result: UnitResult, unit: ScanUnit, lineOffset: number) => void,
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
