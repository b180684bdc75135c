import type { IncomingMessage } from 'node:http';
import { Hono, type Context } from 'hono';
import { readCappedBody } from '../http/read-capped-body.js';
import { AIOHTTP_500_BODY, formatHandlerFailure, handlerFrame, parseRequestJson } from './aiohttp-errors.js';
import type { ComfyuiConsole } from './comfyui-console.js';
import type { EmulatorState } from './create-emulator-state.js';
import { EMULATED_MACHINE, buildSystemStats } from './emulated-machine.js';
import type { QueueItem } from './prompt-types.js';
import { asAiohttpReads, findOriginMismatch, type HostLookup } from './find-origin-mismatch.js';
import { handlePostPrompt } from './handle-post-prompt.js';
import { handleUploadImage, type UploadForm } from './handle-upload-image.js';
import { handleView } from './handle-view.js';
import { isRecord } from './node-catalog.js';
import { pyTruthy } from './convert-input-value.js';
import type { FaultSettings } from './pick-fault.js';
import { PythonError } from './python-error.js';
import { formatPyJson } from './python-format.js';

/** What the emulator's HTTP side needs. */
export interface EmulatorAppDeps {
  readonly state: EmulatorState;
  readonly console: ComfyuiConsole;
  readonly faults: FaultSettings;
  /** Where it listens, for `/system_stats` argv. */
  readonly host: string;
  readonly port: number;
  newId(): string;
  random(): number;
  /** Resolves after `ms`, rejects when the signal aborts (slow /view). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** The resolver of the Host/Origin check (default: the system's, as ComfyUI's getaddrinfo). */
  readonly lookup?: HostLookup;
}

const MODEL_FOLDERS = [
  'checkpoints',
  'configs',
  'loras',
  'vae',
  'text_encoders',
  'diffusion_models',
  'clip_vision',
  'style_models',
  'embeddings',
  'diffusers',
  'vae_approx',
  'controlnet',
  'gligen',
  'upscale_models',
  'custom_nodes',
  'hypernetworks',
  'photomaker',
  'classifiers',
  'model_patches',
  'audio_encoders',
];

// Paths served and their methods, for aiohttp's 405 on a known path with another method.
const ROUTE_METHODS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\/(?:prompt|queue|history)$/, 'GET,HEAD,POST'],
  [/^\/(?:interrupt|upload\/image|free)$/, 'POST'],
  [/^\/(?:history\/[^/]+|view|system_stats|object_info(?:\/[^/]+)?|features|models(?:\/[^/]+)?|embeddings|ws)$/, 'GET,HEAD'],
];

/** ComfyUI caps request bodies at --max-upload-size (100 MiB). */
const MAX_BODY_BYTES = 100 * 1024 * 1024;

/**
 * The ComfyUI emulator's HTTP API: the routes a client uses, at `/` and under `/api`,
 * answering with ComfyUI 0.3.64's status codes, bodies (Python `json.dumps` text) and
 * headers. Handler crashes become aiohttp's 500 page and an `Error handling request`
 * traceback on the console, as in ComfyUI.
 */
