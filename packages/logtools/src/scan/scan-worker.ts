// A scanning thread: claims units (of the `shared` list) from the shared counter until
// none is left and posts each unit's result (see scanUnits).
import { parentPort, workerData } from 'node:worker_threads';
import type { ScanUnit } from './plan-units.js';
import { runUnit, transferablesOf, type JobSpec } from './unit-jobs.js';

const { spec, units, shared, counter } = workerData as { spec: JobSpec; units: ScanUnit[]; shared: number[]; counter: SharedArrayBuffer };
const next = new Int32Array(counter);
for (let k = Atomics.add(next, 0, 1); k < shared.length; k = Atomics.add(next, 0, 1)) {
  const index = shared[k] ?? 0;
  const result = await runUnit(spec, units[index] as ScanUnit);
  // The typed arrays of a result are moved, not copied: a whole .gz file is one unit.
  parentPort?.postMessage({ index, result }, transferablesOf(result.parts));
}
parentPort?.postMessage({ done: true });
