// The committed bad-input corpus (test/fixtures/bad-input, one case per file: see its
// README) through trace, perf and errors, with and without --strict, in JSON and text.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TOO_DEEP } from '../src/core/to-event.js';
import { FileStats } from '../src/read/file-stats.js';
import { scanJsonFile, type ScannedRecord } from '../src/read/scan-json-file.js';
import {
  expectNoCrash,
  goodLines,
  GOOD_GENERATIONS,
  itRunsTheCase,
  RAW_CONTROL,
  runChecked,
  totalOf as total,
  COMMANDS,
  type BadInputCase,
} from './bad-input-cases.js';
import { checkKernelAgainstReference } from './kernel-agreement.js';
import { referenceRead } from './reference-read.js';
import { runCli, type Json } from './run-cli.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/bad-input/', import.meta.url));

const CASES: readonly BadInputCase[] = [
  { n: 2, file: 'bom.log', lines: 7, strict: { invalid_json: 1 }, examined: { perf: {} }, generations: GOOD_GENERATIONS },
  { n: 3, file: 'crlf.log', lines: 7, strict: { blank: 1 }, examined: { perf: {}, errors: {}, trace: {} }, generations: GOOD_GENERATIONS },
  {
    n: 4,
    file: 'lone-cr.log',
    lines: 9,
    strict: { invalid_json: 2 },
    examined: { perf: { invalid_json: 1 }, errors: { invalid_json: 1 } },
    generations: [...GOOD_GENERATIONS, 5000],
    events: ['comfyui_complete'],
  },
  {
    n: 5,
    file: 'glued.log',
    lines: 14,
    strict: { invalid_json: 5 },
    glued: 5,
    examined: { errors: { invalid_json: 3 } },
    generations: [...GOOD_GENERATIONS, 7000, 9000, 11000, 13000, 14000, 16000],
    errors: {
      'gpu_server/error_comfyui/glued_a': 1,
      'backend/error_gpu/glued_b': 1,
      'gpu_server/error_comfyui/glued_c': 1,
    },
    // Line 9's three records share a time: they keep their order on the line.
    events: [
      'comfyui_complete',
      'error_comfyui',
      'comfyui_complete',
      'error_gpu',
      'comfyui_complete',
      'error_comfyui',
      'comfyui_complete',
      'comfyui_complete',
      'comfyui_complete',
    ],
  },
  { n: 6, file: 'truncated-tail.log', lines: 7, strict: { truncated: 1 }, examined: { errors: {} }, generations: GOOD_GENERATIONS },
  { n: 7, file: 'unterminated-tail.log', lines: 6, strict: {}, generations: GOOD_GENERATIONS },
  {
    n: 8,
    file: 'not-object.log',
    lines: 12,
    strict: { not_object: 6 },
    examined: { perf: { not_object: 1 }, errors: { not_object: 1 }, trace: { not_object: 1 } },
    generations: GOOD_GENERATIONS,
  },
  {
    n: 9,
    file: 'duplicate-keys.log',
    lines: 11,
    strict: {},
    generations: [...GOOD_GENERATIONS, 8000],
    errors: {
      'gpu_server/error_comfyui/duplicate_level': 1,
      'gpu_server/error_comfyui/pino_duplicate': 1,
      'gpu_server/error_comfyui/duplicate_id': 1,
    },
    events: ['comfyui_complete', 'error_comfyui', 'error_gpu', 'error_comfyui', 'error_comfyui'],
  },
  {
    n: 10,
    file: 'proto-keys.log',
    lines: 10,
    strict: { no_time: 1 },
    generations: [...GOOD_GENERATIONS, 9000],
    errors: { 'gpu_server/error_comfyui/proto': 1, 'backend/error_gpu/proto_python': 1 },
    events: ['comfyui_complete', 'error_comfyui', 'error_gpu'],
  },
  {
    n: 11,
    file: 'big-integers.log',
    lines: 11,
    strict: { no_time: 1 },
    // 2^53 + 1 reads as 2^53 (JSON.parse); a numeric request_id is no id; 1e400 is no
    // duration; epoch nanoseconds above 2^53 are a time, 1e25 is beyond a Date: no time.
    generations: [...GOOD_GENERATIONS, 2 ** 53, 10000],
    errors: { 'gpu_server/error_comfyui/epoch_ns': 1 },
    events: ['comfyui_complete', 'error_comfyui', 'comfyui_complete'],
  },
  {
    n: 12,
    file: 'deep-nesting.log',
    lines: 10,
    strict: { invalid_json: 1 },
    generations: [...GOOD_GENERATIONS, 11000, 12000],
    errors: { 'gpu_server/error_comfyui/deep_array': 1 },
    events: ['error_comfyui', 'comfyui_complete', 'comfyui_complete'],
  },
  {
    n: 13,
    file: 'terminal-escapes.log',
    lines: 10,
    strict: { invalid_json: 1 },
    examined: { perf: {} },
    generations: GOOD_GENERATIONS,
    errors: {
      'gpu_server/error_comfyui/esc\u001b[2J': 1,
      'gpu_server/error_comfyui/raw_bidi': 1,
      'gpu\u001b[31m/error\u001b[0m/hostile_id': 1,
    },
    events: ['error_comfyui', 'error_comfyui'],
  },
  {
    n: 14,
    file: 'blank-lines.log',
    lines: 10,
    strict: { blank: 4 },
    examined: { perf: {}, errors: {}, trace: {} },
    generations: GOOD_GENERATIONS,
  },
  {
    n: 15,
    file: 'noise.log',
    lines: 12,
    strict: { invalid_json: 6 },
    examined: { perf: {}, errors: { invalid_json: 1 }, trace: {} },
    generations: GOOD_GENERATIONS,
  },
];

