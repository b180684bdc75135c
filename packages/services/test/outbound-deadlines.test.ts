// Every outbound call has a deadline and reads or cancels its response body: against
// real sockets that never answer (or stall mid-body), each ComfyUI call and the GPU
// server's own answers end on time; against error answers, clients keep reusing one
// connection, which they can only do when every body was read to the end.
import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ComfyuiError } from '../src/comfyui/comfyui-error.js';
import { createComfyuiClient } from '../src/comfyui/create-comfyui-client.js';
import { answerJson, answerText, startGpuStandIn, type GpuStandIn } from './support/gpu-stand-in.js';
import { postGenerate, startBackendHarness, type BackendHarness } from './support/backend-harness.js';
import { createRealStack, readLog } from './support/real-stack.js';

type Json = Record<string, any>;

/** A server that accepts connections and requests and then never answers, or stalls after the headers. */
interface SilentServer {
  readonly url: string;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

const servers: SilentServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function listen(server: net.Server): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  server.on('connection', (socket: net.Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const silent: SilentServer = {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(silent);
  return silent;
}

/** Reads every request and never writes a byte back. */
const blackHole = (): Promise<SilentServer> => listen(net.createServer((socket) => socket.resume()));

/** Answers 200 with headers and half a body, then stalls. */
const stallAfterHeaders = (): Promise<SilentServer> =>
  listen(
    http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"partial":');
    }),
  );

/** Answers every request with this status and text, and counts connections. */
const answering = (status: number, text: string, type = 'text/plain; charset=utf-8'): Promise<SilentServer> =>
  listen(
    http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    }),
  );

/** Runs the call and times it from before it starts (its first fetch may load undici synchronously). */
async function failure(start: () => Promise<unknown>): Promise<{ code: string; ms: number }> {
  const started = Date.now();
  try {
    await start();
  } catch (err) {
    if (err instanceof ComfyuiError) return { code: err.code, ms: Date.now() - started };
    throw err;
  }
  throw new Error('expected a ComfyuiError');
}

