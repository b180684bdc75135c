// Property test: random byte damage to real log directories (the generator's, in every
// producer style, with its stamped or unstamped comfyui.log, or ComfyUI's real log, plain or ComfyUI-Manager's)
// never makes logtrace fail, and its answers equal those of a reference that parses
// every line of the same bytes (test/reference-read.ts).
//
// Replay a failure with the seed it prints:
//   LOGTRACE_FUZZ_SEED=<seed> LOGTRACE_FUZZ_ITERATIONS=1 npx vitest run packages/logtools/test/bad-input-fuzz.test.ts
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../src/generator/create-random.js';
import { stats as summarize } from '../src/generator/expected-answers.js';
import { generateLogs } from '../src/generator/generate-logs.js';
import { FileStats } from '../src/read/file-stats.js';
import { scanJsonFile, type ScannedRecord } from '../src/read/scan-json-file.js';
import { errorCounts, expectNoCrash, RAW_CONTROL } from './bad-input-cases.js';
import { referenceDurations, referenceErrorCounts, referenceNodes, referenceRead, type ReferenceFile } from './reference-read.js';
import { MANAGER_COMFYUI_LOG, REAL_COMFYUI_LOG } from './fixture-paths.js';
import { runCli, type Json } from './run-cli.js';

const ITERATIONS = Number(process.env['LOGTRACE_FUZZ_ITERATIONS'] ?? 100);
const FIRST_SEED = Number(process.env['LOGTRACE_FUZZ_SEED'] ?? 20261128);
const MAX_LINE_BYTES = 1024 * 1024;
const JSON_FILES = ['backend.log', 'gpu_server.log', 'telegram_bot.log'] as const;

/** A log directory to damage: its files' bytes and request ids to trace. */
interface Base {
  readonly name: string;
  readonly files: ReadonlyMap<string, Buffer>;
  readonly requestIds: readonly string[];
}

const bases: Base[] = [];
/** Glued lines the reference found over all directories (the fuzzer's `glue` joins two lines). */
let gluedSeen = 0;
let root = '';

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'logtrace-fuzz-'));
  const styles = [
    { style: 'ours', stamped: true },
    { style: 'python', stamped: false },
    { style: 'pino', stamped: true },
    { style: 'mixed', stamped: false },
  ] as const;
  styles.forEach(({ style, stamped }, i) => {
    const dir = path.join(root, `base-${style}`);
    const generated = generateLogs({ dir, seed: 100 + i, requests: 18, style, stamped, corrupt: false });
    const files = new Map([...JSON_FILES, 'comfyui.log'].map((name) => [name, readFileSync(path.join(dir, name))]));
    bases.push({ name: `${style}${stamped ? ', stamped' : ''}`, files, requestIds: generated.expected.requests.map((r) => r.request_id) });
  });
  const first = bases[0] as Base;
  bases.push({
    name: "ours, ComfyUI's real log",
    files: new Map([...first.files, ['comfyui.log', readFileSync(REAL_COMFYUI_LOG)]]),
    requestIds: first.requestIds,
  });
  bases.push({
    name: "ours, ComfyUI-Manager's real comfyui.log",
    files: new Map([...first.files, ['comfyui.log', readFileSync(MANAGER_COMFYUI_LOG)]]),
    requestIds: first.requestIds,
  });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Bytes a mutation inserts: JSON syntax, line ends, NUL, invalid and split UTF-8, escapes. */
const PIECES: readonly Buffer[] = [
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  ' ',
  '0',
  '9',
  '-',
  '.',
  'e',
  'null',
  '\n',
  '\r',
  '\r\n',
  '\t',
  '"duration_ms":',
  '"level":"ERROR"',
  '"level": 50',
  '"time":1e25',
  '\\u001b[2J',
  '\u001b]0;x\u0007',
  '\u202e',
  '\u2028',
  'é',
  '😀',
]
  .map((p) => Buffer.from(p))
  .concat([
    Buffer.from([0]),
    Buffer.from([0xff]),
    Buffer.from([0xc3]),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from([0xe2, 0x82]),
    Buffer.from([0xef, 0xbb, 0xbf]),
  ]);

