import { EVENT, POST_ATTEMPT_EVENTS, type NormalizedRecord } from '@logtrace/shared/schema';
import { dequeuedPromptOf, postAttemptOf } from '../comfyui/attribute-comfyui.js';
import { hashId, PostAttemptList, type PostAttemptArrays } from '../comfyui/post-attempt-list.js';
import type { ScanJob, UnitSink } from '../engine/scan-job.js';
import type { FastLine } from '../kernel/fast-line.js';
import { VALUE_TYPE } from '../kernel/kernel-layout.js';
import { createNeedlePrefilter } from '../read/prefilter.js';
import { LOOKUP_FIELDS, lookupValue } from './lookup-fields.js';

/** What a trace pass reads. */
export interface TraceSpec {
  /** Byte needles: the id (or the ids found so far), plus the POST events when `posts`. */
  readonly needles: readonly string[];
  /** Keep lines with an id field starting with this; undefined keeps every line holding a needle. */
  readonly idPrefix: string | undefined;
  /** Collect the GPU server's POST /prompt attempts (for comfyui.log attribution). */
  readonly posts: boolean;
  readonly strict: boolean;
  /** Zone of times written without one (JobSpec). */
  readonly timeZone?: string | undefined;
}

/** What a trace unit found: the raw lines that matter, POST attempts in typed arrays, dequeued prompts. */
export interface TraceParts {
  /** Lines (numbered from the unit's start) and their bytes, decoded by the caller; each object of a glued line is one, with its `part`. */
  readonly lines: readonly { readonly line: number; readonly part: number; readonly bytes: Uint8Array }[];
  /** POST attempts, `orders` holding line numbers from the unit's start. */
  readonly posts: PostAttemptArrays;
  readonly dequeued: readonly string[];
}

/** `logtrace trace`'s reading: the lines holding the ids searched for, and the POST attempts. */
export const traceJob: ScanJob<TraceSpec, TraceParts> = {
  kind: 'trace',
  prefilter: (spec) => createNeedlePrefilter(spec.needles),
  createSink: (spec) => new TraceCollector(spec),
};

const DEQUEUED = ['dequeued'] as const;

/** Collects what a trace pass needs from parsed lines: see TraceParts. */
class TraceCollector implements UnitSink<TraceParts> {
  private readonly lines: { line: number; part: number; bytes: Uint8Array }[] = [];
  // Typed arrays: JS arrays of numbers cost twice the time here (270 000 attempts in a gigabyte).
  private readonly posts = new PostAttemptList();
  private readonly dequeued: string[] = [];

  constructor(private readonly spec: TraceSpec) {}

  get events(): readonly string[] {
    return POST_ATTEMPT_EVENTS;
  }

  fast(line: FastLine, lineNo: number): void {
    const prefix = this.spec.idPrefix;
    if (prefix === undefined || LOOKUP_FIELDS.some((k) => line.startsWith(k, prefix)))
      this.lines.push({ line: lineNo, part: 0, bytes: line.copyBytes() });
    if (!this.spec.posts) return;
    const event = POST_ATTEMPT_EVENTS[line.eventIndex()];
    if (event === undefined) return;
    const promptHash = line.hashOf('prompt_id', hashId);
    if (event === EVENT.comfyui_prompt_sent) this.posts.addHashed(line.time() ?? 0, lineNo, true, promptHash ?? -1);
    else if (promptHash === undefined && line.type('status') === VALUE_TYPE.number)
      this.posts.addHashed(line.time() ?? 0, lineNo, false, -1);
    if (event === EVENT.error_comfyui && promptHash !== undefined && line.oneOf('comfyui_cancel', DEQUEUED) !== undefined)
      this.dequeued.push(line.str('prompt_id') ?? '');
  }

  record(record: NormalizedRecord, lineNo: number, raw: Buffer, part: number): void {
    const prefix = this.spec.idPrefix;
    if (prefix === undefined || LOOKUP_FIELDS.some((k) => lookupValue(record, k)?.startsWith(prefix) === true))
      this.lines.push({ line: lineNo, part, bytes: new Uint8Array(raw) });
    if (!this.spec.posts) return;
    const accepted = postAttemptOf(record);
    if (accepted !== undefined)
      this.posts.addHashed(record.time, lineNo, accepted, record.prompt_id === undefined ? -1 : hashId(record.prompt_id));
    const removed = dequeuedPromptOf(record);
    if (removed !== undefined) this.dequeued.push(removed);
  }

  toParts(): TraceParts {
    return { lines: this.lines, posts: this.posts.toArrays(), dequeued: this.dequeued };
  }
}
