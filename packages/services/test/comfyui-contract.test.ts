// Contract tests against the captures of a real ComfyUI 0.3.64 (test/fixtures/comfyui):
// 1. the emulator, on a real port, answers every captured request of the session with
//    the same status, content type and body shape, and prints the same kinds of console
//    lines in the same order as the captured comfyui.log;
// 2. the emulator's websocket sends, during that replay, the messages the captured
//    sockets received (ws-messages.jsonl): types in order, fields present and typed;
// 3. the client reads every captured answer correctly.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../src/http/start-server.js';
import { formatStartupBanner } from '../src/emulator/emulated-machine.js';
import { ComfyuiError } from '../src/comfyui/comfyui-error.js';
import { createComfyuiClient } from '../src/comfyui/create-comfyui-client.js';
import { parseHistoryResponse } from '../src/comfyui/parse-history-response.js';
import { parsePromptResponse } from '../src/comfyui/parse-prompt-response.js';
import { consoleLineKinds, shapeDifferences } from './support/compare-shape.js';
import { createTestEmulator, type TestEmulator } from './support/test-emulator.js';

const FIXTURES = new URL('./fixtures/comfyui/', import.meta.url);
const readFixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
const fixtureJson = (name: string): unknown => JSON.parse(readFixture(name).toString('utf8')) as unknown;

interface Exchange {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly request_body: unknown;
  readonly status: number;
  readonly content_type: string;
  readonly content_disposition: string | null;
  readonly file: string;
}

interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly contentDisposition: string | null;
  readonly body: Buffer;
}

const exchanges = fixtureJson('exchanges.json') as Exchange[];
const OBJECT_INFO = new URL('../emulator-data/object_info.json', import.meta.url);
const capturedBody = (ex: Exchange): Buffer => (ex.name === 'object_info' ? readFileSync(OBJECT_INFO) : readFixture(ex.file));
// /view?preview=webp re-encodes in ComfyUI; the emulator returns the stored PNG instead.
const NOT_EMULATED_CONTENT_TYPE = new Set(['view-preview-webp']);

let emulator: TestEmulator;
let server: RunningServer;
const answers = new Map<string, Answer>();

