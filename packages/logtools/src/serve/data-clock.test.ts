import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeInputs, listInputs } from '../read/list-inputs.js';
import { latestRecordTime } from './data-clock.js';

const dir = mkdtempSync(path.join(tmpdir(), 'logtrace-clock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('latestRecordTime', () => {
  it('reads the last good line of each current JSON-lines file, past a torn tail', async () => {
    const line = (time: string) => `${JSON.stringify({ level: 'INFO', time, event: 'response_sent', msg: 'm' })}\n`;
    writeFileSync(path.join(dir, 'backend.log'), line('2026-11-28T04:00:00Z') + line('2026-11-28T05:00:00Z'));
    writeFileSync(path.join(dir, 'gpu_server.log'), line('2026-11-28T05:30:00Z'));
    appendFileSync(path.join(dir, 'gpu_server.log'), '{"level":"INFO","time":"2026-11-28T09:');
    const inputs = await listInputs({ dir });
    try {
      expect(latestRecordTime(inputs)).toBe(Date.parse('2026-11-28T05:30:00Z'));
    } finally {
      closeInputs(inputs);
    }
  });
});
