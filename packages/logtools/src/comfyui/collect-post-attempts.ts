import type { FileStats } from '../read/file-stats.js';
import type { InputSet } from '../read/list-inputs.js';
import { inputOrder } from '../engine/scan-json-sources.js';
import type { ThreadChoice } from '../engine/scan-pool.js';
import { scanUnits } from '../engine/scan-units.js';
import { PostAttemptList, type PostAttemptArrays } from './post-attempt-list.js';
import { postAttemptsJob } from './post-attempts-job.js';

/** The GPU server's POST /prompt attempts in POST order, and the request each was made for. */
export interface RequestAttempts {
  readonly attempts: PostAttemptList;
  /** The request id of attempt `index` (undefined when its line named none). */
  requestIdOf(index: number): string | undefined;
}

/**
 * Reads the POST /prompt attempts of every JSON-lines file (postAttemptsJob, on every
 * core for a large input), in POST order with those taken out of ComfyUI's queue
 * marked, as trace's attribution reads them. The pass's per-file line counts go to
 * `stats` (pass a scratch list when another pass counts the same files).
 */
export async function collectPostAttempts(
  inputs: InputSet,
  threads: ThreadChoice,
  timeZone: string | undefined,
  stats: FileStats[],
): Promise<RequestAttempts> {
  const parts: { arrays: PostAttemptArrays; orderBase: number }[] = [];
  const requestIds = new Map<number, string>();
  const dequeued = new Set<string>();
  await scanUnits(inputs, postAttemptsJob, { strict: false, timeZone }, threads, stats, (result, unit, offset) => {
    const orderBase = inputOrder(unit, offset);
    const { posts } = result.parts;
    result.parts.requestIds.forEach((id, i) => {
      if (id !== null) requestIds.set(orderBase + (posts.orders[i] ?? 0), id);
    });
    parts.push({ arrays: posts, orderBase });
    for (const promptId of result.parts.dequeued) dequeued.add(promptId);
  });
  const attempts = PostAttemptList.concat(parts);
  attempts.markDequeued(dequeued);
  attempts.sort();
  return { attempts, requestIdOf: (index) => requestIds.get(attempts.orderOf(index)) };
}