/** A websocket message as the capture stores it. */
interface WsMessage {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** The captured sockets: `main` (clientId of the session's prompts) and `observer` (no clientId). */
const CAPTURED_SOCKETS = (() => {
  const byLabel = new Map<string, WsMessage[]>();
  for (const line of readFixture('ws-messages.jsonl').toString('utf8').split('\n')) {
    if (line === '') continue;
    const entry = JSON.parse(line) as { label: string; kind?: string; msg?: WsMessage };
    if (entry.kind !== 'text' || entry.msg === undefined) continue;
    byLabel.set(entry.label, [...(byLabel.get(entry.label) ?? []), entry.msg]);
  }
  return byLabel;
})();
const MAIN_CLIENT_ID = 'fixture-client-e49aa48f';
const received = new Map<string, WsMessage[]>();
const sockets: WebSocket[] = [];

/** Opens a socket on the emulator and records what it receives under `label`. */
async function listen(label: string, query: string): Promise<WebSocket> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws${query}`, { perMessageDeflate: false });
  sockets.push(ws);
  received.set(label, []);
  ws.on('message', (data) => received.get(label)?.push(JSON.parse(data.toString()) as WsMessage));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return ws;
}

function mapIds(text: string, ids: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [captured, ours] of ids) out = out.split(captured).join(ours);
  return out;
}

async function request(ex: Exchange, path: string, ids: ReadonlyMap<string, string>): Promise<Answer> {
  let body: RequestInit['body'];
  const headers: Record<string, string> = {};
  if (ex.request_body === '<multipart form>') {
    const form = new FormData();
    form.append('image', new File([new TextEncoder().encode('this is not an image')], 'broken.png'));
    body = form;
  } else if (typeof ex.request_body === 'string') {
    body = ex.request_body;
  } else if (ex.request_body !== null) {
    body = mapIds(JSON.stringify(ex.request_body), ids);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${server.url}${path}`, { method: ex.method, body, headers });
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    contentDisposition: res.headers.get('content-disposition'),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

async function untilFinished(promptId: string): Promise<void> {
  for (let i = 0; i < 2000; i += 1) {
    const res = await fetch(`${server.url}/history/${promptId}`);
    if (Object.keys((await res.json()) as object).length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`prompt ${promptId} did not finish`);
}

// Replays the captured session in order. The emulator holds execution where the capture
// observed a pending or running prompt, and releases it where the capture waited.
// The slow prompt is held where the capture interrupted it: at its third node.
beforeAll(async () => {
  emulator = await createTestEmulator({ checkpoints: [] });
  server = await startServer({ fetch: emulator.app.fetch, host: '127.0.0.1', port: 0 });
  emulator.attachSocket(server.server);
  await listen('main', `?clientId=${MAIN_CLIENT_ID}`);
  await listen('observer', '');
  const ids = new Map<string, string>();
  let previewFile = '';
  for (const ex of exchanges) {
    if (ex.name === 'prompt-ok') emulator.hold();
    if (ex.name === 'prompt-slow') emulator.hold({ after: 2 });
    if (ex.name === 'history-complete' || ex.name === 'history-complete-slow') emulator.release();
    if (/^history-(complete|error|interrupted)/.test(ex.name)) await untilFinished(mapIds(ex.path.split('/')[2] ?? '', ids));
    let path = mapIds(ex.path, ids);
    if (ex.name === 'view-temp') path = path.replace(/ComfyUI_temp_\w+_00001_\.png/, previewFile);
    const answer = await request(ex, path, ids);
    answers.set(ex.name, answer);
    if (ex.method === 'POST' && ex.path === '/prompt' && answer.status === 200) {
      const captured = fixtureJson(ex.file) as { prompt_id: string };
      const ours = JSON.parse(answer.body.toString('utf8')) as { prompt_id: string };
      ids.set(captured.prompt_id, ours.prompt_id);
      if (ex.name === 'prompt-ok-front') await untilFinished(ours.prompt_id);
    }
    if (ex.name === 'prompt-slow') await untilReceived('main', (m) => m.type === 'executing' && m.data['node'] === '3');
    if (ex.name === 'history-complete-preview') {
      const entry = Object.values(JSON.parse(answer.body.toString('utf8')) as Record<string, any>)[0];
      previewFile = entry.outputs['2'].images[0].filename as string;
    }
  }

  // The session's last message: the queue empty again after the prompt without client_id.
  await untilReceived(
    'observer',
    (m, i, all) => i === all.length - 1 && m.type === 'status' && i + 1 >= (CAPTURED_SOCKETS.get('observer')?.length ?? 0),
  );
}, 60_000);

async function untilReceived(label: string, match: (m: WsMessage, i: number, all: WsMessage[]) => boolean): Promise<void> {
  for (let i = 0; i < 400; i += 1) {
    const all = received.get(label) ?? [];
    if (all.some((m, j) => match(m, j, all))) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  emulator.close();
  await server.stop(1000);
});

describe('the emulator replays the captured ComfyUI session', () => {
  it.each(exchanges.map((ex) => [ex.name, ex] as const))('%s: same status, content type and body shape', (_name, ex) => {
    const answer = answers.get(ex.name) as Answer;
    expect(answer.status).toBe(ex.status);
    if (!NOT_EMULATED_CONTENT_TYPE.has(ex.name)) expect(answer.contentType).toBe(ex.content_type);
    // PreviewImage names carry 5 random letters.
    const anyTemp = (value: string | null): string | null => value?.replace(/_temp_[a-z]{5}_/, '_temp_?_') ?? null;
    expect(anyTemp(answer.contentDisposition)).toBe(anyTemp(ex.content_disposition));
    const captured = capturedBody(ex);
    if (ex.content_type.startsWith('application/json')) {
      const [want, got] = [JSON.parse(captured.toString('utf8')) as unknown, JSON.parse(answer.body.toString('utf8')) as unknown];
      expect(shapeDifferences(want, got)).toEqual([]);
      // Validation is deterministic: the 400 bodies are identical, not just alike.
      if (ex.status === 400) expect(got).toEqual(want);
    } else if (ex.content_type === 'application/octet-stream') {
      expect(answer.body.byteLength).toBe(0);
    } else if (ex.content_type.startsWith('text/plain')) {
      expect(answer.body.toString('utf8')).toBe(captured.toString('utf8'));
    } else if (!NOT_EMULATED_CONTENT_TYPE.has(ex.name)) {
      expect(answer.body.subarray(0, 8)).toEqual(captured.subarray(0, 8));
    }
  });

  it('keeps the queue numbers ComfyUI gave, invalid POSTs and front included', () => {
    for (const ex of exchanges.filter((e) => e.path === '/prompt' && e.method === 'POST' && e.status === 200)) {
      const want = (fixtureJson(ex.file) as { number: number }).number;
      expect((JSON.parse((answers.get(ex.name) as Answer).body.toString('utf8')) as { number: number }).number, ex.name).toBe(want);
    }
  });

  it('prints the same kinds of console lines in the same order as the captured comfyui.log', () => {
    const captured = consoleLineKinds(readFixture('comfyui.log').toString('utf8'));
    // The bin prints the banner before serving and `Stopped server` on Ctrl-C, as the captured run ended.
    const banner = formatStartupBanner(server.url).join('\n');
    const ours = consoleLineKinds(`${banner}\n${emulator.output()}\nStopped server\n`);
    expect(ours).toEqual(captured);
    expect(captured.filter((k) => k === 'got prompt')).toHaveLength(21);
  });
});

describe("the emulator's websocket sends what ComfyUI's sent in the captured session", () => {
  const withoutStatus = (messages: readonly WsMessage[]): WsMessage[] => messages.filter((m) => m.type !== 'status');

  it.each(['main', 'observer'])('%s: the same messages in the same order, with the same fields and types', (label) => {
    const captured = CAPTURED_SOCKETS.get(label) ?? [];
    const ours = received.get(label) ?? [];
    expect(captured.length).toBeGreaterThan(0);
    // Queue announcements interleave with execution by timing; everything else comes in one order.
    expect(withoutStatus(ours).map((m) => m.type)).toEqual(withoutStatus(captured).map((m) => m.type));
    const pairs = withoutStatus(captured).map((m, i) => [m, withoutStatus(ours)[i]] as const);
    for (const [want, got] of pairs) expect(shapeDifferences(want, got), `${want.type} ${JSON.stringify(got).slice(0, 300)}`).toEqual([]);
    const statuses = (messages: readonly WsMessage[]) => messages.filter((m) => m.type === 'status');
    // Their number depends on timing too: deleting the last pending prompt announces the
    // queue twice (wipe_queue), and the capture deleted it before the worker took the other.
    expect(Math.abs(statuses(ours).length - statuses(captured).length)).toBeLessThanOrEqual(1);
    expect(shapeDifferences(statuses(captured)[0], statuses(ours)[0])).toEqual([]);
    for (const status of statuses(ours).slice(1)) expect(shapeDifferences(statuses(captured)[1], status)).toEqual([]);
    expect(statuses(ours).at(-1)).toEqual(statuses(captured).at(-1));
  });

  it('names each socket in its first status: the clientId, or a made-up hex id', () => {
    expect(received.get('main')?.[0]).toEqual({
      type: 'status',
      data: { status: { exec_info: { queue_remaining: 0 } }, sid: MAIN_CLIENT_ID },
    });
    expect(received.get('observer')?.[0]?.data['sid']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers the feature-flags handshake as captured', async () => {
    const ws = await listen('flags', '?clientId=flags-client');
    ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: false } }));
    await untilReceived('flags', (m) => m.type === 'feature_flags');
    const captured = fixtureJson('ws-feature-flags.json') as WsMessage[];
    const ours = received.get('flags') ?? [];
    expect(ours.map((m) => m.type)).toEqual(captured.map((m) => m.type));
    expect(ours[1]).toEqual(captured[1]);
  });
});

