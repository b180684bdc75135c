// A scanning thread: claims units from the shared counter until none is left and posts
// each unit's result (see scanUnits).
import { parentPort, workerData } from 'node:worker_threads';
import type { ScanUnit } from './plan-units.js';
import { runUnit, type JobSpec } from './unit-jobs.js';

const { spec, units, counter } = workerData as { spec: JobSpec; units: ScanUnit[]; counter: SharedArrayBuffer };
const next = new Int32Array(counter);
for (let index = Atomics.add(next, 0, 1); index < units.length; index = Atomics.add(next, 0, 1)) {
  const result = await runUnit(spec, units[index] as ScanUnit);
  parentPort?.postMessage({ index, result });
}
parentPort?.postMessage({ done: true });
