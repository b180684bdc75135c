#!/usr/bin/env node
// One measurement of `logtrace serve` in Debian's chromium (playwright-core), for
// `npm run bench`: node bench/web-view.mjs DIR TRACE_ID prints one JSON line.
//   overview_cold_s  a fresh server: navigation to / until the page has drawn (data-ready)
//   overview_warm_s  the same page again (the server answers from its cache)
//   trace_cold_s     /trace/ID on the same server, first time, until drawn
//   trace_warm_s     the same trace again
//   first_load_bytes every response body of the first overview load (HTML, scripts, styles, data)
//   overview_api_warm_s  /api/view/overview again, alone (the server's part of a warm overview)
import { chromium } from 'playwright-core';
import { startServe } from '../scripts/start-serve.mjs';

const [dir, id] = process.argv.slice(2);
if (dir === undefined || id === undefined) {
  process.stderr.write('usage: node bench/web-view.mjs DIR TRACE_ID\n');
  process.exit(2);
}

/** Seconds from navigation to the page's data-ready mark. */
async function timeLoad(page, url) {
  const started = performance.now();
  await page.goto(url);
  await page.waitForSelector('body[data-ready]', { timeout: 600_000 });
  const ready = await page.getAttribute('body', 'data-ready');
  if (ready !== 'true') throw new Error(`${url}: ${await page.locator('main').innerText()}`);
  return (performance.now() - started) / 1000;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
});
const server = await startServe(dir);
try {
  const page = await browser.newPage();
  let bytes = 0;
  const counting = (response) =>
    response.body().then(
      (b) => (bytes += b.length),
      () => undefined,
    );
  const pending = [];
  // The live pages' event stream never ends: its body is not waited for (nor counted).
  page.on('response', (r) => {
    if (!(r.headers()['content-type'] ?? '').startsWith('text/event-stream')) pending.push(counting(r));
  });
  const overviewCold = await timeLoad(page, server.url);
  await Promise.all(pending);
  page.removeAllListeners('response');
  const overviewWarm = await timeLoad(page, server.url);
  const apiStarted = performance.now();
  await (await fetch(new URL('/api/view/overview', server.url))).arrayBuffer();
  const overviewApiWarm = (performance.now() - apiStarted) / 1000;
  const traceUrl = new URL(`/trace/${id}`, server.url).href;
  const traceCold = await timeLoad(page, traceUrl);
  const traceWarm = await timeLoad(page, traceUrl);
  process.stdout.write(
    `${JSON.stringify({
      overview_cold_s: overviewCold,
      overview_warm_s: overviewWarm,
      overview_api_warm_s: overviewApiWarm,
      trace_cold_s: traceCold,
      trace_warm_s: traceWarm,
      first_load_bytes: bytes,
    })}\n`,
  );
} finally {
  server.child.removeAllListeners('exit');
  server.child.kill('SIGTERM');
  await browser.close();
}
