// The bad-input cases that are large, binary or change while read, written byte by
// byte into a temporary directory (test/fixtures/bad-input/README.md).
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TIME } from '../src/core/time-window.js';
import { FileStats } from '../src/read/file-stats.js';
import { closeInputs, listInputs, type InputFile, type InputSet } from '../src/read/list-inputs.js';
import { readChunks } from '../src/read/read-chunks.js';
import { scanJsonFile } from '../src/read/scan-json-file.js';
import { findTrace } from '../src/trace/find-trace.js';
import { scanPerf } from '../src/perf/scan-perf.js';
import { chooseThreads } from '../src/engine/scan-pool.js';
import {
  caseIds,
  errorCounts,
  expectNoCrash,
  GOOD_ERRORS,
  GOOD_GENERATIONS,
  goodLines,
  iso,
  itRunsTheCase,
  RAW_CONTROL,
  runChecked,
  type BadInputCase,
} from './bad-input-cases.js';
import { checkKernelAgainstReference } from './kernel-agreement.js';
import { referenceRead } from './reference-read.js';
import { runCli, type Json } from './run-cli.js';

const BIN = fileURLToPath(new URL('../bin/logtrace.js', import.meta.url));
const BUNDLE_DIR = fileURLToPath(new URL('../dist/bundle', import.meta.url));
/** The copy of the bundle user `nobody` runs (made on first use, removed with the temporary files). */
let nobodyBin: string | undefined;
const MiB = 1024 * 1024;

let root = '';
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'logtrace-bad-files-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  if (nobodyBin !== undefined) await rm(path.dirname(path.dirname(nobodyBin)), { recursive: true, force: true });
});

/** Writes a file of the given parts (each a Buffer or UTF-8 text) into the temporary directory. */
function write(name: string, parts: readonly (string | Buffer)[]): string {
  const file = path.join(root, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))));
  return file;
}

/** Lines, each followed by `\n`. */
function linesOf(...lines: (string | Buffer)[]): Buffer[] {
  return lines.flatMap((l) => [typeof l === 'string' ? Buffer.from(l) : l, Buffer.from('\n')]);
}

/** A comfyui_complete record of request `n` at `s` seconds, in our format; `extra` goes before `msg`. */
function generation(n: number, s: number, ms: number, extra = ''): string {
  return `{"level":"INFO","time":"${iso(s)}","service":"gpu_server","request_id":"${caseIds(n).R}","duration_ms":${ms},"event":"comfyui_complete"${extra},"msg":"m"}`;
}

/**
 * The built CLI where user `nobody` can read it: a copy of the bundle (the CLI and its
 * scan worker, one module each) in a fresh 0755 directory, since the clone itself may
 * sit under a directory only its owner can enter (a 0700 home or `mktemp -d`).
 */
function nobodyCanRun(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'logtrace-bin-'));
  chmodSync(dir, 0o755);
  cpSync(BUNDLE_DIR, path.join(dir, 'bundle'), { recursive: true });
  for (const entry of [
    dir,
    path.join(dir, 'bundle'),
    ...readdirSync(path.join(dir, 'bundle')).map((name) => path.join(dir, 'bundle', name)),
  ]) {
    chmodSync(entry, statSync(entry).isDirectory() ? 0o755 : 0o644);
  }
  return path.join(dir, 'bundle', 'logtrace.js');
}

/** Runs the built logtrace as another process (real worker threads), optionally as user `nobody` (from a copy it can read). */
function runBin(
  argv: readonly string[],
  options: { env?: Record<string, string>; asNobody?: boolean } = {},
): { code: number | null; stdout: string; stderr: string } {
  const bin = options.asNobody === true ? (nobodyBin ??= nobodyCanRun()) : BIN;
  const ran = spawnSync(process.execPath, [bin, ...argv], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', TZ: 'UTC', ...options.env },
    ...(options.asNobody === true ? { uid: 65534, gid: 65534 } : {}),
  });
  return { code: ran.status, stdout: ran.stdout, stderr: ran.stderr };
}

