import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../http/start-server.js';
import { createTestEmulator, postJson, waitForHistory, weightFreeGraph, type TestEmulator } from '../../test/support/test-emulator.js';

interface Message {
  readonly type: string;
  readonly data: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const opened: Array<{ emulator: TestEmulator; server: RunningServer }> = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const { emulator, server } of opened.splice(0)) {
    emulator.close();
    await server.stop(500);
  }
});

async function start(options: { websocket?: boolean } = {}): Promise<{ emulator: TestEmulator; server: RunningServer; ws: string }> {
  const emulator = await createTestEmulator(options);
  const server = await startServer({ fetch: emulator.app.fetch, host: '127.0.0.1', port: 0 });
  emulator.attachSocket(server.server);
  opened.push({ emulator, server });
  return { emulator, server, ws: server.url.replace('http:', 'ws:') };
}

/** Connects and records messages; resolves once open (or rejects with the refusal). */
async function connect(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; messages: Message[]; closed: Promise<number> }> {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  sockets.push(ws);
  const messages: Message[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as Message));
  const closed = new Promise<number>((resolve) => ws.on('close', resolve));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, messages, closed };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

const types = (messages: readonly Message[]): string[] => messages.map((m) => m.type);

describe("the emulator's websocket", () => {
  it('greets with status and the clientId as sid, or a made-up hex id', async () => {
    const { ws } = await start();
    const named = await connect(`${ws}/ws?clientId=abc`);
    const anonymous = await connect(`${ws}/api/ws`);
    await until(() => named.messages.length > 0 && anonymous.messages.length > 0);
    expect(named.messages[0]).toEqual({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'abc' } });
    expect(anonymous.messages[0]?.data['sid']).toMatch(/^[0-9a-f]{32}$/);
  });

  it("sends a prompt's execution messages to its client_id only, and status to everyone", async () => {
    const { emulator, ws } = await start();
    const owner = await connect(`${ws}/ws?clientId=owner`);
    const other = await connect(`${ws}/ws?clientId=other`);
    const res = await postJson(emulator.app, '/prompt', { prompt: weightFreeGraph(), client_id: 'owner' });
    const promptId = ((await res.json()) as { prompt_id: string }).prompt_id;
    await waitForHistory(emulator.app, promptId);
    await until(() => owner.messages.some((m) => m.type === 'executing' && m.data['node'] === null));
    expect(types(owner.messages).filter((t) => t !== 'progress_state')).toEqual([
      'status',
      'status',
      'status',
      'execution_start',
      'execution_cached',
      'executing',
      'executing',
      'executing',
      'executed',
      'execution_success',
      'status',
      'executing',
    ]);
    expect(types(other.messages)).toEqual(['status', 'status', 'status', 'status']);
  });

  it('broadcasts only progress_state for a prompt without client_id', async () => {
    const { emulator, ws } = await start();
    const listener = await connect(`${ws}/ws`);
    const res = await postJson(emulator.app, '/prompt', { prompt: weightFreeGraph({ width: 80 }) });
    await waitForHistory(emulator.app, ((await res.json()) as { prompt_id: string }).prompt_id);
    await until(() => listener.messages.filter((m) => m.type === 'status').length === 4);
    expect(new Set(types(listener.messages))).toEqual(new Set(['status', 'progress_state']));
  });

  it('sends nothing more once a prompt hangs, and drops every socket without a close frame on a crash', async () => {
    const { emulator, ws } = await start();
    const owner = await connect(`${ws}/ws?clientId=owner`);
    await postJson(emulator.app, '/prompt', { prompt: weightFreeGraph({ text: '[[fault:hang]]' }), client_id: 'owner' });
    await until(() => owner.messages.some((m) => m.type === 'executing' && m.data['node'] === '3'));
    const count = owner.messages.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(owner.messages).toHaveLength(count);
    await postJson(emulator.app, '/prompt', { prompt: weightFreeGraph({ text: '[[fault:crash]]' }), client_id: 'owner' });
    emulator.state.queue.interrupt();
    expect(await owner.closed).toBe(1006);
  });

  it('answers the feature flags, warns about text that is not JSON, and ignores the rest', async () => {
    const { emulator, ws } = await start();
    const client = await connect(`${ws}/ws?clientId=flags`);
    client.ws.send('{"type": "feature_flags", "data": {"supports_preview_metadata": true}}');
    client.ws.send('{"type": "feature_flags", "data": {}}');
    client.ws.send('not json');
    client.ws.send('[1]');
    client.ws.send(Buffer.from([1, 2, 3]));
    // The warnings are written as the messages arrive; the reply to the first may still be on its way.
    await until(() => emulator.output().includes("'list' object") && client.messages.length >= 2);
    expect(client.messages.slice(1)).toEqual([
      { type: 'feature_flags', data: { supports_preview_metadata: true, max_upload_size: 104857600 } },
    ]);
    expect(emulator.output()).toContain('Invalid JSON received from client flags: not json\n');
    expect(emulator.output()).toContain("Error processing WebSocket message: 'list' object has no attribute 'get'\n");
  });

  it('lets a second socket with the same clientId take its messages over, as ComfyUI does', async () => {
    const { emulator, ws } = await start();
    const first = await connect(`${ws}/ws?clientId=twice`);
    const second = await connect(`${ws}/ws?clientId=twice`);
    await postJson(emulator.app, '/prompt', { prompt: weightFreeGraph({ width: 88 }), client_id: 'twice' });
    await until(() => second.messages.some((m) => m.type === 'execution_success'));
    expect(types(first.messages)).toEqual(['status']);
    expect(first.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('refuses like ComfyUI: Host/Origin mismatch 403 with its warning, other paths 404, a plain GET /ws 400, and 404 when switched off', async () => {
    const { emulator, ws, server } = await start();
    const refusal = (url: string, headers: Record<string, string> = {}) =>
      connect(url, headers).then(
        () => 'accepted',
        (err: Error) => err.message,
      );
    expect(await refusal(`${ws}/ws`, { origin: 'http://evil.example' })).toBe('Unexpected server response: 403');
    expect(emulator.output()).toContain('WARNING: request with non matching host and origin 127.0.0.1 != evil.example, returning 403\n');
    expect(await refusal(`${ws}/elsewhere`)).toBe('Unexpected server response: 404');
    const plain = await fetch(`${server.url}/ws`);
    expect([plain.status, await plain.text()]).toEqual([400, 'No WebSocket UPGRADE hdr: None\n Can "Upgrade" only to "WebSocket".']);
    const off = await start({ websocket: false });
    expect(await refusal(`${off.ws}/ws`)).toBe('Unexpected server response: 404');
  });
});