const IMAGE = { filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output', nodeId: '9' };
const DEADLINE_MS = 200;
// The deadline plus generous slack for a loaded machine; without a deadline the call waits for ever.
const SLACK_MS = 3000;

describe("the ComfyUI client gives up on a silent ComfyUI at each call's own deadline", () => {
  const client = (url: string) =>
    createComfyuiClient({
      baseUrl: url,
      submitTimeoutMs: DEADLINE_MS,
      pollTimeoutMs: DEADLINE_MS,
      viewTimeoutMs: DEADLINE_MS,
      retryDelayMs: () => 1,
    });
  const calls: Array<[string, (c: ReturnType<typeof client>) => Promise<unknown>]> = [
    ['POST /prompt', (c) => c.submitPrompt({}, { clientId: 'c' })],
    ['GET /history/{id}', (c) => c.getPromptState('p')],
    ['GET /queue', (c) => c.isQueued('p')],
    ['GET /view', (c) => c.fetchImage(IMAGE)],
    ['GET /system_stats', (c) => c.systemStats(DEADLINE_MS)],
    ['cancel (GET /queue, POST /interrupt)', (c) => c.cancel('p')],
  ];

  it.each(calls)('%s, no answer at all → comfyui_timeout', async (_name, call) => {
    const url = (await blackHole()).url;
    const { code, ms } = await failure(() => call(client(url)));
    expect(code).toBe('comfyui_timeout');
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
  });

  it.each(calls)('%s, headers then a stalled body → comfyui_timeout', async (_name, call) => {
    const url = (await stallAfterHeaders()).url;
    const { code, ms } = await failure(() => call(client(url)));
    expect(code).toBe('comfyui_timeout');
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
  });
});

describe('the GPU server against a ComfyUI that accepts connections and never answers', () => {
  const stack = createRealStack();
  afterAll(() => stack.close());

  it('answers /health degraded within its 2 s probe, a generation 504 at the submit deadline, and /health again', async () => {
    const silent = await blackHole();
    const gpu = await stack.startGpuServer(silent.url, { COMFYUI_SUBMIT_TIMEOUT_MS: '300', COMFYUI_POLL_TIMEOUT_MS: '300' });
    const probe = async (): Promise<Json> => {
      const started = Date.now();
      const body = (await (await fetch(`${gpu.url}/health`)).json()) as Json;
      expect(Date.now() - started).toBeLessThan(2000 + SLACK_MS);
      return body;
    };
    expect(await probe()).toMatchObject({ status: 'degraded', comfyui: { reachable: false, error_code: 'comfyui_timeout' } });
    const started = Date.now();
    const res = await fetch(`${gpu.url}/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"prompt":"x"}',
    });
    const body = (await res.json()) as Json;
    expect([res.status, body['error_code']]).toEqual([504, 'comfyui_timeout']);
    expect(Date.now() - started).toBeLessThan(300 + SLACK_MS);
    expect(readLog(gpu).at(-1)).toMatchObject({ event: 'error_comfyui', error_code: 'comfyui_timeout', request_id: body['request_id'] });
    expect((await probe())['comfyui']).toMatchObject({ reachable: false });
  });
});

// undici hands a connection back one tick after the body ended, so back-to-back calls
// may open a second one; a body left unread (over the socket buffers, hence 200 KB
// bodies here) costs a new connection on every call.
const BIG = 200_000;

describe('error answers are read to the end, so connections are reused', () => {
  let harness: BackendHarness | undefined;
  let standIn: GpuStandIn | undefined;
  afterEach(async () => {
    await harness?.close();
    await standIn?.close();
    harness = undefined;
    standIn = undefined;
  });

  it('backend → GPU server: 21 large error answers of three kinds over at most two connections', async () => {
    harness = await startBackendHarness();
    const answers = [
      answerJson(500, { error: 'ComfyUI failed', error_code: 'comfyui_http_500', details: { big: 'x'.repeat(BIG) } }),
      answerText(502, `<html>${'x'.repeat(BIG)}</html>`),
      answerJson(200, { request_id: 'not ours', padding: 'x'.repeat(BIG) }),
    ];
    for (let i = 0; i < 21; i += 1) {
      harness.gpu.respond(answers[i % answers.length] as (typeof answers)[number]);
      const res = await postGenerate(harness, { prompt: `try ${i}` });
      expect(res.status).toBe(502);
      await res.arrayBuffer();
    }
    expect(harness.gpu.connections()).toBeLessThanOrEqual(2);
  });

  it.each([
    ['an aiohttp 500 page on POST /prompt', 500, `500 Internal Server Error\n\n${'x'.repeat(BIG)}`, 'text/plain', 'submit'],
    [
      'a 400 with large node_errors on POST /prompt',
      400,
      JSON.stringify({ error: { type: 'x', message: 'y' }, node_errors: { '1': 'x'.repeat(BIG) } }),
      'application/json',
      'submit',
    ],
    ['a history that is not an object', 200, JSON.stringify(['x'.repeat(BIG)]), 'application/json', 'poll'],
    ['a 503 on GET /view', 503, 'x'.repeat(BIG), 'text/plain', 'view'],
  ] as const)('GPU server → ComfyUI: 8 × %s over at most two connections', async (_name, status, text, type, kind) => {
    const server = await answering(status, text, type);
    const client = createComfyuiClient({ baseUrl: server.url, retryDelayMs: () => 1 });
    const call = {
      submit: () => client.submitPrompt({}, { clientId: 'c' }),
      poll: () => client.getPromptState('p'),
      view: () => client.fetchImage(IMAGE),
    }[kind];
    for (let i = 0; i < 8; i += 1) await failure(call);
    expect(server.connections()).toBeLessThanOrEqual(2);
  });

  it('the connection count does tell: a client that leaves large bodies unread opens one per call', async () => {
    standIn = await startGpuStandIn();
    standIn.respond(answerText(500, 'x'.repeat(BIG)));
    const unread: Response[] = [];
    for (let i = 0; i < 8; i += 1) unread.push(await fetch(`${standIn.url}/generate`, { method: 'POST', body: '{}' }));
    expect(standIn.connections()).toBeGreaterThan(2);
  });
});