/** Registers a generated case: written in beforeAll, then the runs of every case, then the kernel and reference checks. */
function describeGeneratedCase(c: BadInputCase, build: () => Buffer[]): void {
  describe(`bad input ${c.file}`, () => {
    const file = () => path.join(root, c.file);
    let bytes = Buffer.alloc(0);
    beforeAll(() => {
      bytes = Buffer.concat(build());
      write(c.file, [bytes]);
    });
    itRunsTheCase(c, file);

    it("the scan kernel and the test's own reader agree with JSON.parse + normalizeRecord", () => {
      checkKernelAgainstReference(
        bytes
          .toString('latin1')
          .split('\n')
          .map((l) => Buffer.from(l, 'latin1')),
      );
      const reference = referenceRead(bytes, 'x');
      expect({ lines: reference.lines, reasons: reference.reasons }).toEqual({ lines: c.lines, reasons: c.strict });
    });
  });
}

describeGeneratedCase(
  {
    n: 16,
    file: 'nul-runs.log',
    lines: 10,
    strict: { nul_padding: 2, invalid_json: 2 },
    examined: { perf: { invalid_json: 2 }, errors: { invalid_json: 2 }, trace: { invalid_json: 2 } },
    generations: GOOD_GENERATIONS,
  },
  () => {
    const [g1, g2, g3, g4, g5, g6] = goodLines(16) as [string, string, string, string, string, string];
    const { R } = caseIds(16);
    return [
      ...linesOf(Buffer.concat([Buffer.alloc(64 * 1024), Buffer.from(g1)]), Buffer.alloc(100), g2, g3, g4),
      ...linesOf(
        Buffer.concat([
          Buffer.from(
            `{"level":"ERROR","time":"${iso(7)}","request_id":"${R}","duration_ms":1,"event":"comfyui_complete","msg":"NULs after"}`,
          ),
          Buffer.alloc(3),
        ]),
        Buffer.concat([
          Buffer.from('{"level":"ERROR","ti'),
          Buffer.alloc(16),
          Buffer.from(`me":"${iso(8)}","request_id":"${R}","duration_ms":1,"msg":"NULs inside"}`),
        ]),
        g5,
      ),
      // The hole a writer without O_APPEND leaves after copytruncate, then its next line.
      ...linesOf(Buffer.concat([Buffer.alloc(10 * MiB), Buffer.from(g6)])),
      // A hole at the end, with no line after it yet.
      Buffer.alloc(5 * MiB),
    ];
  },
);

describeGeneratedCase(
  {
    n: 17,
    file: 'invalid-utf8.log',
    lines: 15,
    strict: { invalid_utf8: 7 },
    // Binary garbage holds nothing a command looks for: only --strict examines it.
    examined: { perf: { invalid_utf8: 6 }, errors: { invalid_utf8: 6 }, trace: { invalid_utf8: 6 } },
    generations: [...GOOD_GENERATIONS, 4000, 5000],
    events: ['comfyui_complete', 'comfyui_complete'],
  },
  () => {
    const { R } = caseIds(17);
    const bad = (s: number, bytes: number[], key = 'msg') =>
      Buffer.concat([
        Buffer.from(`{"level":"ERROR","time":"${iso(s)}","request_id":"${R}","duration_ms":1,"event":"comfyui_complete","${key}":"`),
        Buffer.from(bytes),
        Buffer.from('"}'),
      ]);
    return linesOf(
      ...goodLines(17),
      bad(7, [0x61, 0xff, 0x62]),
      bad(8, [0xc0, 0xaf]),
      bad(9, [0xed, 0xa0, 0x80]),
      bad(10, [0x78, 0xe2, 0x82]),
      Buffer.concat([
        Buffer.from(`{"level":"ERROR","time":"${iso(11)}","request_id":"${R}","duration_ms":1,"lev`),
        Buffer.from([0xc3]),
        Buffer.from('el":"x","msg":"m"}'),
      ]),
      Buffer.from(`{"level":"ERROR","time":"${iso(12)}","request_id":"${R}","duration_ms":1,"msg":"caf\u00e9 in Latin-1"}`, 'latin1'),
      generation(17, 13, 4000, ',"text":"終わり 😀 é"'),
      generation(17, 14, 5000, ',"text":"a literal \ufffd is valid UTF-8"'),
      Buffer.from([0x80, 0x81, 0xfe, 0x00, 0x01, 0x1b, 0x5b, 0x32, 0x4a, 0x7b, 0x22]),
    );
  },
);

