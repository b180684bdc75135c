// A scanning thread of a ScanPool: for each job it is sent, claims units (of the job's
// `shared` list) from the shared counter until none is left, posts each unit's result,
// then says it is done.
import { parentPort } from 'node:worker_threads';
import { SCAN_JOBS } from '../scan-jobs.js';
import type { PoolJob } from './scan-pool.js';
import type { ScanUnit } from './plan-units.js';
import { runUnit, transferablesOf } from './run-unit.js';

parentPort?.on('message', (job: PoolJob) => {
  void runJob(job);
});

async function runJob({ kind, spec, units, shared, counter }: PoolJob): Promise<void> {
  const job = SCAN_JOBS.get(kind);
  if (job === undefined) throw new Error(`scan worker: no job "${kind}"`);
  const next = new Int32Array(counter);
  for (let k = Atomics.add(next, 0, 1); k < shared.length; k = Atomics.add(next, 0, 1)) {
    const index = shared[k] ?? 0;
    const result = await runUnit(job, spec, units[index] as ScanUnit);
    // The typed arrays of a result are moved, not copied.
    parentPort?.postMessage({ index, result }, transferablesOf(result.parts));
  }
  parentPort?.postMessage({ done: true });
}
