import { afterEach, describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { createTestEmulator, postJson, waitForHistory, weightFreeGraph, type TestEmulator } from '../../test/support/test-emulator.js';
import { readPngSize } from './encode-png.js';

const open: TestEmulator[] = [];
afterEach(() => {
  for (const emulator of open.splice(0)) emulator.close();
});

async function emulator(options: Parameters<typeof createTestEmulator>[0] = {}): Promise<TestEmulator> {
  const e = await createTestEmulator(options);
  open.push(e);
  return e;
}

type Json = Record<string, any>;

async function submit(e: TestEmulator, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await postJson(e.app, '/prompt', body);
  return { status: res.status, body: (await res.json()) as Json };
}

async function entryOf(e: TestEmulator, promptId: string): Promise<Json> {
  return (await waitForHistory(e.app, promptId))[promptId] as Json;
}

function pngText(bytes: Uint8Array, keyword: string): string | undefined {
  const buf = Buffer.from(bytes);
  for (let at = 8; at < buf.length;) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (type === 'tEXt' && data.toString('latin1').startsWith(`${keyword}\0`)) return data.toString('latin1').slice(keyword.length + 1);
    at += 12 + length;
  }
  return undefined;
}

describe('emulator HTTP API', () => {
  it('serves the same routes at / and under /api, and aiohttp 404s elsewhere', async () => {
    const e = await emulator();
    const a = await e.app.request('/system_stats');
    const b = await e.app.request('/api/system_stats');
    expect(a.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(Object.keys((await a.json()) as Json)).toEqual(Object.keys((await b.json()) as Json));
    const missing = await e.app.request('/nope');
    expect([missing.status, await missing.text()]).toEqual([404, '404: Not Found']);
    const wrong = await e.app.request('/api/view', { method: 'DELETE' });
    expect([wrong.status, await wrong.text(), wrong.headers.get('allow')]).toEqual([405, '405: Method Not Allowed', 'GET,HEAD']);
  });

  it('queues a prompt, answers {} until it finished, then the full entry and a real PNG', async () => {
    const e = await emulator();
    e.hold();
    const res = await submit(e, { prompt: weightFreeGraph({ width: 96, height: 40 }), client_id: 'c1' });
    expect(res).toMatchObject({ status: 200, body: { number: 0, node_errors: {} } });
    const id = res.body['prompt_id'] as string;
    expect(await (await e.app.request(`/history/${id}`)).json()).toEqual({});
    e.release();
    const entry = await entryOf(e, id);
    expect(Object.keys(entry)).toEqual(['prompt', 'outputs', 'status', 'meta']);
    expect(entry['status']).toMatchObject({ status_str: 'success', completed: true });
    expect((entry['status']['messages'] as unknown[][]).map((m) => m[0])).toEqual([
      'execution_start',
      'execution_cached',
      'execution_success',
    ]);
    expect(entry['prompt'][3]).toEqual({ client_id: 'c1' });
    const image = entry['outputs']['3']['images'][0] as Json;
    expect(image).toEqual({ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' });
    const view = await e.app.request('/view?filename=ComfyUI_00001_.png&subfolder=&type=output');
    expect(view.headers.get('content-type')).toBe('image/png');
    expect(view.headers.get('content-disposition')).toBe('filename="ComfyUI_00001_.png"');
    const png = new Uint8Array(await view.arrayBuffer());
    expect(readPngSize(png)).toEqual({ width: 96, height: 40 });
    expect(JSON.parse(pngText(png, 'prompt') ?? '{}')).toMatchObject({ '3': { class_type: 'SaveImage' } });
    expect(e.output()).toMatch(/got prompt\nPrompt executed in \d+\.\d\d seconds\n$/);
  });

  it('counts every POST, invalid ones included, and negates the number for front', async () => {
    const e = await emulator();
    expect((await submit(e, { prompt: { '1': { class_type: 'Nope', inputs: {} } } })).status).toBe(400);
    expect((await submit(e, { client_id: 'x' })).body['error']['type']).toBe('no_prompt');
    expect((await submit(e, { prompt: weightFreeGraph() })).body['number']).toBe(2);
    expect((await submit(e, { prompt: weightFreeGraph({ color: 1 }), front: true })).body['number']).toBe(-3);
    expect(e.output()).toContain(
      "invalid prompt: {'type': 'invalid_prompt', 'message': 'Cannot execute because node Nope does not exist.'",
    );
  });

  it('answers a malformed body with aiohttp 500 text and logs the traceback', async () => {
    const e = await emulator();
    const res = await e.app.request('/prompt', { method: 'POST', body: '{not json' });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe('500 Internal Server Error\n\nServer got itself in trouble');
    expect(e.output()).toContain('got prompt\nError handling request\nTraceback (most recent call last):\n');
    expect(e.output()).toContain(
      'json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)\n',
    );
  });

  it('runs one prompt at a time in number order, and interrupts only the running one', async () => {
    const e = await emulator();
    e.hold();
    const ids: string[] = [];
    for (const color of [1, 2, 3]) ids.push((await submit(e, { prompt: weightFreeGraph({ color }) })).body['prompt_id'] as string);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const queue = (await (await e.app.request('/queue')).json()) as Json;
    expect(queue['queue_running'].map((item: unknown[]) => item[1])).toEqual([ids[0]]);
    expect(queue['queue_pending'].map((item: unknown[]) => item[1])).toEqual([ids[1], ids[2]]);
    expect(await (await e.app.request('/prompt')).json()).toEqual({ exec_info: { queue_remaining: 3 } });
    await postJson(e.app, '/interrupt', { prompt_id: ids[1] });
    await postJson(e.app, '/interrupt', { prompt_id: ids[0] });
    await postJson(e.app, '/queue', { delete: [ids[2]] });
    e.release();
    const first = await entryOf(e, ids[0] as string);
    expect(first['status']).toMatchObject({ status_str: 'error', completed: false });
    expect(first['status']['messages'][2][0]).toBe('execution_interrupted');
    expect((await entryOf(e, ids[1] as string))['status']['status_str']).toBe('success');
    expect(await (await e.app.request(`/history/${ids[2]}`)).json()).toEqual({});
    expect(e.output()).toContain(`Prompt ${ids[1]} is not currently running, skipping interrupt\nInterrupting prompt ${ids[0]}\n`);
    expect(e.output()).toContain('Processing interrupted\nPrompt executed in');
  });

  it('reuses cached outputs for an identical prompt without writing a new file', async () => {
    const e = await emulator();
    const a = await submit(e, { prompt: weightFreeGraph() });
    await entryOf(e, a.body['prompt_id'] as string);
    const b = await submit(e, { prompt: weightFreeGraph() });
    const entry = await entryOf(e, b.body['prompt_id'] as string);
    expect(entry['status']['messages'][1][1]['nodes']).toEqual(['1', '2', '3']);
    expect(entry['outputs']['3']['images'][0]['filename']).toBe('ComfyUI_00001_.png');
  });

  it('names outputs by prefix and subfolder, counting up, and previews as temp files', async () => {
    const e = await emulator();
    const first = await entryOf(e, (await submit(e, { prompt: weightFreeGraph({ prefix: 'gpu/job42' }) })).body['prompt_id']);
    const second = await entryOf(e, (await submit(e, { prompt: weightFreeGraph({ prefix: 'gpu/job42', color: 9 }) })).body['prompt_id']);
    expect(first['outputs']['3']['images'][0]).toEqual({ filename: 'job42_00001_.png', subfolder: 'gpu', type: 'output' });
    expect(second['outputs']['3']['images'][0]['filename']).toBe('job42_00002_.png');
    const preview = {
      '1': { class_type: 'EmptyImage', inputs: { width: 32, height: 32, batch_size: 1, color: 0 } },
      '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
    };
    const entry = await entryOf(e, (await submit(e, { prompt: preview })).body['prompt_id']);
    const image = entry['outputs']['2']['images'][0] as Json;
    expect(image['filename']).toMatch(/^ComfyUI_temp_[a-z]{5}_00001_\.png$/);
    expect(image['type']).toBe('temp');
    expect((await e.app.request(`/view?filename=${image['filename']}&type=temp`)).status).toBe(200);
  });

  it.each([
    ['/view?filename=../secret.png&type=output', 400],
    ['/view?filename=x.png&type=bogus', 400],
    ['/view?filename=x.png&subfolder=../..&type=output', 403],
    ['/view?filename=does_not_exist.png&subfolder=&type=output', 404],
    ['/view', 404],
    ['/view?filename=example.png [input]', 200],
  ])('GET %s answers %i', async (path, status) => {
    const e = await emulator();
    const res = await e.app.request(path);
    expect(res.status).toBe(status);
    if (status !== 200) {
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    }
  });

  it('runs LoadImage on uploads: a broken file fails at execution, a missing one at validation', async () => {
    const e = await emulator();
    const form = new FormData();
    form.append('image', new File([new TextEncoder().encode('not an image')], 'broken.png'));
    const upload = await e.app.request('/upload/image', { method: 'POST', body: form });
    expect(await upload.json()).toEqual({ name: 'broken.png', subfolder: '', type: 'input' });
    const graph = (image: string): unknown => ({
      '1': { class_type: 'LoadImage', inputs: { image } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'ComfyUI' } },
    });
    const entry = await entryOf(e, (await submit(e, { prompt: graph('broken.png') })).body['prompt_id']);
    expect(entry['status']['messages'][2][1]).toMatchObject({ exception_type: 'PIL.UnidentifiedImageError', node_id: '1' });
    expect(e.output()).toContain('During handling of the above exception, another exception occurred:');
    const missing = await submit(e, { prompt: graph('missing.png') });
    expect(missing.body['node_errors']['1']['errors'][0]['type']).toBe('custom_validation_failed');
  });

  it('refuses an upload over 100 MB streamed without Content-Length with 413, storing nothing', async () => {
    const e = await emulator();
    const boundary = 'xXxBoundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`;
    let sent = 0;
    const chunk = new Uint8Array(1024 * 1024);
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new TextEncoder().encode(head)),
      pull(controller) {
        // 110 MiB, then the closing boundary.
        if (sent >= 110) {
          controller.enqueue(new TextEncoder().encode(`\r\n--${boundary}--\r\n`));
          controller.close();
          return;
        }
        sent += 1;
        controller.enqueue(chunk);
      },
    });
    const res = await e.app.request('/upload/image', {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/^Maximum request body size 104857600 exceeded, actual body size \d+$/);
    // It stopped reading at the cap, as aiohttp does.
    expect(sent).toBeLessThan(110);
    expect(e.state.files.list('input')).toEqual(['example.png']);
  });

  it('keeps at most maxInputBytes of uploads: the oldest are forgotten first', async () => {
    const e = await emulator({ maxInputBytes: 1024 * 1024 });
    const upload = async (name: string): Promise<number> => {
      const form = new FormData();
      form.append('image', new File([new Uint8Array(400 * 1024).fill(name.charCodeAt(0))], name));
      return (await e.app.request('/upload/image', { method: 'POST', body: form })).status;
    };
    for (const name of ['a.png', 'b.png', 'c.png', 'd.png']) expect(await upload(name)).toBe(200);
    const inputs = e.state.files.list('input');
    expect(inputs).toEqual(['c.png', 'd.png']);
    expect((await e.app.request('/view?filename=a.png&type=input')).status).toBe(404);
    expect((await e.app.request('/view?filename=d.png&type=input')).status).toBe(200);
  });

  it('keeps api keys out of the queue and the history', async () => {
    const e = await emulator();
    const res = await submit(e, { prompt: weightFreeGraph(), extra_data: { api_key_comfy_org: 'secret-key', note: 1 } });
    const entry = await entryOf(e, res.body['prompt_id']);
    expect(entry['prompt'][3]).toEqual({ note: 1 });
  });

  it('selects history with max_items and offset, and deletes or clears it', async () => {
    const e = await emulator();
    const ids: string[] = [];
    for (const color of [1, 2, 3]) {
      const id = (await submit(e, { prompt: weightFreeGraph({ color }) })).body['prompt_id'] as string;
      await entryOf(e, id);
      ids.push(id);
    }
    expect(Object.keys((await (await e.app.request('/history?max_items=2')).json()) as Json)).toEqual(ids.slice(1));
    expect(Object.keys((await (await e.app.request('/history?max_items=1&offset=0')).json()) as Json)).toEqual(ids.slice(0, 1));
    await postJson(e.app, '/history', { delete: [ids[0]] });
    expect(Object.keys((await (await e.app.request('/history')).json()) as Json)).toEqual(ids.slice(1));
    await postJson(e.app, '/history', { clear: true });
    expect(await (await e.app.request('/history')).json()).toEqual({});
  });

  it('refuses a loopback Host with a foreign Origin, as ComfyUI does', async () => {
    const e = await emulator();
    const res = await e.app.request('/prompt', { headers: { host: '127.0.0.1:8188', origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    expect(e.output()).toContain('WARNING: request with non matching host and origin 127.0.0.1 != evil.example, returning 403');
  });

  it.each([
    // A resolver that knows localhost. (trailing dot), as most do; numeric spellings resolve too.
    ['localhost.:8188', 'http://evil.example', 403, 'localhost. != evil.example'],
    ['2130706433:8188', 'http://evil.example', 403, '2130706433 != evil.example'],
    ['[::1]:8188', 'http://evil.example', 403, '::1 != evil.example'],
    ['127.0.0.1:8188', 'http://exa mple.com', 403, '127.0.0.1 != exa mple.com'],
    ['127.0.0.1:8188', 'http://localhost:8188', 403, '127.0.0.1:8188 != localhost:8188'],
    ['127.0.0.1:8188', 'null', 200, undefined],
    ['evil.example:8188', 'http://other.example', 200, undefined],
  ])('Host %j with Origin %j → %i, as ComfyUI 0.3.64 decides', async (host, origin, status, names) => {
    const e = await emulator({
      lookup: async (name, family) =>
        ['localhost.', '2130706433'].includes(name) && family === 4 ? ['127.0.0.1'] : Promise.reject(new Error('ENOTFOUND')),
    });
    const res = await e.app.request('/system_stats', { headers: { host, origin } });
    expect(res.status).toBe(status);
    if (names === undefined) expect(e.output()).not.toContain('WARNING: request with non matching');
    else expect(e.output()).toContain(`WARNING: request with non matching host and origin ${names}, returning 403`);
  });

  it("answers aiohttp's 500 where ComfyUI's urllib raises on the Origin (a bad port), with the traceback from its middleware", async () => {
    const e = await emulator();
    const res = await e.app.request('/system_stats', { headers: { host: '127.0.0.1:8188', origin: 'http://evil.example:99999' } });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('500 Internal Server Error\n\nServer got itself in trouble');
    const output = e.output();
    expect(output).toContain('Error handling request\nTraceback (most recent call last):\n');
    expect(output).toContain('line 27, in cache_control\n');
    expect(output).toContain('server.py", line 124, in origin_only_middleware\n');
    expect(output).not.toContain('line 137, in origin_only_middleware');
    expect(output).toContain('ValueError: Port out of range 0-65535\n');
  });

  it('answers OPTIONS with an empty 200 without running the route, as its middleware does', async () => {
    const e = await emulator();
    const res = await e.app.request('/prompt', { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
    expect(e.output()).not.toContain('got prompt');
  });
});

describe('emulator faults', () => {
  it.each([
    ['error', 'RuntimeError'],
    ['oom', 'torch.OutOfMemoryError'],
  ])('[[fault:%s]] ends the prompt with execution_error %s', async (fault, type) => {
    const e = await emulator();
    const id = (await submit(e, { prompt: weightFreeGraph({ text: `a cat [[fault:${fault}]]` }) })).body['prompt_id'];
    const entry = await entryOf(e, id);
    expect(entry['status']).toMatchObject({ status_str: 'error', completed: false });
    expect(entry['status']['messages'][2]).toMatchObject([
      'execution_error',
      { exception_type: type === 'RuntimeError' ? 'OSError' : type, node_id: '3' },
    ]);
    expect(e.output()).toMatch(
      /!!! Exception during processing !!! .*\nTraceback \(most recent call last\):\n[\s\S]*\n\n(Got an OOM, unloading all loaded models\.\n)?Prompt executed in/,
    );
    if (fault === 'oom') expect(e.output()).toContain('\nGot an OOM, unloading all loaded models.\n');
  });

  it('fails a sampler workflow in the sampler', async () => {
    const e = await emulator();
    const graph = {
      '3': {
        class_type: 'KSampler',
        inputs: {
          seed: 1,
          steps: 4,
          cfg: 8,
          sampler_name: 'euler',
          scheduler: 'normal',
          denoise: 1,
          model: ['4', 0],
          positive: ['6', 0],
          negative: ['7', 0],
          latent_image: ['5', 0],
        },
      },
      '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
      '5': { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      '6': { class_type: 'CLIPTextEncode', inputs: { text: 'cat [[fault:error]]', clip: ['4', 1] } },
      '7': { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
      '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'ComfyUI' } },
    };
    const entry = await entryOf(e, (await submit(e, { prompt: graph })).body['prompt_id']);
    expect(entry['status']['messages'][2][1]).toMatchObject({ node_id: '3', node_type: 'KSampler', exception_type: 'RuntimeError' });
    expect(e.output()).toContain('Requested to load BaseModel');
    expect(e.output()).toContain('\r  0%|          | 0/4 [00:00<?, ?it/s]');
  });

  it('hangs until interrupted', async () => {
    const e = await emulator();
    const id = (await submit(e, { prompt: weightFreeGraph({ text: '[[fault:hang]]' }) })).body['prompt_id'] as string;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await (await e.app.request(`/history/${id}`)).json()).toEqual({});
    expect(e.state.queue.running()).toHaveLength(1);
    await postJson(e.app, '/interrupt', {});
    expect((await entryOf(e, id))['status']['messages'][2][0]).toBe('execution_interrupted');
    expect(e.output()).toContain('Global interrupt (no prompt_id specified)');
  });

  it('interrupts itself for [[fault:interrupt]]', async () => {
    const e = await emulator();
    const id = (await submit(e, { prompt: weightFreeGraph({ text: '[[fault:interrupt]]' }) })).body['prompt_id'] as string;
    expect((await entryOf(e, id))['status']['messages'][2][0]).toBe('execution_interrupted');
  });

  it('answers 500 for [[fault:http500]] and HTML for [[fault:garbage]]', async () => {
    const e = await emulator();
    const a = await postJson(e.app, '/prompt', { prompt: weightFreeGraph({ text: '[[fault:http500]]' }) });
    expect([a.status, await a.text()]).toEqual([500, '500 Internal Server Error\n\nServer got itself in trouble']);
    const b = await postJson(e.app, '/prompt', { prompt: weightFreeGraph({ text: '[[fault:garbage]]' }) });
    expect(b.status).toBe(200);
    expect(b.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('forgets queue, history and counter on [[fault:crash]]', async () => {
    const e = await emulator();
    const done = (await submit(e, { prompt: weightFreeGraph() })).body['prompt_id'] as string;
    await entryOf(e, done);
    await submit(e, { prompt: weightFreeGraph({ text: '[[fault:crash]]' }) });
    for (let i = 0; i < 200 && e.crashes() === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(e.crashes()).toBe(1);
    expect(await (await e.app.request('/history')).json()).toEqual({});
    expect((await submit(e, { prompt: weightFreeGraph({ color: 5 }) })).body['number']).toBe(0);
  });

  it('delays /view of a [[fault:slow_view]] image', async () => {
    const e = await emulator({ slowViewMs: 1234 });
    const entry = await entryOf(e, (await submit(e, { prompt: weightFreeGraph({ text: '[[fault:slow_view]]' }) })).body['prompt_id']);
    const name = entry['outputs']['3']['images'][0]['filename'] as string;
    expect((await e.app.request(`/view?filename=${name}`)).status).toBe(200);
    expect(e.waits).toContain(1234);
  });

  it('applies configured faults to every prompt at rate 1', async () => {
    const e = await emulator({ faults: ['error'], faultRate: 1 });
    const entry = await entryOf(e, (await submit(e, { prompt: weightFreeGraph() })).body['prompt_id']);
    expect(entry['status']['status_str']).toBe('error');
  });
});

describe('PNG output', () => {
  it('decodes back to the solid inverted colour', async () => {
    const e = await emulator();
    const entry = await entryOf(
      e,
      (await submit(e, { prompt: weightFreeGraph({ width: 8, height: 2, color: 0x336699 }) })).body['prompt_id'],
    );
    const png = new Uint8Array(
      await (await e.app.request(`/view?filename=${entry['outputs']['3']['images'][0]['filename']}`)).arrayBuffer(),
    );
    const buf = Buffer.from(png);
    const idat = buf.indexOf('IDAT');
    const raw = inflateSync(buf.subarray(idat + 4, idat + 4 + buf.readUInt32BE(idat - 4)));
    // Row 0: filter byte 1 (Sub), first pixel as is, then zero deltas.
    expect([...raw.subarray(0, 7)]).toEqual([1, 0xff - 0x33, 0xff - 0x66, 0xff - 0x99, 0, 0, 0]);
  });
});