/** Damages `bytes` once, at random: flip, insert, delete, NUL run, cut, glue, split, or a line near the 1 MiB cap. */
function mutate(bytes: Buffer, rng: Random): Buffer {
  const at = rng.int(0, bytes.length);
  const lineStart = Math.max(0, bytes.lastIndexOf(0x0a, at - 1) + 1);
  const insert = (where: number, piece: Buffer) => Buffer.concat([bytes.subarray(0, where), piece, bytes.subarray(where)]);
  switch (rng.weighted({ flip: 6, insert: 8, delete: 6, nul: 3, cut: 1, glue: 3, split: 3, duplicate: 2, huge: 0.3 })) {
    case 'flip': {
      const copy = Buffer.from(bytes);
      const i = Math.min(at, copy.length - 1);
      if (i >= 0) copy[i] = (copy[i] ?? 0) ^ rng.int(1, 255);
      return copy;
    }
    case 'insert':
      return insert(at, Buffer.concat(Array.from({ length: rng.int(1, 3) }, () => rng.pick(PIECES))));
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + rng.int(1, 40))]);
    case 'nul':
      return insert(rng.chance(0.6) ? lineStart : at, Buffer.alloc(rng.chance(0.1) ? rng.int(5000, 200_000) : rng.int(1, 64)));
    case 'cut':
      return bytes.subarray(0, at);
    case 'glue': {
      const nl = bytes.indexOf(0x0a, at);
      return nl === -1 ? bytes : Buffer.concat([bytes.subarray(0, nl), bytes.subarray(nl + 1)]);
    }
    case 'split':
      return insert(at, Buffer.from('\n'));
    case 'duplicate': {
      const end = bytes.indexOf(0x0a, at);
      return insert(rng.int(0, bytes.length), bytes.subarray(lineStart, end === -1 ? bytes.length : end + 1));
    }
    case 'huge': {
      // Around the cap, so both sides of it are tried; it still looks like a record.
      const size = MAX_LINE_BYTES + rng.int(-2, 2);
      const head = `{"level":"ERROR","time":"2026-11-28T05:00:00Z","event":"comfyui_complete","duration_ms":${rng.int(1, 99999)},"msg":"`;
      return insert(lineStart, Buffer.from(`${head}${'h'.repeat(size - head.length - 2)}"}\n`));
    }
    default:
      return bytes;
  }
}

/** Lines of a comfyui.log and its over-long ones, as the README says they are counted. */
function comfyuiLines(bytes: Buffer): { lines: number; oversized: number } {
  let lines = 0;
  let oversized = 0;
  for (let start = 0; start < bytes.length;) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl === -1 ? bytes.length : nl;
    let s = start;
    while (s < end && bytes[s] === 0) s++;
    if (end - s > MAX_LINE_BYTES) oversized++;
    lines++;
    start = end + 1;
  }
  return { lines, oversized };
}

/** README: a *.log in a directory is read as JSON lines when at least half of its first 20 non-blank lines (in its first 64 KiB) start with `{`. */
function looksLikeJsonLines(bytes: Buffer): boolean {
  const starts = bytes
    .subarray(0, 64 * 1024)
    .toString('latin1')
    .replace(/^\xef\xbb\xbf/, '')
    .split('\n')
    .map((line) => /[^\s\0]/.exec(line)?.[0])
    .filter((c) => c !== undefined)
    .slice(0, 20);
  return starts.filter((c) => c === '{').length * 2 >= starts.length;
}

/** Records of `id`'s trace: those naming it, then those naming an id of those, until nothing is added. */
function referenceTrace(files: readonly ReferenceFile[], id: string): string[] {
  const records = files.flatMap((f) => f.records);
  const known = new Set([id]);
  const taken = new Set<number>();
  for (let changed = true; changed;) {
    changed = false;
    records.forEach((r, i) => {
      const ids = [r.request_id, r.generation_id, r.prompt_id].filter((x): x is string => x !== undefined);
      if (taken.has(i) || !ids.some((x) => known.has(x))) return;
      taken.add(i);
      ids.forEach((x) => known.add(x));
      changed = true;
    });
  }
  return [...taken]
    .map((i) => records[i])
    .map((r) => `${new Date(r?.time ?? 0).toISOString()} ${r?.event ?? null}`)
    .sort();
}

async function run(argv: readonly string[]): Promise<{ code: number; json: Json; stderr: string }> {
  const result = await runCli(argv);
  expectNoCrash(result);
  expect([0, 1, 2]).toContain(result.code);
  return {
    code: result.code,
    json: argv.includes('--json') && result.stdout !== '' ? (JSON.parse(result.stdout) as Json) : {},
    stderr: result.stderr,
  };
}

