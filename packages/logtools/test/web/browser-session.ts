import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The built CLI, run as a real process. */
export const BIN = fileURLToPath(new URL('../../bin/logtrace.js', import.meta.url));

/** Debian's chromium (scripts/apt_install.sh, `npm run test:deps`); CHROMIUM_PATH overrides. */
export function chromiumPath(): string {
  const path = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(path))
    throw new Error(`no chromium at ${path}: run "npm run test:deps" (installs Debian's chromium) or set CHROMIUM_PATH`);
  return path;
}

/** Launches Debian's chromium headless through playwright-core (which downloads no browser of its own). */
export function launchChromium(): Promise<Browser> {
  // Chromium's sandbox cannot start as root (CI containers); elsewhere it stays on.
  const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return chromium.launch({ executablePath: chromiumPath(), args });
}

/** A `logtrace serve` process on a free port, and the URL it printed. */
export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `logtrace serve --port 0 ARGS…` and waits for its URL (stderr is kept for the failure message). */
export function startServer(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 15 s: ${stdout}${stderr}`)), 15_000);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /http:\/\/\S+\//.exec(stdout)?.[0];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({
        url,
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** axe-core's browser build, injected from node_modules into the page under test. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page, as "rule: where" lines (none expected). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }> } }
    ).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.targets.join(' ')}`);
}

/** For each canvas of the page: how many of its pixels are strongly coloured (data, not the grey axes and grid). */
export function canvasInk(page: Page): Promise<number[]> {
  // A string: this runs in the page, and the tests are typed without the DOM library.
  return page.evaluate(`[...document.querySelectorAll('canvas')].map((canvas) => {
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2];
      if (pixels[i + 3] > 100 && Math.max(r, g, b) - Math.min(r, g, b) > 60) inked++;
    }
    return inked;
  })`);
}

/** Collects what should never happen on a page: console errors, uncaught exceptions, dialogs (an alert() from injected markup). */
export function watchPage(page: Page, problems: string[]): Page {
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return page;
}
