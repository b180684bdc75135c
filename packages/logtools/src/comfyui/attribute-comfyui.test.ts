import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ComfyuiAttributor, postAttempts, type AttributedEntry, type PostAttempt } from './attribute-comfyui.js';
import { ComfyuiEntryParser, type ComfyuiEntry } from './parse-comfyui-entries.js';
import { toComfyuiLine } from './to-comfyui-line.js';
import { COMFYUI_FIXTURES } from '../../test/fixture-paths.js';

const FIXTURES = COMFYUI_FIXTURES;

function entriesOf(text: string): ComfyuiEntry[] {
  const entries: ComfyuiEntry[] = [];
  const parser = new ComfyuiEntryParser((e) => entries.push(e));
  text
    .split('\n')
    .slice(0, text.endsWith('\n') ? -1 : undefined)
    .forEach((raw, i) => parser.push(toComfyuiLine(raw, i + 1)));
  parser.end();
  return entries;
}

function attribute(posts: readonly PostAttempt[], entries: readonly ComfyuiEntry[]): AttributedEntry[] {
  const attributor = new ComfyuiAttributor(postAttempts(posts));
  return entries.map((e) => attributor.push(e));
}

describe('ComfyuiAttributor by order, on the real comfyui.log and its recorded POSTs', () => {
  const exchanges = JSON.parse(readFileSync(`${FIXTURES}/exchanges.json`, 'utf8')) as {
    method: string;
    path: string;
    status: number;
    t: number;
    file: string;
  }[];
  const prompts = exchanges.filter((e) => e.method === 'POST' && e.path === '/prompt');
  const posts = prompts.map((e) => ({ time: Math.round(e.t * 1000), accepted: e.status === 200 }));
  const attributed = attribute(posts, entriesOf(readFileSync(`${FIXTURES}/comfyui.log`, 'utf8')));
  const fileOf = (a: AttributedEntry) => (a.post === undefined ? undefined : prompts[a.post]?.file);
  const of = (kind: string) => attributed.filter((a) => a.entry.kind === kind);

  it('pairs the k-th got prompt with the k-th POST', () => {
    expect(of('got_prompt').map((a) => a.post)).toEqual(prompts.map((_, i) => i));
    expect(of('got_prompt').every((a) => a.attribution === 'order')).toBe(true);
  });

  it('gives each rejected prompt its validation report, and the 500 its request error', () => {
    expect(of('validation').map((a) => prompts[a.post ?? -1]?.status)).toEqual(Array(8).fill(400));
    expect(of('validation').map(fileOf)).toContain('prompt-invalid-loadimage-missing-400.json');
    expect(of('request_error').map(fileOf)).toEqual(['prompt-malformed-json.txt']);
  });

  it('gives execution blocks to accepted prompts in queue order', () => {
    expect(of('exception').map(fileOf)).toEqual(['prompt-exec-error.json', 'prompt-exec-error-loadimage.json']);
    expect(of('interrupted').map(fileOf)).toEqual(['prompt-slow.json']);
    expect(of('executed').slice(0, 8).map(fileOf)).toEqual([
      'prompt-ok.json',
      'prompt-ok-cached.json',
      'prompt-preview.json',
      'prompt-subfolder.json',
      'prompt-exec-error.json',
      'prompt-exec-error-loadimage.json',
      'prompt-slow.json',
      'prompt-slow-2.json',
    ]);
  });

  it('leaves the startup banner unattributed', () => {
    expect(attributed.slice(0, 10).every((a) => a.post === undefined)).toBe(true);
  });
});

describe('ComfyuiAttributor with a prompt taken out of the queue', () => {
  it('gives the next block to the prompt after it', () => {
    const posts: PostAttempt[] = [
      { time: 10, accepted: true },
      { time: 20, accepted: true, dequeued: true },
      { time: 30, accepted: true },
    ];
    const log = ['got prompt', 'got prompt', 'got prompt', 'Prompt executed in 1.00 seconds', 'Prompt executed in 2.00 seconds'].join('\n');
    expect(attribute(posts, entriesOf(log)).map((a) => a.post)).toEqual([0, 1, 2, 0, 2]);
  });
});

describe('ComfyuiAttributor by time', () => {
  const T = Date.UTC(2026, 10, 28, 5, 0, 0);
  const stamp = (ms: number) => new Date(T + ms).toISOString();

  it('skips an attempt whose got prompt is missing and ignores a foreign got prompt', () => {
    const posts: PostAttempt[] = [
      { time: T + 1_003, accepted: true }, // its got prompt is not in the log
      { time: T + 5_003, accepted: true },
      { time: T + 200_003, accepted: false },
    ];
    const log = [
      `${stamp(5_001)} got prompt`,
      `${stamp(60_000)} got prompt`, // from another client: no attempt near it
      `${stamp(90_000)} Prompt executed in 85.00 seconds`,
      `${stamp(200_001)} got prompt`,
      `${stamp(200_002)} invalid prompt: {'type': 'prompt_no_outputs', 'message': 'Prompt has no outputs', 'details': '', 'extra_info': {}}`,
    ].join('\n');
    const result = attribute(posts, entriesOf(log));
    expect(result.map((a) => [a.entry.kind, a.post, a.attribution])).toEqual([
      ['got_prompt', 1, 'time'],
      ['got_prompt', undefined, undefined],
      ['executed', 1, 'time'],
      ['got_prompt', 2, 'time'],
      ['validation', 2, 'time'],
    ]);
  });

  it('empties the queue when ComfyUI restarts', () => {
    const posts: PostAttempt[] = [{ time: T + 3, accepted: true }];
    const log = [`${stamp(1)} got prompt`, `${stamp(10)} Stopped server`, `${stamp(20)} Prompt executed in 0.01 seconds`].join('\n');
    expect(attribute(posts, entriesOf(log)).map((a) => a.post)).toEqual([0, undefined, undefined]);
  });
});
