import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScanUnit } from './plan-units.js';
import type { UnitResult } from './run-unit.js';
import type { JobSpec } from './scan-job.js';
import type { ScanIndex } from './scan-index.js';

/** How many threads scan: `LOGTRACE_THREADS` when set (tests force several on small inputs), else one per core. */
export interface ThreadChoice {
  readonly threads: number;
  /** True when the number was given, so it applies to small inputs too. */
  readonly forced: boolean;
  /** The workers (threads − 1 of them), started by the first scan that needs them and kept for the next. */
  readonly workers: { pool?: ScanPool | undefined };
  /** What was already read of each file (the cache), unless `--no-cache`: the scans start after it. */
  readonly index?: ScanIndex | undefined;
}

/** Reads LOGTRACE_THREADS (a whole number ≥ 1); anything else means one thread per core. */
export function chooseThreads(env: Readonly<Record<string, string | undefined>>): ThreadChoice {
  const given = Number(env['LOGTRACE_THREADS']);
  const choice =
    Number.isSafeInteger(given) && given >= 1 ? { threads: given, forced: true } : { threads: availableParallelism(), forced: false };
  return { ...choice, workers: {} };
}

/** Runs `body` with the scanning threads chosen from `env`, and stops the workers its scans started. */
export async function withScanThreads<T>(
  env: Readonly<Record<string, string | undefined>>,
  body: (threads: ThreadChoice) => Promise<T>,
): Promise<T> {
  const threads = chooseThreads(env);
  try {
    return await body(threads);
  } finally {
    threads.workers.pool?.close();
  }
}

/** A job for the workers: the units and the indexes of those they share through `counter`. */
export interface PoolJob {
  /** The ScanJob's kind, looked up in the workers' registry (scan-jobs.ts). */
  readonly kind: string;
  readonly spec: JobSpec;
  readonly units: readonly ScanUnit[];
  readonly shared: readonly number[];
  readonly counter: SharedArrayBuffer;
}

type WorkerMessage = { readonly index: number; readonly result: UnitResult<unknown> } | { readonly done: true };

/** Scanning workers (scan-worker.ts), reused by every scan of a command. */
export class ScanPool {
  private constructor(private readonly workers: readonly Worker[]) {}

  /** Starts `size` workers; undefined when size is 0 or the worker script is missing (running from sources). */
  static start(size: number): ScanPool | undefined {
    const url = new URL('./scan-worker.js', import.meta.url);
    if (size < 1 || !existsSync(fileURLToPath(url))) return undefined;
    return new ScanPool(
      Array.from({ length: size }, () => {
        const worker = new Worker(url);
        worker.unref();
        return worker;
      }),
    );
  }

  /** Number of workers. */
  get size(): number {
    return this.workers.length;
  }

  /** Runs a job on the first `count` workers; each result goes to `onResult`. Resolves when they are all done. */
  run<Parts>(count: number, job: PoolJob, onResult: (index: number, result: UnitResult<Parts>) => void): Promise<void> {
    return Promise.all(
      this.workers.slice(0, count).map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const onMessage = (message: WorkerMessage) => {
              if ('index' in message) {
                onResult(message.index, message.result as UnitResult<Parts>);
                return;
              }
              worker.off('message', onMessage);
              worker.off('error', reject);
              worker.unref();
              resolve();
            };
            worker.on('message', onMessage);
            worker.on('error', reject);
            worker.ref();
            worker.postMessage(job);
          }),
      ),
    ).then(() => undefined);
  }

  /** Stops the workers. */
  close(): void {
    for (const worker of this.workers) void worker.terminate();
  }
}
