import { EVENT, ID_FIELDS } from '@logtrace/shared/schema';
import type { FollowItem } from './live-source.js';

/**
 * Picks, while following, the lines of one request: a line belongs to it when one of
 * its ids (ComfyUI's: those it was attributed to) is one already linked to the request
 * or starts with the id asked for (or its client_request_id does); the ids on such a line are linked from then on
 * (request_id → generation_id → prompt_id, as trace follows them). The request is
 * over at its `response_sent`.
 */
export class LiveTraceMatcher {
  private readonly linked = new Set<string>();
  /** The request's response_sent was seen. */
  done = false;

  constructor(
    private readonly prefix: string,
    known: Iterable<string> = [],
  ) {
    for (const id of known) this.linked.add(id);
  }

  /** True when the item belongs to the request (and links its ids). */
  take(item: FollowItem): boolean {
    const ids = ID_FIELDS.map((key) => item.fields[key]).filter((v): v is string => typeof v === 'string');
    // The caller's own X-Request-ID names the request too (trace takes it), but is not followed further.
    const client = item.fields['client_request_id'];
    const byClient = typeof client === 'string' && client.startsWith(this.prefix);
    if (!byClient && !ids.some((id) => this.linked.has(id) || id.startsWith(this.prefix))) return false;
    for (const id of ids) this.linked.add(id);
    if (item.record?.event === EVENT.response_sent) this.done = true;
    return true;
  }
}
