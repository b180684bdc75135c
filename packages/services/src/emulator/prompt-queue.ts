import { STOP, type HistoryEntry } from './execute-prompt.js';
import type { QueueItem } from './prompt-types.js';

/** What the queue needs: a way to run one prompt, and what to do when one "crashes" the server. */
export interface PromptQueueDeps {
  execute(item: QueueItem, signal: AbortSignal): Promise<HistoryEntry>;
  /** Called when a prompt's `crash` fault fires, after the queue and history were lost. */
  onCrash(): void;
  /** History entries kept (ComfyUI keeps 10 000). */
  readonly maxHistory?: number;
  /** ComfyUI's `queue_updated`: the queue changed (put, taken, done, deleted); `remaining` is running + pending. */
  queueUpdated?(remaining: number): void;
  /** A prompt's history entry is written and the queue updated (ComfyUI then sends `executing` null). */
  promptDone?(item: QueueItem): void;
}

/** ComfyUI's PromptQueue: a min-heap on (number, prompt_id), one worker, the history. */
export interface PromptQueue {
  put(item: QueueItem): void;
  /** The running item (at most one). */
  running(): QueueItem[];
  /** Pending items in the order they will run. */
  pending(): QueueItem[];
  /** Removes pending items by prompt id (`POST /queue {"delete": [...]}`). */
  remove(promptIds: readonly unknown[]): void;
  /** Removes every pending item (`POST /queue {"clear": true}`). */
  clearPending(): void;
  /** Interrupts the running prompt; returns false when nothing runs. */
  interrupt(): boolean;
  /** One finished prompt's entry. */
  historyOf(promptId: string): HistoryEntry | undefined;
  /** Finished prompts, oldest first, as `GET /history?max_items=&offset=` selects them. */
  history(maxItems?: number, offset?: number): Record<string, HistoryEntry>;
  deleteHistory(promptIds: readonly unknown[]): void;
  clearHistory(): void;
  /** Forgets everything, as a restarted ComfyUI would (used by the `crash` fault). */
  reset(): void;
  /** Stops the worker: the running prompt is abandoned, nothing new starts. */
  close(): void;
  /** Resolves once nothing is running or pending. */
  idle(): Promise<void>;
}

/** Creates the queue; prompts start as soon as they are put. */
export function createPromptQueue(deps: PromptQueueDeps): PromptQueue {
  const maxHistory = deps.maxHistory ?? 10_000;
  let pending: QueueItem[] = [];
  let current: { item: QueueItem; controller: AbortController } | undefined;
  const entries = new Map<string, HistoryEntry>();
  let closed = false;
  let waiters: Array<() => void> = [];

  const updated = (): void => deps.queueUpdated?.((current === undefined ? 0 : 1) + pending.length);
  const settle = (): void => {
    if (current !== undefined || pending.length > 0) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  const pump = (): void => {
    if (closed || current !== undefined) return;
    const item = pending.shift();
    if (item === undefined) {
      settle();
      return;
    }
    const run = { item, controller: new AbortController() };
    current = run;
    updated();
    deps
      .execute(item, run.controller.signal)
      .then((entry) => {
        if (current !== run) return;
        if (entries.size >= maxHistory) entries.delete(entries.keys().next().value as string);
        entries.set(item.promptId, entry);
        current = undefined;
        updated();
        deps.promptDone?.(item);
      })
      .catch((err: unknown) => {
        if (err === STOP.crash) {
          queue.reset();
          deps.onCrash();
        }
      })
      .finally(() => {
        if (current === run) current = undefined;
        pump();
      });
  };

  const queue: PromptQueue = {
    put(item) {
      pending.push(item);
      pending.sort((a, b) => a.number - b.number || (a.promptId < b.promptId ? -1 : a.promptId > b.promptId ? 1 : 0));
      updated();
      pump();
    },
    running: () => (current === undefined ? [] : [current.item]),
    pending: () => [...pending],
    remove(promptIds) {
      // ComfyUI deletes id by id; removing the last pending item goes through wipe_queue,
      // which announces the queue once more (execution.py:1155-1169).
      for (const promptId of promptIds) {
        const index = pending.findIndex((item) => item.promptId === promptId);
        if (index < 0) continue;
        if (pending.length === 1) {
          pending = [];
          updated();
        } else {
          pending.splice(index, 1);
        }
        updated();
      }
      settle();
    },
    clearPending() {
      pending = [];
      updated();
      settle();
    },
    interrupt() {
      if (current === undefined) return false;
      current.controller.abort(STOP.interrupt);
      return true;
    },
    historyOf: (promptId) => entries.get(promptId),
    history(maxItems, offset = -1) {
      const out: Record<string, HistoryEntry> = {};
      const start = offset < 0 && maxItems !== undefined ? entries.size - maxItems : offset;
      let i = 0;
      for (const [promptId, entry] of entries) {
        if (i >= start) {
          out[promptId] = entry;
          if (maxItems !== undefined && Object.keys(out).length >= maxItems) break;
        }
        i += 1;
      }
      return out;
    },
    deleteHistory(promptIds) {
      for (const promptId of promptIds) if (typeof promptId === 'string') entries.delete(promptId);
    },
    clearHistory: () => entries.clear(),
    reset() {
      current?.controller.abort(STOP.crash);
      current = undefined;
      pending = [];
      entries.clear();
      settle();
    },
    close() {
      closed = true;
      current?.controller.abort(STOP.shutdown);
      current = undefined;
      pending = [];
      settle();
    },
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      }),
  };
  return queue;
}