describe.each(CASES)('bad input $file', (c) => {
  itRunsTheCase(c, () => path.join(FIXTURES, c.file));

  it("the scan kernel reads every line as JSON.parse + normalizeRecord do, and the test's own reader agrees", () => {
    const bytes = readFileSync(path.join(FIXTURES, c.file));
    for (const good of goodLines(c.n)) expect(bytes.includes(good)).toBe(true);
    const lines = bytes
      .toString('latin1')
      .split('\n')
      .map((l) => Buffer.from(l, 'latin1'));
    const { fast, slow } = checkKernelAgainstReference(lines);
    expect(fast).toBeGreaterThan(0);
    expect(slow).toBeGreaterThan(0);
    const reference = referenceRead(bytes, path.basename(c.file, '.log'));
    expect({ lines: reference.lines, reasons: reference.reasons, glued: reference.glued }).toEqual({
      lines: c.lines,
      reasons: c.strict,
      glued: c.glued ?? 0,
    });
    expect(
      reference.records.filter((r) => r.event === 'comfyui_complete' && r.duration_ms !== undefined).map((r) => r.duration_ms),
    ).toEqual(c.generations);
  });

  it('reads the same records and skips in reads of 1 to 9 bytes as in one read', async () => {
    const scan = async (chunkBytes: number | undefined) => {
      const stats = new FileStats(c.file);
      const records: ScannedRecord[] = [];
      const options = { prefilter: undefined, service: 'x', ...(chunkBytes === undefined ? {} : { chunkBytes }) };
      await scanJsonFile({ path: path.join(FIXTURES, c.file), name: c.file, gz: false }, options, stats, (record, line) =>
        records.push({ record, line }),
      );
      return { records, lines: stats.lines, reasons: stats.reasons, glued: stats.glued, samples: stats.samples };
    };
    const whole = await scan(undefined);
    for (let chunkBytes = 1; chunkBytes <= 9; chunkBytes++) expect(await scan(chunkBytes)).toEqual(whole);
  });
});

describe('bad input: the empty file', () => {
  it.each(COMMANDS)('%s finds nothing in it and exits 1, with or without --strict', async (command) => {
    for (const strict of [[], ['--strict']]) {
      const argv = command === 'trace' ? ['trace', '0badc0de-0000-4000-8000-000000000001'] : [command];
      const result = await runCli([...argv, '--file', path.join(FIXTURES, 'empty.log'), ...strict]);
      expectNoCrash(result);
      expect(result.code).toBe(1);
    }
  });

  it('counts 0 lines', async () => {
    const { json } = await runChecked(['perf', '--file', path.join(FIXTURES, 'empty.log'), '--json']);
    expect(json['input']['by_file']).toEqual([
      { path: path.join(FIXTURES, 'empty.log'), lines: 0, skipped: 0, glued: 0, reasons: {}, error: null },
    ]);
  });
});

