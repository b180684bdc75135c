import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runJson, type Json } from './run-cli.js';

const T = '2026-11-28T05:03:21.123Z';
const ok = (o: Record<string, unknown>) => JSON.stringify({ level: 'INFO', time: T, service: 'gpu_server', msg: 'm', ...o });
const complete = (ms: number) => ok({ event: 'comfyui_complete', duration_ms: ms, request_id: '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10' });
const failure = ok({ level: 'ERROR', event: 'error_comfyui', error_code: 'comfyui_timeout', error: 'gave up' });

/** Each case: the bytes of a line (without `\n`) and the reason it must be skipped (undefined: it is good). */
const CASES: readonly [string, Buffer, string | undefined][] = [
  ['BOM on the first line', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(complete(1000))]), undefined],
  ['CRLF', Buffer.from(`${complete(2000)}\r`), undefined],
  ['NUL run before a record (copytruncate)', Buffer.concat([Buffer.alloc(3000), Buffer.from(complete(3000))]), undefined],
  ['a line of NULs', Buffer.alloc(100), 'nul_padding'],
  ['blank', Buffer.from(''), 'blank'],
  ['lone CR inside', Buffer.from(`${complete(9)}\rX`), 'invalid_json'],
  ['two records glued', Buffer.from(complete(9) + complete(9)), 'invalid_json'],
  ['JSON that is not an object', Buffer.from('"comfyui_complete"'), 'not_object'],
  ['invalid UTF-8', Buffer.concat([Buffer.from(complete(9).slice(0, -2)), Buffer.from([0xff, 0x22, 0x7d])]), 'invalid_utf8'],
  ['binary garbage', Buffer.from([0x80, 0x81, 0xfe, 0x00, 0x01, 0x1b, 0x5b, 0x32, 0x4a]), 'invalid_utf8'],
  ['a line over 16 MB', Buffer.from(`{"event":"comfyui_complete","msg":"${'x'.repeat(17_000_000)}"}`), 'oversized'],
  ['duplicate keys (last wins)', Buffer.from(`{"level":"INFO","time":"${T}","level":"ERROR","event":"error_comfyui","error_code":"dup","msg":"d"}`), undefined],
  ['__proto__ key', Buffer.from(ok({ event: 'comfyui_complete', duration_ms: 4000, ['__proto__']: { polluted: 1 } })), undefined],
  ['integer above 2^53', Buffer.from(ok({ event: 'comfyui_complete', duration_ms: 5000, big: 9007199254740993 })), undefined],
  ['deep nesting', Buffer.from(`${ok({ event: 'error_comfyui', level: 'ERROR', error_code: 'deep', error: 'x' }).slice(0, -1)},"node_errors":${'['.repeat(5000)}${']'.repeat(5000)}}`), undefined],
  ['terminal escapes in values', Buffer.from(ok({ level: 'ERROR', event: 'error_comfyui', error_code: 'esc', error: '\u001b]0;pwned\u0007 \u202e' })), undefined],
  ['a failure', Buffer.from(failure), undefined],
];

let root = '';
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'logtrace-bad-'));
  await mkdir(path.join(root, 'cases'));
  const body = Buffer.concat(CASES.flatMap(([, bytes]) => [bytes, Buffer.from('\n')]));
  // The last line is torn: no newline, cut inside the JSON.
  await writeFile(path.join(root, 'cases', 'gpu_server.log'), Buffer.concat([body, Buffer.from(complete(1).slice(0, 50))]));
  await writeFile(path.join(root, 'cases', 'empty.log'), '');

  // A multi-byte character across the reader's 4 MiB chunk boundary.
  await mkdir(path.join(root, 'split'));
  const filler = `${ok({ event: 'filler', note: 'x'.repeat(200) })}\n`;
  const lines: string[] = [];
  let size = 0;
  while (size < 4 * 1024 * 1024 - 600) {
    lines.push(filler);
    size += Buffer.byteLength(filler);
  }
  const prefix = Buffer.from(lines.join(''));
  const head = `{"level":"INFO","time":"${T}","event":"comfyui_complete","duration_ms":777,"msg":"`;
  const pad = 4 * 1024 * 1024 - prefix.length - Buffer.byteLength(head) - 1;
  await writeFile(path.join(root, 'split', 'gpu_server.log'), Buffer.concat([prefix, Buffer.from(`${head}${'y'.repeat(pad)}€ finished"}\n`)]));

  // A gzip file cut short, next to a good one.
  await mkdir(path.join(root, 'gz'));
  const gz = gzipSync(`${complete(1111)}\n`.repeat(20_000));
  await writeFile(path.join(root, 'gz', 'gpu_server.log.1.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
  await writeFile(path.join(root, 'gz', 'gpu_server.log'), `${complete(2222)}\n`);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('bad input', () => {
  it('counts every bad line exactly with --strict, and uses every good one', async () => {
    const { code, json } = await runJson<Json>(['perf', '--dir', path.join(root, 'cases'), '--strict']);
    expect(code).toBe(1);
    const expected: Record<string, number> = { truncated: 1 };
    for (const [, , reason] of CASES) if (reason !== undefined) expected[reason] = (expected[reason] ?? 0) + 1;
    const file = json['input']['by_file'].find((f: { path: string }) => f.path.endsWith('gpu_server.log'));
    expect(file.reasons).toEqual(expected);
    expect(file.lines).toBe(CASES.length + 1);
    expect(json['generation']).toMatchObject({ count: 5, min_ms: 1000, max_ms: 5000 });
    expect(json['input']['by_file'].find((f: { path: string }) => f.path.endsWith('empty.log')).lines).toBe(0);
  });

  it('skips bad lines without --strict too, with exit 0, and reads records in a duplicate-key, deep or hostile line', async () => {
    const { code, json } = await runJson<{ total: number; groups: { error_code: string; count: number }[] }>(['errors', '--dir', path.join(root, 'cases')]);
    expect(code).toBe(0);
    expect(json.groups.map((g) => g.error_code).sort()).toEqual(['comfyui_timeout', 'deep', 'dup', 'esc']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reads a multi-byte character split across two reads', async () => {
    const { json } = await runJson<{ generation: { count: number; max_ms: number } }>(['perf', '--dir', path.join(root, 'split'), '--strict']);
    expect(json.generation).toMatchObject({ count: 1, max_ms: 777 });
  });

  it('keeps the good lines of a corrupt .gz, reports it, and exits 2', async () => {
    const { code, stdout, stderr } = await runCli(['perf', '--dir', path.join(root, 'gz'), '--json']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/gpu_server\.log\.1\.gz: read stopped after \d+ lines: corrupt gzip data: unexpected end of file/);
    const json = JSON.parse(stdout) as { generation: { count: number; max_ms: number } };
    expect(json.generation.count).toBeGreaterThan(1000);
    expect(json.generation.max_ms).toBe(2222);
  });

  it('finds nothing in an empty log and says so with exit 1', async () => {
    const { code } = await runCli(['perf', '--file', path.join(root, 'cases', 'empty.log')]);
    expect(code).toBe(1);
  });
});
