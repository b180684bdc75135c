import { setTimeout as delay } from 'node:timers/promises';
import { callComfyui, isRetryable, type ComfyuiAnswer, type ComfyuiCall } from './call-comfyui.js';
import { COMFYUI_ERROR_CODES as CODES, ComfyuiError, snippet } from './comfyui-error.js';
import { parseHistoryResponse, type ImageRef, type PromptState } from './parse-history-response.js';
import { httpError, isObject, parseJsonText, parsePromptResponse, type QueuedPrompt } from './parse-prompt-response.js';

/** Settings of the ComfyUI client; times in milliseconds, sizes in bytes. */
export interface ComfyuiClientOptions {
  /** `http://127.0.0.1:8188`, no trailing slash needed. */
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
  /** POST /prompt deadline (never retried: a retry could queue the job twice). Default 10 000. */
  readonly submitTimeoutMs?: number;
  /** Deadline of each poll, queue check, health check and control call. Default 5 000. */
  readonly pollTimeoutMs?: number;
  /** Deadline of one image download. Default 30 000. */
  readonly viewTimeoutMs?: number;
  /** Largest image accepted. Default 32 MiB. */
  readonly maxImageBytes?: number;
  /** Largest JSON answer accepted (history, queue, system_stats). Default 8 MiB. */
  readonly maxJsonBytes?: number;
  /** Milliseconds before the single retry of a GET whose connection broke. Default 100-200 ms. */
  readonly retryDelayMs?: () => number;
}

/** What POST /prompt sends besides the graph. */
export interface SubmitOptions {
  /** ComfyUI's client_id (websocket routing; also stored with the queue item). */
  readonly clientId: string;
  /** The prompt id to ask for (ComfyUI since 2025-07 uses it; older ones make their own). */
  readonly promptId?: string;
  /** Sent as `extra_data`; may hold `api_key_comfy_org`, so it is never logged. */
  readonly extraData?: Readonly<Record<string, unknown>>;
  readonly signal?: AbortSignal;
}

/** A downloaded image. */
export interface FetchedImage {
  readonly bytes: Uint8Array;
  readonly contentType: string;
}

/** Facts from GET /system_stats. */
export interface SystemStats {
  readonly comfyuiVersion: string | undefined;
  readonly devices: readonly string[];
}

/** The ComfyUI HTTP API as the GPU server uses it; every method throws ComfyuiError. */
export interface ComfyuiClient {
  /** `POST /prompt {prompt, client_id, extra_data}`; 400 throws `prompt_invalid` with node_errors. */
  submitPrompt(graph: Readonly<Record<string, unknown>>, options: SubmitOptions): Promise<QueuedPrompt>;
  /** `GET /history/{id}`: pending, or success with image refs; failures throw. */
  getPromptState(promptId: string, signal?: AbortSignal): Promise<PromptState>;
  /** `GET /queue`: whether the prompt is still running or pending. */
  isQueued(promptId: string, signal?: AbortSignal): Promise<boolean>;
  /** `GET /queue`: every running and pending item (items that are not `[number, id, ...]` skipped). */
  listQueue(signal?: AbortSignal): Promise<QueueListing>;
  /** `GET /view?filename&subfolder&type`, capped at maxImageBytes. */
  fetchImage(image: ImageRef, signal?: AbortSignal): Promise<FetchedImage>;
  /** `GET /system_stats` with its own short deadline. */
  systemStats(timeoutMs?: number): Promise<SystemStats>;
  /**
   * Stops a prompt we gave up on: `POST /interrupt {prompt_id}` if `GET /queue` shows it
   * running (checked first because ComfyUI before 2025-09 ignores `prompt_id` and would
   * interrupt whatever runs), `POST /queue {delete}` if it is pending.
   */
  cancel(promptId: string): Promise<CancelOutcome>;
}

/** What cancel did. */
export type CancelOutcome = 'interrupted' | 'dequeued' | 'not_queued';

/** One item of ComfyUI's queue: its prompt id and `extra_data` (as ComfyUI shows it: api keys removed). */
export interface QueueEntry {
  readonly promptId: string;
  readonly extraData: unknown;
}

/** `GET /queue`: the running and the pending items, in ComfyUI's order. */
export interface QueueListing {
  readonly running: readonly QueueEntry[];
  readonly pending: readonly QueueEntry[];
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

/** Creates a client for one ComfyUI server. */
export function createComfyuiClient(options: ComfyuiClientOptions): ComfyuiClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const pollTimeoutMs = options.pollTimeoutMs ?? 5000;
  const maxJsonBytes = options.maxJsonBytes ?? 8 * 1024 * 1024;
  const retryDelayMs = options.retryDelayMs ?? (() => 100 + Math.floor(Math.random() * 100));
  const call = (path: string, rest: Omit<ComfyuiCall, 'fetch' | 'url' | 'label'> & { method?: string }): Promise<ComfyuiAnswer> =>
    callComfyui({ fetch: doFetch, url: `${base}${path}`, label: `${rest.method ?? 'GET'} ${path.split('?')[0]}`, ...rest });

