import { ID_FIELDS, type NormalizedRecord } from '@logtrace/shared/schema';
import { ComfyuiAttributor, dequeuedPromptOf, postAttemptOf, type PostAttempts } from '../comfyui/attribute-comfyui.js';
import type { ComfyuiEntry } from '../comfyui/parse-comfyui-entries.js';

/** A POST /prompt attempt seen live, with the ids of the record that logged it. */
interface LiveAttempt {
  readonly time: number;
  readonly accepted: boolean;
  dequeued: boolean;
  readonly ids: Readonly<Record<string, string>>;
}

/**
 * Attributes comfyui.log entries to the GPU server's POST /prompt attempts as they
 * arrive, with the attributor `trace` uses (ComfyuiAttributor, docs/comfyui.md).
 * Attempts are taken when their line is read (observe), entries when they leave the
 * reorder window (attribute): a `got prompt` is printed before the GPU server logs the
 * answer, and the window gives that line time to arrive.
 */
export class LiveAttribution {
  private readonly attempts: LiveAttempt[] = [];
  private readonly attributor: ComfyuiAttributor;

  constructor() {
    const attempts = this.attempts;
    const view: PostAttempts = {
      get length() {
        return attempts.length;
      },
      time: (i) => attempts[i]?.time ?? Infinity,
      runs: (i) => attempts[i]?.accepted === true && attempts[i]?.dequeued !== true,
    };
    this.attributor = new ComfyuiAttributor(view);
  }

  /** Takes a record in its file's order: a POST attempt, or a prompt taken out of ComfyUI's queue. */
  observe(record: NormalizedRecord): void {
    const accepted = postAttemptOf(record);
    if (accepted !== undefined) {
      const ids: Record<string, string> = {};
      for (const key of ID_FIELDS) {
        const value = record[key];
        if (value !== undefined) ids[key] = value;
      }
      this.attempts.push({ time: record.time, accepted, dequeued: false, ids });
      return;
    }
    const dequeued = dequeuedPromptOf(record);
    if (dequeued === undefined) return;
    for (let i = this.attempts.length - 1; i >= 0; i--) {
      const attempt = this.attempts[i] as LiveAttempt;
      if (attempt.ids['prompt_id'] === dequeued) {
        attempt.dequeued = true;
        return;
      }
    }
  }

  /** The ids of the request an entry belongs to and how it was tied to it, or undefined. */
  attribute(entry: ComfyuiEntry): { readonly ids: Readonly<Record<string, string>>; readonly attribution: string } | undefined {
    const { post, attribution } = this.attributor.push(entry);
    if (post === undefined || attribution === undefined) return undefined;
    const attempt = this.attempts[post];
    return attempt === undefined ? undefined : { ids: attempt.ids, attribution };
  }
}
