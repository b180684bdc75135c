// The built backend and GPU server as an operator runs them, with a shared bearer token
// and a ComfyUI API key: the token is required and sent, the secrets reach ComfyUI and
// nowhere else (no log file, no stderr), and every service listens on loopback only
// unless HOST says otherwise.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/http/start-server.js';
import { createTestEmulator, type TestEmulator } from './support/test-emulator.js';
import {
  BIN,
  listeningAddresses,
  readCheckedLog,
  spawnService,
  startedPort,
  waitUntil,
  type ServiceChild,
} from './support/service-process.js';

type Json = Record<string, any>;

const TOKEN = 'tok-7d1f0c93e2b54a8f';
const API_KEY = 'comfy-key-5b2e9a41c07d';
const CLIENT_BEARER = 'client-bearer-61c4f2a9';
const CLIENT_COOKIE = 'session=cookie-93d1e7b0';
const WRONG_TOKEN = 'guess-0f3a8c2d';
const BODY_KEY = 'body-key-4e8b1d6f';
const SECRETS = [TOKEN, API_KEY, CLIENT_BEARER, 'cookie-93d1e7b0', WRONG_TOKEN, BODY_KEY];

const dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-secrets-'));
const logDir = path.join(dir, 'logs');
const children: ServiceChild[] = [];
let emulator: TestEmulator;
let comfyui: RunningServer;
const promptBodies: Json[] = [];
let backend: ServiceChild;
let gpu: ServiceChild;
let urls: { backend: string; gpu: string };

beforeAll(async () => {
  emulator = await createTestEmulator();
  // ComfyUI that records every POST /prompt body, to show the API key does reach it.
  comfyui = await startServer({
    host: '127.0.0.1',
    port: 0,
    fetch: async (request) => {
      if (request.method === 'POST' && new URL(request.url).pathname === '/prompt') {
        promptBodies.push((await request.clone().json()) as Json);
      }
      return emulator.app.fetch(request);
    },
  });
  gpu = spawnService(BIN.gpuServer, {
    PORT: '0',
    LOG_DIR: logDir,
    COMFYUI_URL: comfyui.url,
    COMFYUI_POLL_INTERVAL_MS: '5',
    GPU_SERVER_TOKEN: TOKEN,
    COMFYUI_API_KEY: API_KEY,
  });
  children.push(gpu);
  const gpuUrl = `http://127.0.0.1:${await startedPort(path.join(logDir, 'gpu_server.log'))}`;
  backend = spawnService(BIN.backend, { PORT: '0', LOG_DIR: logDir, GPU_SERVER_URL: gpuUrl, GPU_SERVER_TOKEN: TOKEN });
  children.push(backend);
  urls = { backend: `http://127.0.0.1:${await startedPort(path.join(logDir, 'backend.log'))}`, gpu: gpuUrl };
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await comfyui.stop(1000);
  emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('secrets', () => {
  it('the GPU server refuses calls without the token (401) and the backend sends it', async () => {
    expect((await post(`${urls.gpu}/generate`, { prompt: 'x' })).status).toBe(401);
    const wrong = await post(`${urls.gpu}/generate`, { prompt: 'x' }, { authorization: `Bearer ${WRONG_TOKEN}` });
    expect([wrong.status, wrong.body['error_code']]).toEqual([401, 'unauthorized']);
    expect((await post(`${urls.gpu}/generate`, { prompt: 'direct' }, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await post(`${urls.backend}/api/generate`, { prompt: 'through the backend' })).status).toBe(200);
    expect(promptBodies).toHaveLength(2);
    for (const body of promptBodies) expect(body['extra_data']).toMatchObject({ api_key_comfy_org: API_KEY });
  });

  it('never reach a log file or stderr, on success, failure and rejected paths', async () => {
    const client = { authorization: `Bearer ${CLIENT_BEARER}`, cookie: CLIENT_COOKIE };
    expect((await post(`${urls.backend}/api/generate`, { prompt: 'a cat' }, client)).status).toBe(200);
    expect((await post(`${urls.backend}/api/generate`, { prompt: 'a cat [[fault:error]]' }, client)).status).toBe(502);
    expect((await post(`${urls.backend}/api/generate`, { prompt: 'x', extra_data: { api_key_comfy_org: BODY_KEY } }, client)).status).toBe(
      400,
    );
    const direct = { authorization: `Bearer ${TOKEN}` };
    expect((await post(`${urls.gpu}/generate`, { prompt: 'x', extra_data: { api_key_comfy_org: BODY_KEY } }, direct)).status).toBe(400);
    expect((await post(`${urls.gpu}/generate`, { prompt: 'x [[fault:http500]]' }, direct)).status).toBe(502);

    backend.kill('SIGTERM');
    gpu.kill('SIGTERM');
    expect(await backend.exited).toEqual({ code: 0, signal: null });
    expect(await gpu.exited).toEqual({ code: 0, signal: null });
    const files = readdirSync(logDir);
    expect(files.sort()).toEqual(['backend.log', 'gpu_server.log']);
    const outputs: Array<[string, string]> = [
      ...files.map((file): [string, string] => [file, readFileSync(path.join(logDir, file), 'utf8')]),
      ['backend stderr', backend.stderr()],
      ['gpu-server stderr', gpu.stderr()],
      ['emulator console', emulator.output()],
    ];
    for (const [name, text] of outputs) {
      for (const secret of SECRETS) expect(text.includes(secret), `${secret} in ${name}`).toBe(false);
    }
    // The logs are not empty: the paths above were logged, only without the secrets.
    const gpuEvents = readCheckedLog(path.join(logDir, 'gpu_server.log')).map((r) => r['event']);
    expect(gpuEvents.filter((e) => e === 'request_rejected')).toHaveLength(3);
    expect(gpuEvents).toContain('error_comfyui');
  });
});

describe('listening addresses', () => {
  it('is 127.0.0.1 for every service by default', async () => {
    const emulatorChild = spawnService(BIN.emulator, {}, ['--port', '0']);
    children.push(emulatorChild);
    const emulatorPort = Number(
      await waitUntil(() => /To see the GUI go to: http:\/\/127\.0\.0\.1:(\d+)/.exec(emulatorChild.stderr())?.[1], 'the emulator banner'),
    );
    const backendOnly = spawnService(BIN.backend, { PORT: '0', LOG_DIR: path.join(dir, 'bind') });
    children.push(backendOnly);
    const backendPort = await startedPort(path.join(dir, 'bind', 'backend.log'));
    const gpuOnly = spawnService(BIN.gpuServer, { PORT: '0', LOG_DIR: path.join(dir, 'bind') });
    children.push(gpuOnly);
    const gpuPort = await startedPort(path.join(dir, 'bind', 'gpu_server.log'));
    expect(listeningAddresses(backendPort)).toEqual(['127.0.0.1']);
    expect(listeningAddresses(gpuPort)).toEqual(['127.0.0.1']);
    expect(listeningAddresses(emulatorPort)).toEqual(['127.0.0.1']);
  });

  it('follows HOST when it is set', async () => {
    const child = spawnService(BIN.backend, { PORT: '0', HOST: '127.0.0.2', LOG_DIR: path.join(dir, 'host') });
    children.push(child);
    const port = await startedPort(path.join(dir, 'host', 'backend.log'));
    expect(listeningAddresses(port)).toEqual(['127.0.0.2']);
    expect((await fetch(`http://127.0.0.2:${port}/health`)).status).toBe(200);
  });
});