export function createEmulatorApp(deps: EmulatorAppDeps): Hono {
  const { state, console } = deps;
  const routes = new Hono();

  routes.get('/system_stats', (c) => pyJson(c, buildSystemStats(systemArgv(deps), state.models.usedBytes())));
  routes.get('/features', (c) => pyJson(c, { supports_preview_metadata: true, max_upload_size: MAX_BODY_BYTES }));
  routes.get('/prompt', (c) => pyJson(c, { exec_info: { queue_remaining: remaining(state) } }));
  routes.post('/prompt', async (c) => {
    console.log('got prompt');
    const outcome = handlePostPrompt(await readBody(c), deps);
    if (outcome.kind === 'reset') {
      (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.destroy();
      return new Response(null, { status: 500 });
    }
    if (outcome.kind === 'garbage') return c.html('<!DOCTYPE html><html><head><title>ComfyUI</title></head><body></body></html>');
    return pyJson(c, outcome.body, outcome.status);
  });
  routes.get('/queue', (c) =>
    pyJson(c, { queue_running: state.queue.running().map(queueTuple), queue_pending: state.queue.pending().map(queueTuple) }),
  );
  // POST /queue and POST /history: `{"clear": true}` and/or `{"delete": [prompt ids]}`.
  const clearOrDelete = (func: string, line: number, clear: () => void, remove: (ids: unknown[]) => void) => async (c: Context) => {
    const body = parseRequestJson(await readBody(c), handlerFrame(func, line, 'json_data =  await request.json()'));
    if (isRecord(body) && pyTruthy(body['clear'])) clear();
    if (isRecord(body) && Array.isArray(body['delete'])) remove(body['delete']);
    return empty(200);
  };
  routes.post('/queue', clearOrDelete('post_queue', 774, state.queue.clearPending, state.queue.remove));
  routes.post('/interrupt', async (c) => {
    let body: unknown = {};
    try {
      body = JSON.parse(await readBody(c)) as unknown;
    } catch {
      body = {};
    }
    const promptId = isRecord(body) ? body['prompt_id'] : undefined;
    if (pyTruthy(promptId)) {
      if (state.queue.running().some((item) => item.promptId === promptId)) {
        console.log(`Interrupting prompt ${String(promptId)}`);
        state.queue.interrupt();
      } else {
        console.log(`Prompt ${String(promptId)} is not currently running, skipping interrupt`);
      }
    } else {
      console.log('Global interrupt (no prompt_id specified)');
      state.queue.interrupt();
    }
    return empty(200);
  });
  routes.get('/history', (c) => {
    const maxItems = queryInt(c.req.query('max_items'), 'max_items');
    const offset = queryInt(c.req.query('offset'), 'offset') ?? -1;
    return pyJson(c, state.queue.history(maxItems, offset));
  });
  routes.get('/history/:prompt_id', (c) => {
    const promptId = c.req.param('prompt_id');
    const entry = state.queue.historyOf(promptId);
    return pyJson(c, entry === undefined ? {} : { [promptId]: entry });
  });
  routes.post('/history', clearOrDelete('post_history', 799, state.queue.clearHistory, state.queue.deleteHistory));
  routes.get('/view', async (c) => {
    const outcome = handleView(new URL(c.req.url).searchParams, state.files);
    if (outcome.kind === 'status') return empty(outcome.status);
    if (outcome.file.viewDelayMs > 0) {
      try {
        await deps.sleep(outcome.file.viewDelayMs, c.req.raw.signal);
      } catch {
        // The client went away; nobody reads this answer.
        return new Response(null, { status: 499 });
      }
    }
    return new Response(outcome.file.bytes, {
      status: 200,
      headers: { 'content-type': outcome.contentType, 'content-disposition': `filename="${outcome.filename}"` },
    });
  });
  routes.get('/object_info', (c) => pyJson(c, state.catalog.objectInfo()));
  routes.get('/object_info/:node_class', (c) => pyJson(c, state.catalog.objectInfoFor(c.req.param('node_class'))));
  routes.get('/models', (c) => pyJson(c, MODEL_FOLDERS));
  routes.get('/models/:folder', (c) => {
    const folder = c.req.param('folder');
    if (!MODEL_FOLDERS.includes(folder)) return aiohttpText(404, '404: Not Found');
    return pyJson(c, folder === 'checkpoints' ? checkpointNames(state) : []);
  });
  routes.get('/embeddings', (c) => pyJson(c, []));
  // Upgrades are served by attachComfyuiSocket; a plain GET fails aiohttp's handshake.
  routes.get('/ws', () => aiohttpText(400, 'No WebSocket UPGRADE hdr: None\n Can "Upgrade" only to "WebSocket".'));
  routes.post('/upload/image', async (c) => {
    // aiohttp counts the body against client_max_size while reading it, chunked or not.
    const bytes = await readBodyBytes(c);
    const headers = { 'content-type': c.req.header('content-type') ?? '' };
    const form = await new Request(c.req.url, { method: 'POST', headers, body: bytes }).formData().catch(() => undefined);
    const outcome = form === undefined ? undefined : await handleUploadImage(formFields(form), state.files);
    return outcome === undefined ? empty(400) : pyJson(c, outcome);
  });
  routes.post('/free', async (c) => {
    const body = parseRequestJson(await readBody(c), handlerFrame('post_free', 785, 'json_data = await request.json()'));
    if (isRecord(body) && pyTruthy(body['unload_models'])) state.models.unloadAll();
    return empty(200);
  });

  const app = new Hono();
  // ComfyUI's origin_only_middleware: the Host/Origin check, then OPTIONS answered empty.
  app.use('*', async (c, next) => {
    const mismatch = await findOriginMismatch(asAiohttpReads(c.req.header('host')), asAiohttpReads(c.req.header('origin')), deps.lookup);
    if (mismatch !== undefined) {
      console.log(`WARNING: request with non matching host and origin ${mismatch.host} != ${mismatch.origin}, returning 403`);
      return empty(403);
    }
    if (c.req.method === 'OPTIONS') return empty(200);
    await next();
  });
  app.get('/internal/logs', (c) =>
    pyJson(
      c,
      console
        .entries()
        .map((e) => `${e.t} - ${e.m}`)
        .join(''),
    ),
  );
  app.get('/internal/logs/raw', (c) => pyJson(c, { entries: console.entries(), size: { cols: 80, rows: 24 } }));
  app.route('/api', routes);
  app.route('/', routes);
  app.notFound((c) => {
    const route = ROUTE_METHODS.find(([pattern]) => pattern.test(c.req.path.replace(/^\/api(?=\/)/, '')));
    if (route === undefined) return aiohttpText(404, '404: Not Found');
    return new Response('405: Method Not Allowed', {
      status: 405,
      headers: { 'content-type': 'text/plain; charset=utf-8', allow: route[1] },
    });
  });
  app.onError((err) => {
    const error = err instanceof PythonError ? err : new PythonError('RuntimeError', err.message);
    if (error.pyType === 'HTTPRequestEntityTooLarge') return aiohttpText(413, error.message);
    console.log(formatHandlerFailure(error));
    return aiohttpText(500, AIOHTTP_500_BODY);
  });
  return app;
}

function pyJson(c: Context, value: unknown, status: 200 | 400 = 200): Response {
  return c.body(formatPyJson(value), status, { 'content-type': 'application/json; charset=utf-8' });
}

// aiohttp's bare `web.Response(status=N)`: no body, labelled application/octet-stream.
function empty(status: 200 | 400 | 403 | 404): Response {
  return new Response(new Uint8Array(0), { status, headers: { 'content-type': 'application/octet-stream' } });
}

function aiohttpText(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

// aiohttp reads at most client_max_size bytes and answers a larger body with 413.
async function readBody(c: Context): Promise<string> {
  return Buffer.from(await readBodyBytes(c)).toString('utf8');
}

/** The request body, refused with aiohttp's 413 once it passes 100 MB (by Content-Length or while streaming). */
async function readBodyBytes(c: Context): Promise<Uint8Array> {
  const declared = Number(c.req.header('content-length') ?? 0);
  const bytes = declared > MAX_BODY_BYTES ? undefined : await readCappedBody(c.req.raw.body, MAX_BODY_BYTES);
  if (bytes === undefined) {
    const size = Math.max(declared, MAX_BODY_BYTES + 1);
    throw new PythonError('HTTPRequestEntityTooLarge', `Maximum request body size ${MAX_BODY_BYTES} exceeded, actual body size ${size}`);
  }
  return bytes;
}

/** A parsed multipart form as the upload handler reads it (repeated fields as arrays). */
function formFields(form: FormData): UploadForm {
  const fields: UploadForm = {};
  for (const [name, value] of form.entries()) {
    const previous = fields[name];
    fields[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return fields;
}

function queueTuple(item: QueueItem): unknown[] {
  return [item.number, item.promptId, item.graph, item.extraData, [...item.outputs]];
}

function remaining(state: EmulatorState): number {
  return state.queue.running().length + state.queue.pending().length;
}

function systemArgv(deps: EmulatorAppDeps): string[] {
  return [`${EMULATED_MACHINE.root}/main.py`, '--listen', deps.host, '--port', String(deps.port)];
}

function checkpointNames(state: EmulatorState): unknown {
  const info = state.catalog.get('CheckpointLoaderSimple')?.inputs.find((i) => i.name === 'ckpt_name');
  return Array.isArray(info?.type) ? info.type : [];
}

function queryInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*[+-]?\d+\s*$/.test(value)) {
    throw new PythonError('ValueError', `invalid literal for int() with base 10: '${value}'`, [
      handlerFrame('get_history', 655, `${name} = int(${name})`),
    ]);
  }
  return Number(value);
}
