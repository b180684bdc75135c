// `logtrace serve` and `logtrace report --html` in Debian's chromium: each page against
// a generated log directory whose answers the generator knows, the server a real
// process on a free port, one browser for the file.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatRecord } from '../../src/generator/format-record.js';
import { generateLogs, type GeneratedLogs } from '../../src/generator/generate-logs.js';
import type { ExpectedRequest } from '../../src/generator/expected-answers.js';
import { runCli, runJson, type Json } from '../run-cli.js';
import { BIN, canvasInk, launchChromium, seriousViolations, startServer, watchPage, type ServerProcess } from './browser-session.js';

/** A log message that would run script if a page treated it as markup. */
const XSS = '<img src=x onerror=alert(1)>';

let root = '';
let dir = '';
let gen: GeneratedLogs;
let victim: ExpectedRequest;
let failed: ExpectedRequest;
let server: ServerProcess;
let browser: Browser;
let page: Page;
let problems: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'logtrace-web-'));
  dir = path.join(root, 'logs');
  gen = generateLogs({ dir, seed: 5, requests: 120, corrupt: false });
  victim = pick((r) => r.outcome === 'ok' && r.nodes.length > 2 && r.queue_wait_ms !== null);
  failed = pick((r) => r.scenario === 'execution_error');
  // The backend logs an error whose text is markup, inside a failed request's trace.
  const time = (failed.events[1]?.time ?? 0) + 1;
  const fields = { request_id: failed.request_id, error_code: 'xss_probe', error: XSS };
  appendFileSync(
    path.join(dir, 'backend.log'),
    `${formatRecord('ours', { time, level: 'ERROR', service: 'backend', event: 'gpu_error', msg: XSS, fields }, 4242)}\n`,
  );
  [server, browser] = await Promise.all([startServer(['--dir', dir]), launchChromium()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([server?.stop(), browser?.close()]);
  await rm(root, { recursive: true, force: true });
});

afterEach(async () => {
  await page?.context().close();
  expect(problems).toEqual([]);
});

function pick(match: (r: ExpectedRequest) => boolean): ExpectedRequest {
  const found = gen.expected.requests.find(match);
  if (found === undefined) throw new Error('the generated directory lacks a request the test needs');
  return found;
}