/** The perf answer of a report, averages and ratios to 9 significant digits (sums of damaged durations depend on the order of addition). */
function perfAnswer(json: Json): Json {
  const digits = (v: number | null) => (v === null ? null : Number(v.toPrecision(9)));
  const round = (s: Json) => ({ ...s, avg_ms: digits(s['avg_ms']) });
  const byClass = (map: Json, f: (s: Json) => Json) => Object.fromEntries(Object.entries(map as Json).map(([k, v]) => [k, f(v as Json)]));
  return {
    generation: round(json['generation']),
    ...byClass(json['stages'], round),
    nodes: byClass(json['nodes'], round),
    cache: { ...json['cache'], hit_ratio: digits(json['cache']['hit_ratio']) },
    steps_per_s: byClass(json['steps_per_s'], (s) => ({ ...s, avg: digits(s['avg']) })),
  };
}

/** One damaged directory, every check. */
async function checkOnce(seed: number): Promise<void> {
  const rng = createRandom(seed);
  const base = rng.pick(bases);
  const dir = path.join(root, 'damaged');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  // Damaged files by the name written: a JSON-lines log is sometimes a rotated .gz.
  const damaged = new Map<string, Buffer>();
  for (const [name, original] of base.files) {
    let bytes = original;
    const mutations = name === 'comfyui.log' && rng.chance(0.5) ? 0 : rng.int(0, 8);
    for (let m = 0; m < mutations; m++) bytes = mutate(bytes, rng);
    const gz = name !== 'comfyui.log' && rng.chance(0.2);
    damaged.set(gz ? `${name}.1.gz` : name, bytes);
    writeFileSync(path.join(dir, gz ? `${name}.1.gz` : name), gz ? gzipSync(bytes) : bytes);
  }
  const read = [...damaged.keys()].filter(
    (name) => name !== 'comfyui.log' && (name.endsWith('.gz') || looksLikeJsonLines(damaged.get(name) ?? Buffer.alloc(0))),
  );
  const reference = new Map(read.map((name) => [name, referenceRead(damaged.get(name) ?? Buffer.alloc(0), name.replace(/\.log.*$/, ''))]));
  for (const ref of reference.values()) gluedSeen += ref.glued;
  const comfyui = comfyuiLines(damaged.get('comfyui.log') ?? Buffer.alloc(0));
  const byName = (json: Json) => new Map<string, Json>(json['input']['by_file'].map((f: Json) => [path.basename(f['path']), f]));

  // --strict examines every line: exactly the reference's lines and skips, file by file.
  const strictPerf = await run(['perf', '--dir', dir, '--json', '--strict']);
  const strictFiles = byName(strictPerf.json);
  expect([...strictFiles.keys()].sort()).toEqual([...read].sort());
  for (const [name, ref] of reference) {
    const file = strictFiles.get(name);
    expect({ name, lines: file?.['lines'], reasons: file?.['reasons'], glued: file?.['glued'] }).toEqual({
      name,
      lines: ref.lines,
      reasons: ref.reasons,
      glued: ref.glued,
    });
    // Every line, and every object of a glued line, is either usable or skipped for a reason.
    expect(file?.['lines'] + ref.moreObjects).toBe(ref.records.length + file?.['skipped']);
  }
  const records = [...reference.values()].flatMap((r) => r.records);
  const durations = referenceDurations(records);
  const expectedPerf = perfAnswer({
    generation: summarize(durations['generation'] ?? []),
    stages: Object.fromEntries(
      ['backend_end_to_end', 'gpu_round_trip', 'image_transfer', 'queue_wait', 'execution'].map((k) => [k, summarize(durations[k] ?? [])]),
    ),
    ...referenceNodes(records),
  });
  expect(perfAnswer(strictPerf.json)).toEqual(expectedPerf);
  const found = Object.values(durations).some((d) => d.length > 0);
  expect(strictPerf.code).toBe(found && strictPerf.json['input']['skipped'] === 0 ? 0 : 1);

  // Without --strict: the same answer, every line counted, some of the bad ones examined.
  const fastPerf = await run(['perf', '--dir', dir, '--json']);
  expect(perfAnswer(fastPerf.json)).toEqual(expectedPerf);
  expect(fastPerf.code).toBe(found ? 0 : 1);
  for (const [name, f] of byName(fastPerf.json)) {
    const strict = strictFiles.get(name) as Json;
    expect(f['lines']).toBe(strict['lines']);
    for (const [reason, n] of Object.entries(f['reasons'] as Record<string, number>))
      expect(n).toBeLessThanOrEqual(strict['reasons'][reason] ?? 0);
  }

  // errors: the reference's counts per service/event/error_code (comfyui.log's own
  // problems aside), the same groups with and without --strict.
  const strictErrors = await run(['errors', '--dir', dir, '--json', '--strict']);
  const fastErrors = await run(['errors', '--dir', dir, '--json']);
  const { input: _a, ...strictReport } = strictErrors.json;
  const { input: _b, ...fastReport } = fastErrors.json;
  expect(fastReport).toEqual(strictReport);
  const comfyuiStats = byName(strictErrors.json).get('comfyui.log') as Json;
  expect({ lines: comfyuiStats['lines'], reasons: comfyuiStats['reasons'] }).toEqual({
    lines: comfyui.lines,
    reasons: comfyui.oversized > 0 ? { oversized: comfyui.oversized } : {},
  });
  expect(errorCounts(strictErrors.json['groups'].filter((g: Json) => g['service'] !== 'comfyui'))).toEqual(referenceErrorCounts(records));
  expect(fastErrors.code).toBe(fastErrors.json['total'] > 0 ? 0 : 1);

  // trace: the records linked to a request, with and without --strict, also as text.
  const id = rng.pick(base.requestIds);
  const traced = await run(['trace', id, '--dir', dir, '--json']);
  const expectedTrace = referenceTrace([...reference.values()], id);
  if (expectedTrace.length === 0) {
    expect({ code: traced.code, stderr: traced.stderr }).toEqual({ code: 1, stderr: expect.stringContaining('no request_id') as unknown });
  } else {
    expect(traced.code).toBe(0);
    expect(traced.json['events'].map((e: Json) => `${e['time']} ${e['event']}`).sort()).toEqual(expectedTrace);
    const strictTrace = await run(['trace', id, '--dir', dir, '--json', '--strict']);
    expect({ ...strictTrace.json, input: null }).toEqual({ ...traced.json, input: null });
  }
  const text = await runCli([...rng.pick([['trace', id], ['perf'], ['errors'], ['errors', '--no-group']]), '--dir', dir]);
  expectNoCrash(text);
  expect(text.stdout + text.stderr).not.toMatch(RAW_CONTROL);

  // Reads of any size give the same records and counts as one read.
  const plain = [...damaged.keys()].filter((n) => n !== 'comfyui.log' && !n.endsWith('.gz'));
  if (plain.length === 0) return;
  const name = rng.pick(plain);
  const chunkBytes = rng.chance(0.3) ? rng.int(1, 64) : rng.int(65, 64 * 1024);
  const scan = async (bytes?: number) => {
    const stats = new FileStats(name);
    const found: ScannedRecord[] = [];
    await scanJsonFile(
      { path: path.join(dir, name), name, gz: false },
      { prefilter: undefined, service: 'x', ...(bytes === undefined ? {} : { chunkBytes: bytes }) },
      stats,
      (record, line) => found.push({ record, line }),
    );
    return { found, lines: stats.lines, reasons: stats.reasons, glued: stats.glued };
  };
  expect(await scan(chunkBytes)).toEqual(await scan());
}

describe('random damage to real log directories', () => {
  it(
    `never crashes logtrace, and its answers are those of parsing every line (${ITERATIONS} directories from seed ${FIRST_SEED})`,
    async () => {
      for (let i = 0; i < ITERATIONS; i++) {
        const seed = FIRST_SEED + i;
        try {
          await checkOnce(seed);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new Error(`seed ${seed} (replay: LOGTRACE_FUZZ_SEED=${seed} LOGTRACE_FUZZ_ITERATIONS=1): ${message}`, { cause: error });
        }
      }
      // Glued records were recovered somewhere, so that path was checked against the reference.
      if (ITERATIONS >= 20) expect(gluedSeen).toBeGreaterThan(0);
    },
    Math.max(60_000, ITERATIONS * 1000),
  );
});