describeGeneratedCase(
  {
    n: 18,
    file: 'oversized.log',
    lines: 11,
    strict: { oversized: 3 },
    generations: [...GOOD_GENERATIONS, 4000, 5000],
    events: ['comfyui_complete', 'comfyui_complete'],
  },
  () => {
    const [g1, g2, g3, g4, g5, g6] = goodLines(18) as [string, string, string, string, string, string];
    const { R } = caseIds(18);
    const huge = (s: number) =>
      `{"level":"ERROR","time":"${iso(s)}","request_id":"${R}","duration_ms":1,"event":"comfyui_complete","msg":"${'x'.repeat(17_000_000)}"}`;
    // A line of exactly 1 MiB is kept; one byte more is not.
    const sized = (s: number, ms: number, bytes: number) => {
      const head = `{"level":"INFO","time":"${iso(s)}","request_id":"${R}","duration_ms":${ms},"event":"comfyui_complete","pad":"`;
      return `${head}${'y'.repeat(bytes - head.length - 2)}"}`;
    };
    return [
      ...linesOf(g1, g2, g3, huge(7), g4, g5, g6),
      ...linesOf(Buffer.concat([Buffer.alloc(16 * MiB), Buffer.from(generation(18, 8, 4000))]), sized(9, 5000, MiB), sized(10, 1, MiB + 1)),
      Buffer.from(huge(11)),
    ];
  },
);

describe('bad input: multi-byte characters across read boundaries and work-unit cuts', () => {
  // 12 MiB: one thread reads 4 MiB at a time; LOGTRACE_THREADS=2 plans units of
  // 12 MiB / 8 = 1.5 MiB, each cut moved past the next newline.
  const SIZE = 12 * MiB;
  const SPLITS = [
    { at: 1.5 * MiB, char: '😀', before: 1 },
    { at: 3 * MiB, char: 'é', before: 1 },
    { at: 4 * MiB, char: '😀', before: 2 },
    { at: 4.5 * MiB, char: '€', before: 2 },
    { at: 8 * MiB, char: '😀', before: 3 },
    { at: 9 * MiB, char: '€', before: 1 },
  ];
  const durations: number[] = [];
  let file = '';

  beforeAll(() => {
    const parts: Buffer[] = [];
    let size = 0;
    let i = 0;
    const push = (text: string) => {
      const bytes = Buffer.from(`${text}\n`);
      parts.push(bytes);
      size += bytes.length;
    };
    for (const split of SPLITS) {
      const head = `{"level":"ERROR","time":"${iso(1)}","service":"gpu_server","event":"error_comfyui","error_code":"split_${split.at}","error":"`;
      // Fillers up to the probe line, which puts the character's first byte `before` bytes ahead of the boundary.
      while (size + 300 + head.length < split.at - split.before) {
        durations.push(1000 + (i % 977));
        push(generation(19, 1, 1000 + (i++ % 977), ',"note":"ok"'));
      }
      push(`${head}${'x'.repeat(split.at - split.before - size - head.length)}${split.char} split after ${split.before}"}`);
    }
    while (size < SIZE - 400) {
      durations.push(1000 + (i % 977));
      push(generation(19, 1, 1000 + (i++ % 977), ',"note":"ok"'));
    }
    const last = (pad: string) => `{"level":"INFO","time":"${iso(2)}","msg":"${pad}"}`;
    push(last('z'.repeat(SIZE - size - last('').length - 1)));
    file = write('split/gpu_server.log', parts);
  });

  const expectAnswers = (perf: Json, errors: Json) => {
    expect(perf['input']['by_file'][0]).toMatchObject({ lines: durations.length + SPLITS.length + 1, skipped: 0 });
    const sorted = [...durations].sort((a, b) => a - b);
    expect(perf['generation']).toMatchObject({ count: durations.length, min_ms: sorted[0], max_ms: sorted.at(-1) });
    const samples = Object.fromEntries(errors['groups'].map((g: Json) => [g['error_code'], g['sample']]));
    expect(Object.keys(samples).sort()).toEqual(SPLITS.map((s) => `split_${s.at}`).sort());
    for (const s of SPLITS) expect(samples[`split_${s.at}`]).toMatch(new RegExp(`^x+${s.char} split after ${s.before}$`, 'u'));
  };

  it('puts each character across its boundary, and reads every line whole with one thread and with two', async () => {
    const whole = readFileSync(file);
    expect(whole.length).toBe(SIZE);
    for (const s of SPLITS) {
      const char = Buffer.from(s.char);
      expect(whole.subarray(s.at - s.before, s.at - s.before + char.length)).toEqual(char);
    }
    for (const threads of ['1', '2']) {
      const perf = await runChecked(['perf', '--file', file, '--strict', '--json'], { LOGTRACE_THREADS: threads });
      const errors = await runChecked(['errors', '--file', file, '--strict', '--json'], { LOGTRACE_THREADS: threads });
      expect(perf.code).toBe(0);
      expectAnswers(perf.json, errors.json);
    }
  });

  it('gives the same answers from the built binary with worker threads', () => {
    const perf = runBin(['perf', '--file', file, '--strict', '--json'], { env: { LOGTRACE_THREADS: '2' } });
    const errors = runBin(['errors', '--file', file, '--json'], { env: { LOGTRACE_THREADS: '2' } });
    expect(perf.stderr).toBe('');
    expect(perf.code).toBe(0);
    expectAnswers(JSON.parse(perf.stdout) as Json, JSON.parse(errors.stdout) as Json);
  });
});

