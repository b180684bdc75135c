import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWsMessage } from './parse-ws-message.js';

const CAPTURED = readFileSync(new URL('../../test/fixtures/comfyui/ws-messages.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as { kind?: string; msg?: { type: string } })
  .filter((entry) => entry.kind === 'text');

describe('parseWsMessage', () => {
  it('reads every message a real ComfyUI sent in the captured session', () => {
    expect(CAPTURED.length).toBeGreaterThan(100);
    for (const entry of CAPTURED) {
      const parsed = parseWsMessage(JSON.stringify(entry.msg));
      expect(parsed.ok, JSON.stringify(entry.msg).slice(0, 200)).toBe(true);
    }
  });

  it('keeps what the GPU server reads', () => {
    const id = 'b49fd87e-cf7d-4335-81f7-52fb0ecb2a89';
    const read = (type: string, data: unknown) => parseWsMessage(JSON.stringify({ type, data }));
    expect(read('status', { status: { exec_info: { queue_remaining: 2 } }, sid: 'x' })).toEqual({
      ok: true,
      message: { type: 'status', queueRemaining: 2 },
    });
    expect(read('execution_start', { prompt_id: id, timestamp: 1795843297580 })).toEqual({
      ok: true,
      message: { type: 'execution_start', promptId: id, timestamp: 1795843297580 },
    });
    expect(read('execution_cached', { nodes: ['1', '2'], prompt_id: id, timestamp: 1 })).toMatchObject({ message: { nodes: ['1', '2'] } });
    expect(read('executing', { node: null, prompt_id: id })).toMatchObject({ message: { type: 'executing', node: null, promptId: id } });
    // The resend to a reconnecting owner of the running prompt carries no prompt_id (server.py:209).
    expect(read('executing', { node: '3' })).toMatchObject({ message: { type: 'executing', node: '3', promptId: undefined } });
    expect(read('progress', { value: 5, max: 20, prompt_id: id, node: '3' })).toMatchObject({ message: { value: 5, max: 20, node: '3' } });
    expect(read('execution_interrupted', { prompt_id: id, node_id: '3', node_type: 'X', executed: [] })).toMatchObject({
      message: { node: '3' },
    });
  });

  it.each([
    ['not JSON', 'not json {'],
    ['a JSON array', '[1,2]'],
    ['no type', '{"data": {}}'],
    ['a known type without data', '{"type": "execution_start"}'],
    ['a string timestamp', '{"type": "execution_start", "data": {"prompt_id": "p", "timestamp": "now"}}'],
    ['a negative timestamp', '{"type": "execution_success", "data": {"prompt_id": "p", "timestamp": -5}}'],
    ['a prompt id with spaces', '{"type": "executed", "data": {"prompt_id": "a b", "node": "1"}}'],
    ['a huge prompt id', JSON.stringify({ type: 'progress_state', data: { prompt_id: 'p'.repeat(200), nodes: {} } })],
    ['a node id with control characters', '{"type": "executing", "data": {"prompt_id": "p", "node": "1\\u001b[31m"}}'],
    ['cached nodes that are not strings', '{"type": "execution_cached", "data": {"prompt_id": "p", "nodes": [1, 2]}}'],
    ['progress that is not a number', '{"type": "progress", "data": {"prompt_id": "p", "node": "1", "value": "5", "max": 20}}'],
    ['infinite progress', '{"type": "progress", "data": {"prompt_id": "p", "node": "1", "value": 1e999, "max": 20}}'],
    ['a queue length that is not a count', '{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 1.5}}}}'],
  ])('calls %s malformed', (_what, text) => {
    expect(parseWsMessage(text)).toEqual({ ok: false, problem: 'malformed' });
  });

  it('calls types it does not read unknown (custom nodes send their own)', () => {
    expect(parseWsMessage('{"type": "crystools.monitor", "data": {"cpu_utilization": 3}}')).toEqual({ ok: false, problem: 'unknown' });
    expect(parseWsMessage('{"type": "feature_flags", "data": {"supports_preview_metadata": true}}')).toEqual({
      ok: false,
      problem: 'unknown',
    });
  });
});