describe('bad input: the whole corpus as one directory', () => {
  it('counts each file as it does alone, and adds up the answers', async () => {
    const { code, json } = await runChecked(['perf', '--dir', FIXTURES, '--strict', '--json']);
    expect(code).toBe(1);
    const byFile = Object.fromEntries(
      json['input']['by_file'].map((f: Json) => [path.basename(f['path']), { lines: f['lines'], reasons: f['reasons'] }]),
    );
    expect(byFile).toEqual(
      Object.fromEntries([['empty.log', { lines: 0, reasons: {} }], ...CASES.map((c) => [c.file, { lines: c.lines, reasons: c.strict }])]),
    );
    expect(json['input']['skipped']).toBe(CASES.reduce((s, c) => s + total(c.strict), 0));
    expect(json['generation']['count']).toBe(CASES.reduce((s, c) => s + c.generations.length, 0));
    const errors = await runChecked(['errors', '--dir', FIXTURES, '--json']);
    expect(errors.json['total']).toBe(CASES.reduce((s, c) => s + 3 + total(c.errors ?? {}), 0));
  });
});

describe('bad input: hostile values', () => {
  const file = ['--file', path.join(FIXTURES, 'terminal-escapes.log')];

  it('shows escape sequences, bidi overrides and separators escaped in text, and exact in JSON', async () => {
    const text = await runChecked(['errors', ...file, '--no-group']);
    expect(text.stdout).toContain('esc\\x1b[2J');
    expect(text.stdout).toContain('\\x1b]0;pwned\\x07 title \\x1b[31mred\\x1b[0m');
    expect(text.stdout).toContain('raw \\u202eevil\\u202c \\u2066x\\u2069 sep\\u2028 c1\\x9b del\\x7f');
    const json = await runChecked(['errors', ...file, '--json']);
    expect(json.stdout).toContain('\\u202e');
    const raw = json.json['groups'].find((g: Json) => g['error_code'] === 'raw_bidi');
    expect(raw['sample']).toBe('raw \u202eevil\u202c \u2066x\u2069 sep\u2028 c1\u009b del\u007f');
  });

  it('escapes the bad line shown as a sample on stderr', async () => {
    const { stderr } = await runChecked(['perf', ...file, '--strict']);
    // The path is cut at 80 characters, so how much of it shows depends on where the repository is checked out.
    expect(stderr).toMatch(/terminal-escapes\.l[^\n]*:9 invalid_json: \{"msg":"\\x1b\[2J a raw ESC is not JSON"/);
  });

  it('escapes ids from the logs in the candidates of an ambiguous prefix (exit 2)', async () => {
    const result = await runCli(['trace', '0badc0de', ...file]);
    expectNoCrash(result);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stderr).toContain('0badc0de-e5c\\x1b]0;pwned\\x07  (request_id, gpu\\x1b[31m');
  });

  it('keeps a __proto__ key as data and pollutes nothing', async () => {
    const { json } = await runChecked([
      'trace',
      '0badc0de-0000-4000-8000-000000000010',
      '--file',
      path.join(FIXTURES, 'proto-keys.log'),
      '--json',
    ]);
    const event = json['events'].find((e: Json) => e['msg'] === '__proto__ is data');
    expect(Object.getOwnPropertyDescriptor(event, '__proto__')?.value).toEqual({ level: 'ERROR', polluted: true });
    expect(event['level']).toBe('INFO');
    expect(({} as Json)['polluted']).toBeUndefined();
    expect((Object.prototype as Json)['level']).toBeUndefined();
  });

  it('prints a record nested 3000 levels deep, cut at 64 levels', async () => {
    const argv = ['trace', '0badc0de-0000-4000-8000-000000000012', '--file', path.join(FIXTURES, 'deep-nesting.log')];
    const { json } = await runChecked([...argv, '--json']);
    let value = json['events'].find((e: Json) => e['error_code'] === 'deep_array')['node_errors'];
    let depth = 0;
    while (Array.isArray(value)) {
      value = value[0];
      depth++;
    }
    expect({ depth, value }).toEqual({ depth: 64, value: TOO_DEEP });
    expect((await runChecked(argv)).stdout).toContain(TOO_DEEP);
    const ndjson = await runCli(['errors', '--no-group', '--file', path.join(FIXTURES, 'deep-nesting.log'), '--json']);
    expectNoCrash(ndjson);
    expect(
      ndjson.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as Json)['error_code']),
    ).toEqual(['comfyui_timeout', 'gpu_unreachable', 'comfyui_http_500', 'deep_array']);
  });
});