describe('bad input: a file that grows, is rotated or is truncated while logtrace reads it', () => {
  const GOOD = goodLines(20);
  const listed = async (name: string): Promise<InputSet> => listInputs({ dir: path.join(root, name) });
  const perfOf = async (inputs: InputSet) => {
    const stats: FileStats[] = [];
    const report = await scanPerf(
      inputs,
      { slowMs: 60_000, top: 5, bucketMs: 3_600_000, window: ALL_TIME, strict: true },
      stats,
      chooseThreads({}),
    );
    return {
      count: report.generation.count,
      max: report.generation.max_ms,
      stats: stats.map((s) => ({ lines: s.lines, skipped: s.skipped, error: s.error })),
    };
  };

  /** Lists a directory holding the good lines, lets `change` act on the file, then runs perf and trace over the listed inputs. */
  const readAfter = async (dir: string, change: (file: string) => void) => {
    write(`${dir}/gpu_server.log`, linesOf(...GOOD));
    const inputs = await listed(dir);
    try {
      change(path.join(root, dir, 'gpu_server.log'));
      const perf = await perfOf(inputs);
      // An id not found (nothing readable) counts as no event.
      const events = await findTrace(inputs, caseIds(20).R, { strict: false, window: ALL_TIME, threads: chooseThreads({}) }, []).then(
        (t) => t.events.length,
        () => 0,
      );
      return { ...perf, events };
    } finally {
      closeInputs(inputs);
    }
  };

  it('reads what was there when it listed the files: lines appended since are left for the next run', async () => {
    const appended = await readAfter('grow', (f) => appendFileSync(f, Buffer.concat(linesOf(generation(20, 7, 4000), '{"torn":'))));
    expect(appended).toEqual({ count: 3, max: 3000, stats: [{ lines: 6, skipped: 0, error: undefined }], events: 6 });
  });

  it('reads a file renamed away (rotated) after it was listed whole, in every trace pass, not its successor', async () => {
    const rotated = await readAfter('rotate', (f) => {
      renameSync(f, `${f}.1`);
      writeFileSync(f, Buffer.concat(linesOf(generation(20, 8, 9000))));
    });
    expect(rotated).toEqual({ count: 3, max: 3000, stats: [{ lines: 6, skipped: 0, error: undefined }], events: 6 });
  });

  it('reports a file truncated after it was listed (copytruncate) as a read error', async () => {
    const { stats, events } = await readAfter('truncate', (f) => truncateSync(f, 0));
    expect(events).toBe(0);
    expect(stats).toEqual([
      {
        lines: 0,
        skipped: 0,
        error: expect.stringMatching(/^truncated while being read \(0 of \d+ bytes left; rotated with copytruncate\?\)$/) as unknown,
      },
    ]);
  });

  /** Scans the listed gpu_server.log in 64-byte reads; `meanwhile` runs once, when line 2 has been read. */
  const scanWhile = async (dir: string, meanwhile: (file: string) => void) => {
    write(`${dir}/gpu_server.log`, linesOf(...GOOD, ...GOOD));
    const inputs = await listed(dir);
    try {
      const file = inputs.sources[0]?.files[0] as InputFile;
      const stats = new FileStats(file.path);
      const lines: number[] = [];
      await scanJsonFile(file, { prefilter: undefined, service: 'gpu_server', chunkBytes: 64 }, stats, (_record, line) => {
        if (line === 2) meanwhile(file.path);
        lines.push(line);
      });
      return { lines, stats: { lines: stats.lines, reasons: stats.reasons, error: stats.error } };
    } finally {
      closeInputs(inputs);
    }
  };

  it('in the middle of a read: appended lines are not read, a rotated file is read whole', async () => {
    const all = Array.from({ length: 12 }, (_, i) => i + 1);
    const whole = { lines: all, stats: { lines: 12, reasons: {}, error: undefined } };
    expect(await scanWhile('mid-grow', (f) => appendFileSync(f, Buffer.concat(linesOf(generation(20, 9, 1)))))).toEqual(whole);
    expect(
      await scanWhile('mid-rotate', (f) => {
        renameSync(f, `${f}.1`);
        writeFileSync(f, 'x\n');
      }),
    ).toEqual(whole);
  });

  it('in the middle of a read: a truncated file ends the read with an error, what was read still counts', async () => {
    const result = await scanWhile('mid-truncate', (f) => truncateSync(f, 0));
    expect(result.stats.error).toMatch(/^truncated while being read/);
    expect(result.lines.slice(0, 2)).toEqual([1, 2]);
    expect(result.stats.lines).toBeLessThan(12);
  });

  it('comfyui.log: reads up to the listed size, and a truncation is an error', async () => {
    const text = 'got prompt\nPrompt executed in 1.00 seconds\n';
    write('comfy/comfyui.log', [text]);
    const inputs = await listed('comfy');
    try {
      const file = inputs.sources[0]?.files[0] as InputFile;
      const chunks: string[] = [];
      for await (const chunk of readChunks(file, 8)) {
        if (chunks.length === 0) appendFileSync(file.path, 'got prompt\n');
        chunks.push(chunk.toString());
      }
      expect(chunks.join('')).toBe(text);
      const read = async () => {
        for await (const chunk of readChunks(file, 8)) if (chunk.length > 0) truncateSync(file.path, 0);
      };
      await expect(read()).rejects.toThrow(/truncated while being read/);
    } finally {
      closeInputs(inputs);
    }
  });
});