describe('the client reads every captured ComfyUI answer', () => {
  const text = (name: string): string => readFixture(name).toString('utf8');

  it.each(['prompt-ok', 'prompt-ok-cached', 'prompt-preview', 'prompt-subfolder', 'prompt-exec-error', 'prompt-ok-front', 'prompt-slow'])(
    'accepts %s',
    (name) => {
      const result = parsePromptResponse(200, text(`${name}.json`));
      expect(result.ok && result.value.promptId).toBe((fixtureJson(`${name}.json`) as { prompt_id: string }).prompt_id);
    },
  );

  it.each(exchanges.filter((ex) => ex.path === '/prompt' && ex.status === 400).map((ex) => ex.file))(
    'rejects %s as prompt_invalid',
    (file) => {
      const result = parsePromptResponse(400, text(file));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const captured = fixtureJson(file) as { error: { type: string }; node_errors: unknown };
      expect(result.error).toMatchObject({ code: 'prompt_invalid', status: 400, promptError: { type: captured.error.type } });
      expect(result.error.nodeErrors).toEqual(captured.node_errors);
    },
  );

  it('reads the aiohttp 500 page as comfyui_http_500', () => {
    const result = parsePromptResponse(500, text('prompt-malformed-json.txt'));
    expect(result.ok ? undefined : result.error).toMatchObject({ code: 'comfyui_http_500', status: 500 });
  });

  it.each([
    ['history-complete.json', 'b49fd87e-cf7d-4335-81f7-52fb0ecb2a89', 'ComfyUI_00001_.png', 'output'],
    ['history-complete-cached.json', '6e268e9b-dbd1-4c5e-9e4f-63fec8847e8d', 'ComfyUI_00001_.png', 'output'],
    ['history-complete-preview.json', '2e120cb6-834b-46c5-9c44-e1d49fcac853', 'ComfyUI_temp_qoyed_00001_.png', 'temp'],
    ['history-complete-subfolder.json', 'fd3cd457-174e-4e46-a959-65b393351010', 'job42_00001_.png', 'output'],
    ['history-complete-slow.json', '36bacece-656f-402c-8321-e9535c58da41', 'slow2_00001_.png', 'output'],
    ['history-complete-no-client-id.json', '1950bce8-9042-4c14-ad76-71a9ad66fef4', 'noclient_00001_.png', 'output'],
  ])('reads %s as success with its image', (file, id, filename, type) => {
    const result = parseHistoryResponse(200, text(file), id);
    expect(result.ok && result.value).toMatchObject({ state: 'success', images: [{ filename, type }] });
  });

  it.each(['history-pending.json', 'history-running.json', 'history-unknown-id.json'])('reads %s as not finished', (file) => {
    expect(parseHistoryResponse(200, text(file), 'b49fd87e-cf7d-4335-81f7-52fb0ecb2a89')).toEqual({
      ok: true,
      value: { state: 'pending' },
    });
  });

  it.each([
    [
      'history-error.json',
      '9cbd5e1d-c27e-4793-ac05-3860581afe41',
      'comfyui_execution_error',
      { node_id: '3', node_type: 'SaveImage', exception_type: 'Exception' },
    ],
    [
      'history-error-loadimage.json',
      'ccb9f430-4b4f-4a83-816c-203968db11e7',
      'comfyui_execution_error',
      { node_id: '1', exception_type: 'PIL.UnidentifiedImageError' },
    ],
    ['history-interrupted.json', '45d8e9bd-a4f8-4d4f-8f27-f1d8adb54dba', 'comfyui_interrupted', { node_id: '3', node_type: 'ImageBlur' }],
  ])('reads %s as %s', (file, id, code, execution) => {
    const result = parseHistoryResponse(200, text(file), id);
    expect(result.ok ? undefined : result.error).toMatchObject({ code, execution });
  });

  it('downloads view.png and reads the empty 404 as image_not_found', async () => {
    const captured: typeof fetch = async (url) =>
      String(url).includes('does_not_exist')
        ? new Response(new Uint8Array(0), { status: 404, headers: { 'content-type': 'application/octet-stream' } })
        : new Response(readFixture('view.png'), { status: 200, headers: { 'content-type': 'image/png' } });
    const client = createComfyuiClient({ baseUrl: 'http://comfy.test', fetch: captured });
    const image = await client.fetchImage({ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output', nodeId: '3' });
    expect(image.bytes.byteLength).toBe(448);
    const error = await client
      .fetchImage({ filename: 'does_not_exist.png', subfolder: '', type: 'output', nodeId: '3' })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ComfyuiError);
    expect(error).toMatchObject({ code: 'image_not_found', status: 404 });
  });

  it('reads system_stats', async () => {
    const client = createComfyuiClient({ baseUrl: 'http://comfy.test', fetch: async () => new Response(readFixture('system_stats.json')) });
    expect(await client.systemStats()).toEqual({ comfyuiVersion: '0.3.64', devices: ['cpu'] });
  });
});
