import { EVENT, POST_ATTEMPT_EVENTS, type NormalizedRecord } from '@logtrace/shared/schema';
import type { JobSpec, ScanJob, UnitSink } from '../engine/scan-job.js';
import type { FastLine } from '../kernel/fast-line.js';
import { VALUE_TYPE } from '../kernel/kernel-layout.js';
import { createNeedlePrefilter } from '../read/prefilter.js';
import { dequeuedPromptOf, postAttemptOf } from './attribute-comfyui.js';
import { hashId, PostAttemptList, type PostAttemptArrays } from './post-attempt-list.js';

/** What a unit of the POST-attempts scan found: the attempts, the request id of each (null for none), dequeued prompts. */
export interface PostAttemptParts {
  /** POST attempts, `orders` holding line numbers from the unit's start. */
  readonly posts: PostAttemptArrays;
  /** The request id of each attempt, in the same order. */
  readonly requestIds: readonly (string | null)[];
  readonly dequeued: readonly string[];
}

/**
 * The GPU server's POST /prompt attempts with their request ids, for attributing
 * comfyui.log entries outside `trace` (errors): the lines holding a POST event name,
 * read as trace reads them (TraceCollector), plus each attempt's `request_id`.
 */
export const postAttemptsJob: ScanJob<JobSpec, PostAttemptParts> = {
  kind: 'comfyui-posts',
  prefilter: () => createNeedlePrefilter(POST_ATTEMPT_EVENTS),
  createSink: () => new PostAttemptCollector(),
};

const DEQUEUED = ['dequeued'] as const;

class PostAttemptCollector implements UnitSink<PostAttemptParts> {
  private readonly posts = new PostAttemptList();
  private readonly requestIds: (string | null)[] = [];
  private readonly dequeued: string[] = [];

  get events(): readonly string[] {
    return POST_ATTEMPT_EVENTS;
  }

  fast(line: FastLine, lineNo: number): void {
    const event = POST_ATTEMPT_EVENTS[line.eventIndex()];
    if (event === undefined) return;
    const promptHash = line.hashOf('prompt_id', hashId);
    if (event === EVENT.comfyui_prompt_sent) this.add(line.time() ?? 0, lineNo, true, promptHash ?? -1, line.str('request_id'));
    else if (promptHash === undefined && line.type('status') === VALUE_TYPE.number)
      this.add(line.time() ?? 0, lineNo, false, -1, line.str('request_id'));
    if (event === EVENT.error_comfyui && promptHash !== undefined && line.oneOf('comfyui_cancel', DEQUEUED) !== undefined)
      this.dequeued.push(line.str('prompt_id') ?? '');
  }

  record(record: NormalizedRecord, lineNo: number): void {
    const accepted = postAttemptOf(record);
    if (accepted !== undefined)
      this.add(record.time, lineNo, accepted, record.prompt_id === undefined ? -1 : hashId(record.prompt_id), record.request_id);
    const removed = dequeuedPromptOf(record);
    if (removed !== undefined) this.dequeued.push(removed);
  }

  toParts(): PostAttemptParts {
    return { posts: this.posts.toArrays(), requestIds: this.requestIds, dequeued: this.dequeued };
  }

  private add(time: number, lineNo: number, accepted: boolean, promptHash: number, requestId: string | undefined): void {
    this.posts.addHashed(time, lineNo, accepted, promptHash);
    this.requestIds.push(requestId ?? null);
  }
}
