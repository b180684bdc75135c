// Durability: the backend is killed with SIGKILL while requests are in flight. Every
// response a client received must already have its response_sent line in backend.log
// (synchronous writes, the line written before the response is handed to the server),
// and no line on disk may be torn.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { driveRequests, type RequestKind } from '../../src/request-driver/drive-requests.js';
import { startProcessStack, type ProcessStack } from '../support/process-stack.js';
import { readCheckedLog } from '../support/service-process.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'logtrace-sigkill-'));
let stack: ProcessStack | undefined;
afterAll(() => {
  stack?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const KINDS: RequestKind[] = [
  { name: 'ok', weight: 4, body: (i) => ({ prompt: `a lighthouse ${i}`, width: 64, height: 64 }) },
  { name: 'invalid', weight: 1, body: () => ({ prompt: '' }) },
];

describe('backend SIGKILLed under load', () => {
  it('has a response_sent line on disk for every response a client received', async () => {
    stack = await startProcessStack(dir, { gpu: { COMFYUI_POLL_INTERVAL_MS: '20', LOG_LEVEL: 'info' } });
    const killAfter = 100;
    let answered = 0;
    const backend = stack.backend;
    const results = await driveRequests({
      url: stack.urls.backend,
      count: 400,
      concurrency: 16,
      kinds: KINDS,
      timeoutMs: 60_000,
      // The gate is the client's own count: kill -9 right after the 100th full answer.
      onResult: (result) => {
        if (result.status > 0 && ++answered === killAfter) backend.kill('SIGKILL');
      },
    });
    expect(await backend.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const received = results.filter((r) => r.status > 0);
    expect(received.length).toBeGreaterThanOrEqual(killAfter);
    // Requests were still in flight (or not yet sent) when the process died.
    expect(results.length - received.length).toBeGreaterThan(0);
    expect(new Set(received.map((r) => r.status))).toEqual(new Set([200, 400]));

    const records = readCheckedLog(stack.logFiles.backend);
    const sent = new Map<string, unknown>();
    for (const record of records) {
      if (record['event'] !== 'response_sent') continue;
      expect(sent.has(record['request_id'] as string)).toBe(false);
      sent.set(record['request_id'] as string, record['status']);
    }
    const missing = received.filter((r) => r.requestId === undefined || sent.get(r.requestId) !== r.status);
    expect(missing).toEqual([]);
  });
});
