// The built ComfyUI emulator as a process: what only a real process shows (it stays
// alive through a simulated crash and serves again).
import { afterEach, describe, expect, it } from 'vitest';
import { weightFreeGraph } from './support/test-emulator.js';
import { BIN, emulatorUrl, isRefused, spawnService, waitUntil, type ServiceChild } from './support/service-process.js';

type Json = Record<string, any>;

const children: ServiceChild[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function startEmulator(env: Record<string, string> = {}): Promise<{ child: ServiceChild; url: string; port: number }> {
  // Port 0: the banner names the port it got (a port probed free could be taken meanwhile).
  const child = spawnService(BIN.emulator, { EMULATOR_NODE_MS: '0', EMULATOR_JITTER: '0', ...env }, ['--port', '0']);
  children.push(child);
  const url = await emulatorUrl(child);
  return { child, url, port: Number(new URL(url).port) };
}

const postPrompt = async (url: string, graph: Json): Promise<Response> =>
  fetch(`${url}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: graph }) });

describe('the emulator process', () => {
  it('[[fault:crash]]: refuses connections for EMULATOR_CRASH_MS, then serves again with an empty queue', async () => {
    const { child, url, port } = await startEmulator({ EMULATOR_CRASH_MS: '1500' });
    expect((await postPrompt(url, weightFreeGraph({ text: '[[fault:crash]]' }))).status).toBe(200);
    await waitUntil(async () => ((await isRefused(port)) ? true : undefined), 'the port to refuse connections', 5000);
    const downAt = Date.now();
    const stats = await waitUntil(
      () =>
        fetch(`${url}/system_stats`).then(
          (r) => (r.ok ? r : undefined),
          () => undefined,
        ),
      'the emulator to come back',
      10_000,
    );
    expect(Date.now() - downAt).toBeGreaterThanOrEqual(1000);
    expect(stats.status).toBe(200);
    expect(child.child.exitCode).toBeNull();
    expect(await (await fetch(`${url}/queue`)).json()).toEqual({ queue_running: [], queue_pending: [] });
    // As a restarted ComfyUI: the startup banner again, and prompts are taken.
    expect(child.stderr().match(/To see the GUI go to: /g)).toHaveLength(2);
    expect((await postPrompt(url, weightFreeGraph())).status).toBe(200);
  });

  it('a SIGTERM while it is down after a crash stops it at once', async () => {
    const { child, url, port } = await startEmulator({ EMULATOR_CRASH_MS: '60000' });
    await postPrompt(url, weightFreeGraph({ text: '[[fault:crash]]' }));
    await waitUntil(async () => ((await isRefused(port)) ? true : undefined), 'the port to refuse connections', 5000);
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
