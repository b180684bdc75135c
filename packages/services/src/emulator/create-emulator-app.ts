import type { IncomingMessage } from 'node:http';
import { Hono, type Context } from 'hono';
import { AIOHTTP_500_BODY, formatHandlerFailure, handlerFrame, parseRequestJson } from './aiohttp-errors.js';
import type { ComfyConsole } from './comfy-console.js';
import type { EmulatorState } from './create-emulator-state.js';
import { EMULATED_MACHINE, buildSystemStats } from './emulated-machine.js';
import type { QueueItem } from './execute-prompt.js';
import type { FolderType } from './file-store.js';
import { handlePostPrompt } from './handle-post-prompt.js';
import { handleView } from './handle-view.js';
import { isRecord } from './node-catalog.js';
import type { FaultSettings } from './pick-fault.js';
import { PythonError } from './python-error.js';
import { formatPyJson } from './python-format.js';

/** What the emulator's HTTP side needs. */
export interface EmulatorAppDeps {
  readonly state: EmulatorState;
  readonly console: ComfyConsole;
  readonly faults: FaultSettings;
  /** Where it listens, for `/system_stats` argv. */
  readonly host: string;
  readonly port: number;
  newId(): string;
  random(): number;
  /** Resolves after `ms`, rejects when the signal aborts (slow /view). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

const MODEL_FOLDERS = [
  'checkpoints', 'configs', 'loras', 'vae', 'text_encoders', 'diffusion_models', 'clip_vision', 'style_models',
  'embeddings', 'diffusers', 'vae_approx', 'controlnet', 'gligen', 'upscale_models', 'custom_nodes',
  'hypernetworks', 'photomaker', 'classifiers', 'model_patches', 'audio_encoders',
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
  routes.post('/queue', async (c) => {
    const body = parseRequestJson(await readBody(c), handlerFrame('post_queue', 774, 'json_data =  await request.json()'));
    if (isRecord(body) && isTruthy(body['clear'])) state.queue.clearPending();
    if (isRecord(body) && Array.isArray(body['delete'])) state.queue.remove(body['delete']);
    return empty(200);
  });
  routes.post('/interrupt', async (c) => {
    let body: unknown = {};
    try {
      body = JSON.parse(await readBody(c)) as unknown;
    } catch {
      body = {};
    }
    const promptId = isRecord(body) ? body['prompt_id'] : undefined;
    if (isTruthy(promptId)) {
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
  routes.post('/history', async (c) => {
    const body = parseRequestJson(await readBody(c), handlerFrame('post_history', 799, 'json_data =  await request.json()'));
    if (isRecord(body) && isTruthy(body['clear'])) state.queue.clearHistory();
    if (isRecord(body) && Array.isArray(body['delete'])) state.queue.deleteHistory(body['delete']);
    return empty(200);
  });
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
  routes.post('/upload/image', async (c) => uploadImage(c, deps));
  routes.post('/free', async (c) => {
    const body = parseRequestJson(await readBody(c), handlerFrame('post_free', 785, 'json_data = await request.json()'));
    if (isRecord(body) && isTruthy(body['unload_models'])) state.models.unloadAll();
    return empty(200);
  });

  const app = new Hono();
  app.use('*', async (c, next) => {
    if (isForeignOrigin(c.req.header('host'), c.req.header('origin'))) {
      console.log(
        `WARNING: request with non matching host and origin ${hostOf(c.req.header('host'))} != ${hostOf(c.req.header('origin'))}, returning 403`,
      );
      return empty(403);
    }
    await next();
  });
  app.get('/internal/logs', (c) => pyJson(c, console.entries().map((e) => `${e.t} - ${e.m}`).join('')));
  app.get('/internal/logs/raw', (c) => pyJson(c, { entries: console.entries(), size: { cols: 80, rows: 24 } }));
  app.route('/api', routes);
  app.route('/', routes);
  app.notFound(() => aiohttpText(404, '404: Not Found'));
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

async function readBody(c: Context): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? 0);
  const text = await c.req.text();
  const size = Math.max(declared, Buffer.byteLength(text));
  if (size > MAX_BODY_BYTES) {
    throw new PythonError('HTTPRequestEntityTooLarge', `Maximum request body size ${MAX_BODY_BYTES} exceeded, actual body size ${size}`);
  }
  return text;
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

function isTruthy(value: unknown): boolean {
  return !(value === undefined || value === null || value === false || value === 0 || value === '');
}

async function uploadImage(c: Context, deps: EmulatorAppDeps): Promise<Response> {
  const form = await c.req.parseBody();
  const image = form['image'];
  if (!(image instanceof File) || image.name === '') return empty(400);
  const typeField = typeof form['type'] === 'string' ? form['type'] : 'input';
  if (!['input', 'temp', 'output'].includes(typeField)) return empty(400);
  const type = typeField as FolderType;
  const subfolder = typeof form['subfolder'] === 'string' ? form['subfolder'] : '';
  if (subfolder.split('/').includes('..') || subfolder.startsWith('/') || image.name.includes('/')) return empty(400);
  const bytes = new Uint8Array(await image.arrayBuffer());
  const overwrite = form['overwrite'] === 'true' || form['overwrite'] === '1';
  let name = image.name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let i = 1; !overwrite; i += 1) {
    const existing = deps.state.files.get(type, subfolder, name);
    if (existing === undefined) break;
    if (Buffer.from(existing.bytes).equals(bytes)) return pyJson(c, { name, subfolder, type });
    name = `${stem} (${i})${ext}`;
  }
  deps.state.files.put(type, subfolder, name, bytes);
  return pyJson(c, { name, subfolder, type });
}

function hostOf(value: string | undefined): string {
  if (value === undefined) return '';
  try {
    return new URL(value.includes('://') ? value : `http://${value}`).host.toLowerCase();
  } catch {
    return value.toLowerCase();
  }
}

// ComfyUI's origin_only_middleware: a loopback Host with a different Origin is refused.
function isForeignOrigin(host: string | undefined, origin: string | undefined): boolean {
  if (host === undefined || origin === undefined || host === '' || origin === '') return false;
  const hostUrl = safeUrl(`http://${host}`);
  const originUrl = safeUrl(origin);
  if (hostUrl === undefined || originUrl === undefined) return false;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(hostUrl.hostname) || hostUrl.hostname.startsWith('127.');
  if (!loopback) return false;
  const withPort = originUrl.port !== '' && hostUrl.port !== '';
  const a = withPort ? hostUrl.host : hostUrl.hostname;
  const b = withPort ? originUrl.host : originUrl.hostname;
  return a !== b;
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
