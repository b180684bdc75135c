/** One kind of request the driver sends, and how often (relative weight). */
export interface RequestKind {
  readonly name: string;
  readonly weight: number;
  /** JSON body for the i-th request of this kind. */
  body(i: number): unknown;
  /** Extra headers (e.g. a short deadline). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What happened to one request. */
export interface DrivenRequest {
  readonly kind: string;
  readonly status: number;
  readonly requestId: string | undefined;
  /** Round trip in ms, as the client saw it. */
  readonly durationMs: number;
  /** Transport failure message when there was no HTTP answer. */
  readonly error?: string;
}

/** Options for driveRequests. */
export interface DriveOptions {
  /** Base URL of the backend, e.g. http://127.0.0.1:8000. */
  readonly url: string;
  readonly count: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  readonly kinds: readonly RequestKind[];
  /** Per-request client deadline in ms (default 300 000). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Monotonic clock in ms (default performance.now). */
  readonly now?: () => number;
  /** Called after each request (progress). */
  readonly onResult?: (result: DrivenRequest) => void;
}

/**
 * Picks the kind of the i-th request: kinds are spread in proportion to their weights,
 * deterministically (a weighted round robin), so a run of N requests always has the
 * same mix. Pure.
 */
export function pickKind(kinds: readonly RequestKind[], i: number): RequestKind {
  const total = kinds.reduce((sum, k) => sum + k.weight, 0);
  let slot = (i * 7919) % total;
  for (const kind of kinds) {
    if (slot < kind.weight) return kind;
    slot -= kind.weight;
  }
  throw new Error('pickKind: no kinds with a positive weight');
}

/**
 * Sends `count` generate requests to the backend with at most `concurrency` in flight,
 * reading every response body, and returns what happened to each, in send order.
 */
export async function driveRequests(options: DriveOptions): Promise<DrivenRequest[]> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? (() => performance.now());
  const results: DrivenRequest[] = new Array<DrivenRequest>(options.count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.count) {
      const i = next;
      next += 1;
      const kind = pickKind(options.kinds, i);
      const started = now();
      let result: DrivenRequest;
      try {
        const response = await doFetch(`${options.url}/api/generate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...kind.headers },
          body: JSON.stringify(kind.body(i)),
          signal: AbortSignal.timeout(options.timeoutMs ?? 300_000),
        });
        await response.arrayBuffer();
        result = {
          kind: kind.name,
          status: response.status,
          requestId: response.headers.get('x-request-id') ?? undefined,
          durationMs: Math.round(now() - started),
        };
      } catch (err) {
        result = {
          kind: kind.name,
          status: 0,
          requestId: undefined,
          durationMs: Math.round(now() - started),
          error: err instanceof Error ? err.message : String(err),
        };
      }
      results[i] = result;
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, options.count)) }, worker));
  return results;
}