/** Milliseconds as the pages print them. */
function shownMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60000).toFixed(1)} min`;
}

/** A fresh page (own context, so no cookie carries over) watched for console errors and dialogs. */
async function newPage(): Promise<Page> {
  problems = [];
  page = watchPage(await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage(), problems);
  return page;
}

async function open(pathAndQuery: string, base = server.url): Promise<Page> {
  const p = page ?? (await newPage());
  await p.goto(new URL(pathAndQuery, base).href);
  await p.waitForSelector('body[data-ready]');
  expect(await p.getAttribute('body', 'data-ready'), await p.locator('main').innerText()).toBe('true');
  return p;
}

/** An HTTP GET with any Host header and headers (fetch would not send a foreign Host). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('overview', () => {
  it('shows the generated numbers, draws its charts and links the slowest generations to their traces', async () => {
    await newPage();
    const p = await open('/');
    const perf = gen.expected.perf();
    const errors = (await runJson(['errors', '--dir', dir])).json;
    expect(await p.textContent('#gen-count')).toBe(String(perf.generation.count));
    expect(await p.textContent('#gen-p50')).toBe(shownMs(perf.generation.p50_ms ?? NaN));
    expect(await p.textContent('#gen-p95')).toBe(shownMs(perf.generation.p95_ms ?? NaN));
    expect(await p.textContent('#request-count')).toBe(String(perf.stages.backend_end_to_end.count));
    expect(await p.textContent('#error-total')).toBe(String(errors['total']));
    const perfJson = (await runJson<Json>(['perf', '--dir', dir])).json;
    expect(await p.textContent('#input-note')).toContain(`Read ${perfJson['input']['files']} files, ${perfJson['input']['lines']} lines`);
    const ink = await canvasInk(p);
    expect(ink).toHaveLength(3);
    for (const n of ink) expect(n).toBeGreaterThan(100);
    const slowest = gen.expected.perf(0).slow.items[0];
    const link = p.locator('a.id').first();
    expect(await link.getAttribute('href')).toBe(`/trace/${slowest?.request_id}`);
    expect(await p.locator('a.id').count()).toBe(Math.min(20, perf.generation.count));
    await link.click();
    await p.waitForURL(`**/trace/${slowest?.request_id}`);
    await p.waitForSelector('body[data-ready="true"]');
    expect(await p.locator('h1 code').textContent()).toBe(slowest?.request_id);
    expect(await p.locator('.total').textContent()).not.toBe('—');
    expect(await seriousViolations(p)).toEqual([]);
  });

  it('is usable from the keyboard: Tab reaches the search box and the trace links, Enter follows them', async () => {
    await newPage();
    const p = await open('/');
    const focused = () => p.evaluate('document.activeElement && (document.activeElement.id || document.activeElement.className)');
    let steps = 0;
    while ((await focused()) !== 'q' && steps++ < 10) await p.keyboard.press('Tab');
    expect(await focused()).toBe('q');
    while ((await focused()) !== 'id' && steps++ < 40) await p.keyboard.press('Tab');
    expect(await focused()).toBe('id');
    await p.keyboard.press('Enter');
    await p.waitForURL('**/trace/**');
    await p.waitForSelector('body[data-ready="true"]');
  });
});

describe('live pages', () => {
  it('redraw in place when a log grows: a new error shows on the open overview without a reload', async () => {
    const liveDir = path.join(root, 'live');
    cpSync(dir, liveDir, { recursive: true });
    const live = await startServer(['--dir', liveDir, '--live', '200ms']);
    try {
      await newPage();
      const p = await open('/', live.url);
      const before = Number(await p.textContent('#error-total'));
      // Marks this document: a reload would make a new one without the mark.
      await p.evaluate(() => ((globalThis as { liveMark?: boolean }).liveMark = true));
      const fields = { request_id: failed.request_id, error_code: 'live_probe', error: 'appended while the page was open' };
      appendFileSync(
        path.join(liveDir, 'backend.log'),
        `${formatRecord('ours', { time: gen.endTime - 1000, level: 'ERROR', service: 'backend', event: 'gpu_error', msg: 'live', fields }, 4242)}\n`,
      );
      await p.waitForSelector('body[data-updated]', { timeout: 15_000 });
      await p.waitForFunction(`document.getElementById('error-total')?.textContent === '${before + 1}'`, undefined, { timeout: 15_000 });
      expect(await p.evaluate(() => (globalThis as { liveMark?: boolean }).liveMark)).toBe(true);
    } finally {
      await live.stop();
    }
  }, 60_000);
});

describe('trace page', () => {
  it('draws the waterfall with ComfyUI queue wait, execution and nodes, compares with the p50 and keeps log text as text', async () => {
    await newPage();
    const p = await open(`/trace/${victim.request_id.slice(0, 8)}`);
    expect(await p.locator('h1 code').textContent()).toBe(victim.request_id.slice(0, 8));
    expect(await p.locator('[data-outcome]').textContent()).toBe(victim.outcome);
    const labels = await p.locator('.waterfall .wf-label').allTextContents();
    expect(labels).toContain('ComfyUI queue wait');
    expect(labels).toContain('ComfyUI execution');
    expect(await p.locator('.waterfall .bar.node').count()).toBe(victim.nodes.length);
    expect(await p.locator('.waterfall .mark').count()).toBe(victim.events.length);
    // The queue wait as the generator simulated it.
    const queueRow = p.locator('.wf-row', { hasText: 'ComfyUI queue wait' });
    expect(await queueRow.locator('.wf-value').textContent()).toBe(shownMs(victim.queue_wait_ms ?? NaN));
    // Compared with the p50 of the window (all of the generated day).
    await p.waitForSelector('.typical table');
    const typical = p.locator('.typical tr', { hasText: 'ComfyUI queue + execution' });
    expect(await typical.locator('td').nth(1).textContent()).toBe(shownMs(gen.expected.perf().generation.p50_ms ?? NaN));
    expect(await seriousViolations(p)).toEqual([]);
  });

  it('expands ComfyUI tracebacks in place, keeps log text as text, and says when an id is unknown', async () => {
    await newPage();
    const p = await open(`/trace/${failed.request_id}`);
    // The markup in the log is shown as those characters, and nothing ran (a dialog would be a problem).
    expect(await p.locator('main').innerText()).toContain(XSS);
    expect(await p.locator('main img').count()).toBe(0);
    const entry = p.locator('tr.comfy details').first();
    await entry.locator('summary').click();
    expect(await entry.locator('pre').isVisible()).toBe(true);
    expect(await entry.locator('pre').textContent()).toMatch(/File "|Error|Traceback/);
    await p.goto(new URL('/trace/ffffffff-0000', server.url).href);
    await p.waitForSelector('body[data-ready]');
    expect(await p.locator('[role=alert]').textContent()).toContain('ffffffff-0000');
    // The one console error expected: the browser's own note of the API's 404 for the unknown id.
    expect(problems).toEqual(['console: Failed to load resource: the server responded with a status of 404 (Not Found)']);
    problems.length = 0;
  });
});

describe('errors page', () => {
  it('lists the groups of `logtrace errors` with sparklines, sample requests and tracebacks; the search box filters and finds ids', async () => {
    await newPage();
    const p = await open('/errors');
    const errors = (await runJson(['errors', '--dir', dir])).json;
    const groups = errors['groups'] as Json[];
    const rows = p.locator('tr.group');
    expect(await rows.count()).toBe(groups.length);
    expect(await rows.first().locator('td').first().textContent()).toBe(String(groups[0]?.['count']));
    expect(await p.locator('tr.group svg.spark polyline').count()).toBe(groups.length);
    const sample = rows.first().locator('a.id').first();
    expect(await sample.getAttribute('href')).toBe(`/trace/${(groups[0]?.['request_ids'] as string[])[0]}`);
    expect(await p.locator('main').innerText()).toContain(XSS);
    expect(await p.locator('main img').count()).toBe(0);
    const traceback = p.locator('tr.group details').first();
    await traceback.locator('summary').click();
    expect(await traceback.locator('pre').isVisible()).toBe(true);
    expect(await seriousViolations(p)).toEqual([]);

    await p.fill('#q', 'ECONNREFUSED');
    await p.press('#q', 'Enter');
    await p.waitForURL('**/errors?q=ECONNREFUSED');
    await p.waitForSelector('body[data-ready="true"]');
    const shown = await p.locator('tr.group').allInnerTexts();
    expect(shown.length).toBe(groups.filter((g) => JSON.stringify(g).includes('ECONNREFUSED')).length);
    for (const row of shown) expect(row).toContain('ECONNREFUSED');

    await p.fill('#q', failed.request_id.slice(0, 10));
    await p.press('#q', 'Enter');
    await p.waitForURL(`**/trace/${failed.request_id.slice(0, 10)}`);
    await p.waitForSelector('body[data-ready="true"]');
    expect(await p.locator('[data-outcome]').textContent()).toBe(failed.outcome);
  });
});

describe('/api', () => {
  it("answers with the CLI's --json documents", async () => {
    const since = new Date(gen.startTime).toISOString();
    const until = new Date(gen.endTime + 60_000).toISOString();
    const api = async (pathAndQuery: string) => JSON.parse((await get(new URL(pathAndQuery, server.url).href)).body) as Json;
    expect(await api(`/api/perf?since=${since}&until=${until}`)).toEqual(
      (await runJson(['perf', '--dir', dir, '--since', since, '--until', until])).json,
    );
    expect(await api(`/api/errors?since=${since}&until=${until}&level=warn`)).toEqual(
      (await runJson(['errors', '--dir', dir, '--since', since, '--until', until, '--level', 'warn'])).json,
    );
    expect(await api(`/api/trace/${failed.request_id}`)).toEqual((await runJson(['trace', failed.request_id, '--dir', dir])).json);
  });

  it('refuses bad input with reasons, a window too large, a foreign Host, and sends CSP and nosniff', async () => {
    const port = new URL(server.url).port;
    const page = await get(server.url);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self';/);
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const rebound = await get(server.url, { Host: `attacker.example:${port}` });
    expect(rebound.status).toBe(421);
    const tooLarge = await get(new URL('/api/view/overview?since=30d', server.url).href);
    expect(tooLarge.status).toBe(400);
    expect(JSON.parse(tooLarge.body).error).toContain('30 d, more than the 7 d');
    const unknown = await get(new URL('/api/perf?sincee=1h', server.url).href);
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body).error).toContain('unknown parameter "sincee"');
    const badId = await get(new URL('/api/trace/%3Cscript%3E', server.url).href);
    expect(badId.status).toBe(400);
    const badTime = await get(new URL('/api/perf?since=yesterday', server.url).href);
    expect(badTime.status).toBe(400);
    expect(JSON.parse(badTime.body).error).toContain('expected an ISO time');
  });

  it('with a token: refuses requests without it, takes it as a bearer or from the URL once (then a cookie)', async () => {
    const token = 'correct-horse-battery-staple';
    const guarded = await startServer(['--dir', dir], { LOGTRACE_TOKEN: token });
    try {
      expect(guarded.url).not.toContain(token);
      expect((await get(guarded.url)).status).toBe(401);
      expect((await get(guarded.url, { Authorization: 'Bearer wrong-token-of-some-length' })).status).toBe(401);
      expect((await get(new URL('/api/perf', guarded.url).href, { Authorization: `Bearer ${token}` })).status).toBe(200);
      await newPage();
      const p = await open(`/errors?token=${token}`, guarded.url);
      expect(new URL(p.url()).search).toBe('');
      expect(await p.locator('tr.group').count()).toBeGreaterThan(0);
    } finally {
      await guarded.stop();
    }
    const open0 = await runCli(['serve', '--dir', dir, '--host', '0.0.0.0', '--port', '0']);
    expect(open0.code).toBe(2);
    expect(open0.stderr).toContain('give a token');
  });
});

describe('report --html', () => {
  it('writes one self-contained file that works offline: overview, errors and the slowest traces, log text as text', async () => {
    const file = path.join(root, 'incident.html');
    const ran = spawnSync(process.execPath, [BIN, 'report', '--dir', dir, '--html', file, '--top', '3'], { encoding: 'utf8' });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('3 traces');
    await newPage();
    await page.context().setOffline(true);
    const p = await open(pathToFileURL(file).href);
    const perf = gen.expected.perf();
    expect(await p.textContent('#gen-count')).toBe(String(perf.generation.count));
    expect(await p.locator('article.trace').count()).toBe(3);
    expect(await p.locator('#trace-0 h3 code').textContent()).toBe(gen.expected.perf(0).slow.items[0]?.request_id);
    expect(await p.locator('a.id').first().getAttribute('href')).toBe('#trace-0');
    for (const n of await canvasInk(p)) expect(n).toBeGreaterThan(100);
    expect(await p.locator('#errors').innerText()).toContain(XSS);
    expect(await p.locator('main img').count()).toBe(0);
    expect(await seriousViolations(p)).toEqual([]);
    // Two real processes (the report, then chromium) on a shared machine.
  }, 60_000);
});
