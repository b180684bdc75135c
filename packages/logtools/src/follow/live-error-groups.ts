import { describeComfyuiIssue } from '../comfyui/describe-comfyui-issue.js';
import { ErrorGrouper, matchesErrorFilter, type ErrorFilter, type ErrorGroup, type MutableGroup } from '../errors/error-grouper.js';
import type { FollowItem } from './live-source.js';

/** What a new error is to the groups seen so far. */
export interface LiveError {
  /** `new_group`: the first of its group; `occurrence`: one more of a group already seen. */
  readonly kind: 'new_group' | 'occurrence';
  /** The group's count with this one. */
  readonly count: number;
  /** The group's key fields (as the errors report names them). */
  readonly group: {
    readonly service: string;
    readonly event: string | null;
    readonly error_code: string | null;
    readonly message: string;
    readonly last_frame: string | null;
  };
}

/**
 * Tells, for each error read while following, whether it starts a group or adds to
 * one. Each error is grouped by the ErrorGrouper `errors` uses (a grouper of one, so
 * the masking and exception reading are the same code); counts start from the groups
 * of the report printed before following.
 */
export class LiveErrorGroups {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly filter: ErrorFilter,
    initial: readonly ErrorGroup[] = [],
  ) {
    for (const g of initial) this.counts.set(keyOf(g.service, g.event, g.error_code, g.message, g.last_frame), g.count);
  }

  /** The error an item is, or undefined when it is not one (level, service, time). */
  take(item: FollowItem): LiveError | undefined {
    const one = new ErrorGrouper(this.filter.window);
    if (item.record !== undefined) {
      if (!matchesErrorFilter(item.record, this.filter)) return undefined;
      one.addRecord(item.record);
    } else if (item.entry !== undefined) {
      const issue = describeComfyuiIssue(item.entry);
      if (issue === undefined) return undefined;
      if (!matchesErrorFilter({ level: issue.level, service: 'comfyui', time: item.entry.time }, this.filter)) return undefined;
      const requestId = item.fields['request_id'];
      one.addIssue(
        issue,
        item.entry.time,
        item.entry.lines.map((l) => l.text),
        typeof requestId === 'string' ? requestId : undefined,
      );
    }
    const part = one.toParts()[0] as MutableGroup | undefined;
    if (part === undefined) return undefined;
    const key = keyOf(part.service, part.event, part.error_code, part.message, part.lastFrame);
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return {
      kind: count === 1 ? 'new_group' : 'occurrence',
      count,
      group: { service: part.service, event: part.event, error_code: part.error_code, message: part.message, last_frame: part.lastFrame },
    };
  }
}

function keyOf(service: string, event: string | null, errorCode: string | null, message: string, lastFrame: string | null): string {
  return JSON.stringify([service, event, errorCode, message, lastFrame]);
}