describe('bad input: files that cannot be read', () => {
  const asRoot = process.getuid?.() === 0;
  let dir = '';

  beforeAll(() => {
    dir = path.join(root, 'unreadable');
    write('unreadable/gpu_server.log', linesOf(...goodLines(21)));
    write('unreadable/backend.log', linesOf(...goodLines(21)));
    chmodSync(path.join(dir, 'backend.log'), 0o000);
    mkdirSync(path.join(dir, 'directory.log'));
    expect(spawnSync('mkfifo', [path.join(dir, 'fifo.log')]).status).toBe(0);
    symlinkSync(path.join(dir, 'gone.txt'), path.join(dir, 'dangling.log'));
    symlinkSync('loop.log', path.join(dir, 'loop.log'));
    write('unreadable-dir/gpu_server.log', linesOf(...goodLines(21)));
    chmodSync(path.join(root, 'unreadable-dir'), 0o000);
    // As root, permissions do not stop reads: the binary then runs as nobody.
    chmodSync(root, 0o755);
  });

  afterAll(() => {
    chmodSync(path.join(root, 'unreadable-dir'), 0o755);
  });

  /** Runs a command where the permission bits count: in-process, or as nobody when the test runs as root. */
  const runUnprivileged = async (argv: readonly string[]) => {
    if (!asRoot) return runChecked(argv);
    const ran = runBin(argv, { asNobody: true });
    expectNoCrash({ code: ran.code ?? -1, stdout: ran.stdout, stderr: ran.stderr });
    expect(ran.stderr).not.toMatch(RAW_CONTROL);
    return {
      code: ran.code,
      stdout: ran.stdout,
      stderr: ran.stderr,
      json: argv.includes('--json') ? (JSON.parse(ran.stdout) as Json) : {},
    };
  };

  it.each(['perf', 'errors', `trace ${caseIds(21).R}`])(
    '%s names each file it could not read, answers from the others, and exits 2',
    async (command) => {
      const { code, json, stderr } = await runUnprivileged([...command.split(' '), '--dir', dir, '--json']);
      expect(code).toBe(2);
      const errors = Object.fromEntries(json['input']['by_file'].map((f: Json) => [path.basename(f['path']), f['error']]));
      expect(errors).toEqual({
        'backend.log': 'permission denied',
        'dangling.log': 'no such file or directory',
        'directory.log': 'not a regular file',
        'fifo.log': 'not a regular file',
        'loop.log': 'too many levels of symbolic links',
        'gpu_server.log': null,
      });
      for (const name of ['backend.log', 'dangling.log', 'directory.log', 'fifo.log', 'loop.log'])
        expect(stderr).toContain(`${name}: cannot read: `);
      if (command === 'perf') expect(json['generation']['count']).toBe(3);
      if (command === 'errors') expect(errorCounts(json['groups'])).toEqual(GOOD_ERRORS);
      if (command.startsWith('trace')) expect(json['events']).toHaveLength(6);
    },
  );

  it('trace of an id it cannot find exits 2, not 1, when a file could not be read (the id may be there)', async () => {
    const { code, stderr } = await runUnprivileged(['trace', 'deadbeefdeadbeef', '--dir', dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('no request_id, generation_id, prompt_id, client_request_id or trace_id starting with "deadbeefdeadbeef"');
    expect(stderr).toContain('backend.log: cannot read: permission denied');
  });

  it('an unreadable --file is reported the same way, with the other files still read', async () => {
    const { code, json } = await runUnprivileged([
      'perf',
      '--file',
      path.join(dir, 'backend.log'),
      '--file',
      path.join(dir, 'gpu_server.log'),
      '--json',
    ]);
    expect(code).toBe(2);
    expect(json['input']['by_file'].map((f: Json) => f['error'])).toEqual(['permission denied', null]);
  });

  it.each([
    ['directory.log', 'not a regular file'],
    ['fifo.log', 'not a regular file'],
    ['dangling.log', 'no such file or directory'],
    ['loop.log', 'too many levels of symbolic links'],
  ])('--file %s fails at once with exit 2: %s', async (name, reason) => {
    const result = await runCli(['perf', '--file', path.join(dir, name), '--json']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `logtrace: cannot read ${path.join(dir, name)}: ${reason}\n` });
  });

  it('an unreadable directory is an I/O error (exit 2)', async () => {
    const { code, stdout, stderr } = await runUnprivileged(['perf', '--dir', path.join(root, 'unreadable-dir')]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe(`logtrace: cannot read log directory ${path.join(root, 'unreadable-dir')}: permission denied\n`);
  });
});

describe('bad input: a missing log directory', () => {
  it.each(['perf', 'errors', 'trace 0badc0de-0000'])('%s says so in one line and exits 2, for --dir and $LOGTRACE_DIR', async (command) => {
    const missing = path.join(root, 'no-such-dir');
    for (const [argv, env] of [
      [[...command.split(' '), '--dir', missing, '--json'], undefined],
      [[...command.split(' '), '--json'], { LOGTRACE_DIR: missing }],
    ] as const) {
      const result = await runCli(argv, env === undefined ? {} : { env });
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: `logtrace: cannot read log directory ${missing}: no such file or directory\n`,
      });
    }
  });

  it('a file given as --dir, and a directory without logs, are I/O errors too', async () => {
    const file = write('not-a-dir.log', linesOf(...goodLines(22)));
    expect((await runChecked(['perf', '--dir', file])).stderr).toBe(`logtrace: cannot read log directory ${file}: not a directory\n`);
    mkdirSync(path.join(root, 'no-logs'));
    const { code, stderr } = await runChecked(['errors', '--dir', path.join(root, 'no-logs')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^logtrace: no log files in .*no-logs/);
  });
});

describe('bad input: corrupt .gz files', () => {
  const N = 3000;
  const content = Buffer.concat(linesOf(...Array.from({ length: N }, (_, i) => generation(23, 1 + (i % 50), 1000 + i, `,"i":${i}`))));
  const gz = gzipSync(content);
  const cut = gz.subarray(0, Math.floor(gz.length / 2));
  let dir = '';

  beforeAll(() => {
    dir = path.join(root, 'gz');
    write('gz/gpu_server.log', linesOf(...goodLines(23)));
    write('gz/gpu_server.log.1.gz', [cut]);
    write('gz/gpu_server.log.2.gz', ['this is not gzip data\n']);
    write('gz/gpu_server.log.3.gz', []);
    write('gz/backend.log.1.gz', [gzipSync(Buffer.concat(linesOf(...goodLines(23).slice(0, 3), '', '{"torn', '[1]')))]);
    write('gz/comfyui.log.1.gz', [gzipSync('got prompt\n').subarray(0, 15)]);
    write('gz/comfyui.log', ['got prompt\nPrompt executed in 1.00 seconds\n']);
  });

  /** What a careful reader makes of what can be inflated from the cut file (zlib with a sync flush gives all of it). */
  const readable = () => referenceRead(gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }), 'gpu_server');

  it.each([['--strict'], ['']])('perf %s: the good lines of each file count, each bad file is named, exit 2', async (strict) => {
    const { code, json, stderr } = await runChecked(['perf', '--dir', dir, '--json', ...(strict === '' ? [] : [strict])]);
    expect(code).toBe(2);
    const { lines, reasons, records } = readable();
    expect(records.length).toBeGreaterThan(100);
    const byFile = Object.fromEntries(
      json['input']['by_file'].map((f: Json) => [
        path.basename(f['path']),
        { lines: f['lines'], reasons: f['reasons'], error: f['error'] },
      ]),
    );
    expect(byFile['gpu_server.log.1.gz']).toMatchObject({ lines, error: 'corrupt gzip data: unexpected end of file' });
    if (strict !== '') expect(byFile['gpu_server.log.1.gz'].reasons).toEqual(reasons);
    expect(byFile['gpu_server.log.2.gz']).toEqual({ lines: 0, reasons: {}, error: 'corrupt gzip data: incorrect header check' });
    expect(byFile['gpu_server.log.3.gz']).toEqual({ lines: 0, reasons: {}, error: 'corrupt gzip data: unexpected end of file' });
    expect(byFile['backend.log.1.gz']).toEqual({
      lines: 6,
      reasons: strict === '' ? {} : { blank: 1, invalid_json: 1, not_object: 1 },
      error: null,
    });
    const durations = [...GOOD_GENERATIONS, ...GOOD_GENERATIONS, ...records.map((r) => r.duration_ms ?? 0)];
    expect(json['generation']).toMatchObject({
      count: durations.length,
      max_ms: Math.max(...durations),
      avg_ms: durations.reduce((s, v) => s + v, 0) / durations.length,
    });
    expect(stderr).toContain(`gpu_server.log.1.gz: read stopped after ${lines} lines: corrupt gzip data: unexpected end of file`);
    expect(stderr).toContain('gpu_server.log.2.gz: cannot read: corrupt gzip data: incorrect header check');
  });

  it('errors and trace answer from the readable part and exit 2; comfyui.log.1.gz is named too', async () => {
    const errors = await runChecked(['errors', '--dir', dir, '--json']);
    expect(errors.code).toBe(2);
    expect(errorCounts(errors.json['groups'])).toEqual(GOOD_ERRORS);
    expect(errors.json['input']['by_file'].find((f: Json) => f['path'].endsWith('comfyui.log.1.gz'))['error']).toBe(
      'corrupt gzip data: unexpected end of file',
    );
    const trace = await runChecked(['trace', caseIds(23).R, '--dir', dir, '--json']);
    expect(trace.code).toBe(2);
    expect(trace.json['events'].length).toBe(6 + 3 + readable().records.length);
    const grouped = await runChecked(['errors', '--no-group', '--dir', dir]);
    expect(grouped.code).toBe(2);
  });

  it('a good member followed by garbage: what zlib gave before the garbage counts, the file is named, exit 2', async () => {
    write('gz-trailing/gpu_server.log.1.gz', [gz, Buffer.from('trailing garbage')]);
    const { code, json } = await runChecked(['perf', '--dir', path.join(root, 'gz-trailing'), '--strict', '--json']);
    expect(code).toBe(2);
    const [file] = json['input']['by_file'] as Json[];
    expect(file?.['error']).toBe('corrupt gzip data: incorrect header check');
    expect(file?.['lines']).toBeLessThanOrEqual(N);
    expect(json['generation']['count']).toBe(file?.['lines'] - (file?.['skipped'] ?? 0));
  });
});