  // Idempotent GETs get one retry after a broken or refused connection.
  const get = async (path: string, signal: AbortSignal | undefined, timeoutMs = pollTimeoutMs): Promise<ComfyuiAnswer> => {
    try {
      return await call(path, { timeoutMs, signal, maxBytes: maxJsonBytes });
    } catch (err) {
      if (!(err instanceof ComfyuiError) || !isRetryable(err) || signal?.aborted === true) throw err;
      await delay(retryDelayMs(), undefined, signal === undefined ? undefined : { signal }).catch(() => undefined);
      return call(path, { timeoutMs, signal, maxBytes: maxJsonBytes });
    }
  };
  const post = (path: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<ComfyuiAnswer> =>
    call(path, {
      method: 'POST',
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      timeoutMs,
      signal,
      maxBytes: maxJsonBytes,
    });
  const text = (answer: ComfyuiAnswer): string => Buffer.from(answer.body).toString('utf8');
  // GET /queue: the running and pending items (each `[number, prompt_id, prompt, extra_data, outputs]`).
  const listQueue = async (signal: AbortSignal | undefined): Promise<QueueListing> => {
    const answer = await get('/queue', signal);
    if (answer.status !== 200) throw httpError('GET /queue', answer.status, text(answer));
    const body = parseJsonText(text(answer));
    if (!isObject(body)) throw new ComfyuiError(CODES.badResponse, `GET /queue answered ${snippet(text(answer))}`, { status: 200 });
    const entries = (list: unknown): QueueEntry[] =>
      Array.isArray(list)
        ? list.flatMap((item: unknown) =>
            Array.isArray(item) && typeof item[1] === 'string' ? [{ promptId: item[1], extraData: item[3] }] : [],
          )
        : [];
    return { running: entries(body['queue_running']), pending: entries(body['queue_pending']) };
  };
  const readQueue = async (signal: AbortSignal | undefined): Promise<{ running: string[]; pending: string[] }> => {
    const queue = await listQueue(signal);
    return { running: queue.running.map((e) => e.promptId), pending: queue.pending.map((e) => e.promptId) };
  };

  return {
    async submitPrompt(graph, submit) {
      const body = {
        prompt: graph,
        client_id: submit.clientId,
        ...(submit.promptId === undefined ? {} : { prompt_id: submit.promptId }),
        ...(submit.extraData ? { extra_data: submit.extraData } : {}),
      };
      const answer = await post('/prompt', body, options.submitTimeoutMs ?? 10_000, submit.signal);
      const parsed = parsePromptResponse(answer.status, text(answer));
      if (!parsed.ok) throw parsed.error;
      return parsed.value;
    },
    async getPromptState(promptId, signal) {
      const answer = await get(`/history/${encodeURIComponent(promptId)}`, signal);
      const parsed = parseHistoryResponse(answer.status, text(answer), promptId);
      if (!parsed.ok) throw parsed.error;
      return parsed.value;
    },
    async isQueued(promptId, signal) {
      const queue = await readQueue(signal);
      return queue.running.includes(promptId) || queue.pending.includes(promptId);
    },
    listQueue,
    async fetchImage(image, signal) {
      const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder, type: image.type });
      const answer = await call(`/view?${query.toString()}`, {
        timeoutMs: options.viewTimeoutMs ?? 30_000,
        signal,
        maxBytes: options.maxImageBytes ?? 32 * 1024 * 1024,
        tooLargeCode: CODES.imageTooLarge,
      });
      if (answer.status === 404) {
        throw new ComfyuiError(CODES.imageNotFound, `GET /view found no ${image.type} image ${JSON.stringify(image.filename)}`, {
          status: 404,
        });
      }
      if (answer.status !== 200) throw httpError('GET /view', answer.status, text(answer));
      const contentType = (answer.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const looksPng = PNG_SIGNATURE.every((b, i) => answer.body[i] === b);
      if (!(contentType.startsWith('image/') || (contentType === 'application/octet-stream' && looksPng))) {
        throw new ComfyuiError(CODES.badResponse, `GET /view answered ${contentType || 'no content type'}, not an image`, { status: 200 });
      }
      if (contentType === 'image/png' && !looksPng) {
        throw new ComfyuiError(CODES.badResponse, 'GET /view answered image/png bytes that are not a PNG', { status: 200 });
      }
      return { bytes: answer.body, contentType: contentType.startsWith('image/') ? contentType : 'image/png' };
    },
    async systemStats(timeoutMs = 2000) {
      const answer = await call('/system_stats', { timeoutMs, maxBytes: maxJsonBytes });
      if (answer.status !== 200) throw httpError('GET /system_stats', answer.status, text(answer));
      const body = parseJsonText(text(answer));
      if (!isObject(body) || !isObject(body['system'])) {
        throw new ComfyuiError(CODES.badResponse, `GET /system_stats answered ${snippet(text(answer))}`, { status: 200 });
      }
      const version = body['system']['comfyui_version'];
      const devices = Array.isArray(body['devices']) ? body['devices'] : [];
      return {
        comfyuiVersion: typeof version === 'string' ? version : undefined,
        devices: devices.flatMap((d) => (isObject(d) && typeof d['name'] === 'string' ? [d['name']] : [])),
      };
    },
    async cancel(promptId) {
      const queue = await readQueue(undefined);
      const [path, payload, outcome] = queue.running.includes(promptId)
        ? (['/interrupt', { prompt_id: promptId }, 'interrupted'] as const)
        : queue.pending.includes(promptId)
          ? (['/queue', { delete: [promptId] }, 'dequeued'] as const)
          : [undefined, undefined, 'not_queued' as const];
      if (path === undefined) return outcome;
      const done = await post(path, payload, pollTimeoutMs);
      if (done.status !== 200) throw httpError(`POST ${path}`, done.status, text(done));
      return outcome;
    },
  };
}
