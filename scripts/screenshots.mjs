#!/usr/bin/env node
// `npm run screenshots`: PNGs of `logtrace serve`'s overview and a trace page, for the
// README, from a generated log directory (seed 7) in Debian's chromium through
// playwright-core: docs/web-overview.png and docs/web-trace.png.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { generateLogs } from '../packages/logtools/dist/generator/generate-logs.js';
import { startServe } from './start-serve.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function shoot(page, url, file, height) {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('.typical table, .chart canvas');
  const full = await page.evaluate('document.documentElement.scrollHeight');
  await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.min(full, height) } });
  process.stdout.write(`screenshots: wrote ${path.relative(ROOT, file)}\n`);
}

const root = mkdtempSync(path.join(tmpdir(), 'logtrace-shots-'));
const gen = generateLogs({ dir: path.join(root, 'logs'), seed: 7, requests: 200, corrupt: false });
const slowest = gen.expected.perf().slow.items[0]?.request_id;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
});
const server = await startServe(gen.dir);
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await shoot(page, server.url, path.join(ROOT, 'docs/web-overview.png'), 1100);
  await shoot(page, new URL(`/trace/${slowest}`, server.url).href, path.join(ROOT, 'docs/web-trace.png'), 1000);
} finally {
  server.child.removeAllListeners('exit');
  server.child.kill('SIGTERM');
  await browser.close();
  rmSync(root, { recursive: true, force: true });
}