describe('bad input: comfyui.log', () => {
  it('counts every line, skips only an over-long one, and escapes what it prints', async () => {
    const lines = [
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('got prompt')]),
      Buffer.concat([Buffer.alloc(4096), Buffer.from('Prompt executed in 1.00 seconds')]),
      Buffer.alloc(100),
      Buffer.from('got prompt'),
      Buffer.from('!!! Exception during processing !!! bad \u001b]0;pwned\u0007 \u202eimage'),
      Buffer.from('Traceback (most recent call last):'),
      Buffer.from('  File "/workspace/ComfyUI/nodes.py", line 12, in load'),
      Buffer.from('    raise ValueError(msg)'),
      Buffer.concat([Buffer.from('ValueError: bad \u001b]0;pwned\u0007 \u202eimage '), Buffer.from([0xff, 0xfe])]),
      Buffer.from(''),
      Buffer.from(`loading ${'x'.repeat(MiB + 10)}`),
      Buffer.from(' 50%|█████     | 10/20 [00:01<00:01]\r100%|██████████| 20/20 [00:02<00:00]'),
    ];
    const file = write('comfy-bad/comfyui.log', linesOf(...lines));
    const text = await runChecked(['errors', '--file', file, '--strict']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('ValueError');
    expect(text.stdout).toContain('\\x1b]0;pwned\\x07 \\u202eimage');
    const { json } = await runChecked(['errors', '--file', file, '--json']);
    expect(json['groups']).toHaveLength(1);
    expect(json['groups'][0]).toMatchObject({
      service: 'comfyui',
      event: 'exception',
      error_code: 'ValueError',
      count: 1,
      last_frame: '/workspace/ComfyUI/nodes.py:12 in load',
    });
    expect(json['input']['by_file']).toEqual([
      { path: file, lines: lines.length, skipped: 1, glued: 0, reasons: { oversized: 1 }, error: null },
    ]);
  });
});
