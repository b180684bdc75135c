// Contract tests against the captures of a real ComfyUI 0.3.64 (test/fixtures/comfyui):
// 1. the emulator, on a real port, answers every captured request of the session with
//    the same status, content type and body shape, and prints the same kinds of console
//    lines in the same order as the captured comfyui.log;
// 2. the client reads every captured answer correctly.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
beforeAll(async () => {
  emulator = await createTestEmulator({ checkpoints: [] });
  server = await startServer({ fetch: emulator.app.fetch, host: '127.0.0.1', port: 0 });
  const ids = new Map<string, string>();
  let previewFile = '';
  for (const ex of exchanges) {
    if (ex.name === 'prompt-ok' || ex.name === 'prompt-slow') emulator.hold();
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
    if (ex.name === 'history-complete-preview') {
      const entry = Object.values(JSON.parse(answer.body.toString('utf8')) as Record<string, any>)[0];
      previewFile = entry.outputs['2'].images[0].filename as string;
    }
  }
}, 60_000);

afterAll(async () => {
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

describe('the client reads every captured ComfyUI answer', () => {
  const text = (name: string): string => readFixture(name).toString('utf8');

  it.each(['prompt-ok', 'prompt-ok-cached', 'prompt-preview', 'prompt-subfolder', 'prompt-exec-error', 'prompt-ok-front', 'prompt-slow'])(
    'accepts %s',
    (name) => {
      const result = parsePromptResponse(200, text(`${name}.json`));
      expect(result.ok && result.value.promptId).toBe((fixtureJson(`${name}.json`) as { prompt_id: string }).prompt_id);
    },
  );

  it.each(exchanges.filter((ex) => ex.path === '/prompt' && ex.status === 400).map((ex) => ex.file))('rejects %s as prompt_invalid', (file) => {
    const result = parsePromptResponse(400, text(file));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const captured = fixtureJson(file) as { error: { type: string }; node_errors: unknown };
    expect(result.error).toMatchObject({ code: 'prompt_invalid', status: 400, promptError: { type: captured.error.type } });
    expect(result.error.nodeErrors).toEqual(captured.node_errors);
  });

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
    expect(parseHistoryResponse(200, text(file), 'b49fd87e-cf7d-4335-81f7-52fb0ecb2a89')).toEqual({ ok: true, value: { state: 'pending' } });
  });

  it.each([
    ['history-error.json', '9cbd5e1d-c27e-4793-ac05-3860581afe41', 'comfyui_execution_error', { node_id: '3', node_type: 'SaveImage', exception_type: 'Exception' }],
    ['history-error-loadimage.json', 'ccb9f430-4b4f-4a83-816c-203968db11e7', 'comfyui_execution_error', { node_id: '1', exception_type: 'PIL.UnidentifiedImageError' }],
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
    const error = await client.fetchImage({ filename: 'does_not_exist.png', subfolder: '', type: 'output', nodeId: '3' }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ComfyuiError);
    expect(error).toMatchObject({ code: 'image_not_found', status: 404 });
  });

  it('reads system_stats', async () => {
    const client = createComfyuiClient({ baseUrl: 'http://comfy.test', fetch: async () => new Response(readFixture('system_stats.json')) });
    expect(await client.systemStats()).toEqual({ comfyuiVersion: '0.3.64', devices: ['cpu'] });
  });
});
