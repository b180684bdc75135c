import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseThreads, type ThreadChoice } from '../engine/scan-pool.js';
import { generateLogs, type GeneratedLogs } from '../generator/generate-logs.js';
import { createServeApp } from './create-serve-app.js';
import { tokensMatch } from './guard-request.js';
import { acceptedHosts, readServeArgs } from './run-serve.js';
import { ViewLoader } from './view-loader.js';
import { loadWebAssets } from './web-assets.js';

const TOKEN = 'a-token-of-enough-length';
let root = '';
let gen: GeneratedLogs;
let threads: ThreadChoice;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'logtrace-serve-'));
  gen = generateLogs({ dir: path.join(root, 'logs'), seed: 3, requests: 40 });
  threads = chooseThreads({ LOGTRACE_THREADS: '1' });
});

afterAll(async () => {
  threads.workers.pool?.close();
  await rm(root, { recursive: true, force: true });
});

function app(token?: string) {
  const loader = new ViewLoader({ dir: [gen.dir], env: {}, cwd: root, maxWindowMs: 7 * 86_400_000, threads, now: () => gen.endTime });
  return createServeApp({ loader, assets: loadWebAssets(), guard: { hosts: acceptedHosts('127.0.0.1', 8089), token } });
}

const HOST = { Host: '127.0.0.1:8089' };

describe('createServeApp', () => {
  it('answers only to its own Host (DNS rebinding), with the security headers on refusals too', async () => {
    const refused = await app().request('/', { headers: { Host: 'rebound.example:8089' } });
    expect(refused.status).toBe(421);
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await app().request('/', { headers: { Host: 'localhost:8089' } })).status).toBe(200);
    expect((await app().request('/', { headers: { Host: '127.0.0.1:9999' } })).status).toBe(421);
  });

  it('with a token, refuses requests without it and turns ?token= into a cookie', async () => {
    const guarded = app(TOKEN);
    expect((await guarded.request('/api/perf', { headers: HOST })).status).toBe(401);
    expect((await guarded.request('/api/perf', { headers: { ...HOST, Authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await guarded.request('/api/perf', { headers: { ...HOST, Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const first = await guarded.request(`/errors?since=1h&token=${TOKEN}`, { headers: HOST });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/errors?since=1h');
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(first.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await guarded.request('/errors?since=1h', { headers: { ...HOST, Cookie: cookie } })).status).toBe(200);
  });

  it('sends ids to their trace and other text to the errors page', async () => {
    const id = await app().request('/search?q=0b6f4c1e-2f0a', { headers: HOST });
    expect(id.headers.get('location')).toBe('/trace/0b6f4c1e-2f0a');
    const text = await app().request('/search?q=connect%20ECONNREFUSED', { headers: HOST });
    expect(text.headers.get('location')).toBe('/errors?q=connect%20ECONNREFUSED');
  });

  it('says what is wrong with a request: 400 with the reasons, 404 for an unknown id', async () => {
    const bad = await app().request('/api/view/errors?level=loud&since=2h&since=3h', { headers: HOST });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'since: given 2 times, expected once' });
    const level = await app().request('/api/errors?level=loud', { headers: HOST });
    expect(((await level.json()) as { error: string }).error).toContain('--level: expected debug, info, warn, error or fatal');
    expect((await app().request('/trace/%3Cimg%3E', { headers: HOST })).status).toBe(400);
    expect((await app().request('/api/trace/ffffffffffff', { headers: HOST })).status).toBe(404);
    const short = await app().request(`/api/trace/${gen.expected.requests[0]?.request_id.slice(0, 4)}`, { headers: HOST });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { error: string }).error).toContain('a prefix of at least 8 characters');
  });
});

describe('readServeArgs', () => {
  it('lists every problem at once; off loopback a token is required', () => {
    expect(() => readServeArgs({ host: '0.0.0.0', port: 70000, 'max-window': '7d' }, {})).toThrow(
      /--port: expected 0–65535, got 70000\n--host 0.0.0.0 is reachable from other machines: give a token/,
    );
    expect(readServeArgs({ host: '0.0.0.0' }, { LOGTRACE_TOKEN: TOKEN }).token).toBe(TOKEN);
    expect(() => readServeArgs({ host: 'example.com' }, {})).toThrow(/--host: expected an IP address or localhost/);
  });
});

describe('tokensMatch', () => {
  it('compares whole tokens, whatever their lengths', () => {
    expect(tokensMatch(TOKEN, TOKEN)).toBe(true);
    expect(tokensMatch(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokensMatch('', TOKEN)).toBe(false);
  });
});
