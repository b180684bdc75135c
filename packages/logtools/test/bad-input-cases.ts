// The bad-input cases (test/fixtures/bad-input/README.md): the good lines every case
// holds, and the runs of trace, perf and errors every case goes through.
import { expect, it } from 'vitest';
import { runCli, type CliResult, type Json } from './run-cli.js';

/** 2026-11-28T05:00:00Z: the good lines are 1 to 6 s after it, extra lines 7 s and on. */
export const T0 = Date.UTC(2026, 10, 28, 5);

/** Our format's time, `s` seconds after T0. */
export const iso = (s: number): string => new Date(T0 + s * 1000).toISOString();

/** Python's `datetime.utcnow().isoformat()`, `s` seconds after T0. */
export const pythonTime = (s: number): string => `${iso(s).slice(0, 23)}000`;

/** The ids of case `n` (a two-digit number in each). */
export function caseIds(n: number): { readonly R: string; readonly G: string; readonly P: string } {
  const nn = String(n).padStart(2, '0');
  return {
    R: `0badc0de-0000-4000-8000-0000000000${nn}`,
    G: `9e9e9e9e-0000-4000-8000-0000000000${nn}`,
    P: `7f7f7f7f-0000-4000-8000-0000000000${nn}`,
  };
}

/**
 * The six good lines of case `n`: a generation time (comfyui_complete) and an error in
 * each producer style. Ours carries non-ASCII text, so the scan kernel leaves it to
 * JSON.parse; the Python-style and pino lines are parsed by the kernel itself.
 */
export function goodLines(n: number): string[] {
  const { R, G, P } = caseIds(n);
  return [
    `{"level":"INFO","time":"${iso(1)}","service":"gpu_server","pid":7,"request_id":"${R}","generation_id":"${G}","prompt_id":"${P}","duration_ms":1000,"event":"comfyui_complete","msg":"Génération terminée"}`,
    `{"timestamp": "${pythonTime(2)}", "level": "INFO", "service": "gpu_server", "event": "comfyui_complete", "request_id": "${R}", "generation_id": "${G}", "prompt_id": "${P}", "duration_ms": 2000, "message": "ComfyUI finished the prompt"}`,
    `{"level":30,"time":${T0 + 3000},"pid":7,"hostname":"gpu-host-1","name":"gpu_server","request_id":"${R}","generation_id":"${G}","prompt_id":"${P}","duration_ms":3000,"event":"comfyui_complete","msg":"ComfyUI finished the prompt"}`,
    `{"level":"ERROR","time":"${iso(4)}","service":"gpu_server","pid":7,"request_id":"${R}","generation_id":"${G}","event":"error_comfyui","error_code":"comfyui_timeout","error":"ComfyUI did not finish within 90000 ms","msg":"ComfyUI failed"}`,
    `{"timestamp": "${pythonTime(5)}", "level": "CRITICAL", "service": "backend", "event": "error_gpu", "request_id": "${R}", "error_code": "gpu_unreachable", "error": "connect ECONNREFUSED 127.0.0.1:8001", "message": "GPU server unreachable"}`,
    `{"level":50,"time":${T0 + 6000},"pid":7,"hostname":"gpu-host-1","name":"gpu_server","request_id":"${R}","event":"error_comfyui","error_code":"comfyui_http_500","err":{"type":"Error","message":"HTTP 500","stack":"Error: HTTP 500\\n    at post (/app/comfy.js:1:1)"},"msg":"ComfyUI answered 500"}`,
  ];
}

/** comfyui_complete.duration_ms of the good lines. */
export const GOOD_GENERATIONS: readonly number[] = [1000, 2000, 3000];

/** Error groups (`service/event/error_code`) of the good lines. */
export const GOOD_ERRORS: Readonly<Record<string, number>> = {
  'gpu_server/error_comfyui/comfyui_timeout': 1,
  'backend/error_gpu/gpu_unreachable': 1,
  'gpu_server/error_comfyui/comfyui_http_500': 1,
};

/** Events of the good lines, in time order. */
export const GOOD_EVENTS: readonly string[] = [
  'comfyui_complete',
  'comfyui_complete',
  'comfyui_complete',
  'error_comfyui',
  'error_gpu',
  'error_comfyui',
];

/** Error counts by `service/event/error_code` from a `--json` groups list. */
export function errorCounts(groups: readonly Record<string, unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const g of groups) {
    const key = `${String(g['service'])}/${String(g['event'])}/${String(g['error_code'])}`;
    counts[key] = (counts[key] ?? 0) + Number(g['count']);
  }
  return counts;
}

/** Sum of a reasons record. */
export function totalOf(reasons: Reasons): number {
  return Object.values(reasons).reduce((s, n) => s + n, 0);
}

/** Control characters (but `\n`), DEL, C1, bidi controls and line separators: none may reach a terminal raw. */
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** Checks that a run did not crash: no stack trace, no internal error on stderr. */
export function expectNoCrash(result: CliResult): void {
  expect(result.stderr).not.toMatch(/internal error|^\s+at .+:\d+:\d+\)?$/m);
}

/** Runs logtrace in-process, checks it did not crash and printed nothing raw, and parses `--json` output. */
export async function runChecked(argv: readonly string[], env?: Record<string, string>): Promise<CliResult & { json: Json }> {
  const result = await runCli(argv, env === undefined ? {} : { env });
  expectNoCrash(result);
  expect(result.stdout).not.toMatch(RAW_CONTROL);
  expect(result.stderr).not.toMatch(RAW_CONTROL);
  return { ...result, json: argv.includes('--json') ? (JSON.parse(result.stdout) as Json) : {} };
}

type Reasons = Readonly<Record<string, number>>;

/** One bad-input case file and what logtrace must make of it. */
export interface BadInputCase {
  /** Case number: the ids of its good lines (caseIds). */
  readonly n: number;
  readonly file: string;
  readonly lines: number;
  /** Unusable lines by reason with --strict (every line examined); each unusable object of a glued line counts as one. */
  readonly strict: Reasons;
  /** Lines holding JSON objects back to back (`{…}{…}`), read as one record per object (default 0). */
  readonly glued?: number;
  /** The same without --strict: only the lines each command examines (default: as strict). */
  readonly examined?: { readonly perf?: Reasons; readonly errors?: Reasons; readonly trace?: Reasons };
  /** comfyui_complete.duration_ms of the usable lines. */
  readonly generations: readonly number[];
  /** Error groups (`service/event/error_code`) and their counts, besides the good lines'. */
  readonly errors?: Reasons;
  /** Events of the case's request after the good lines', in time order. */
  readonly events?: readonly string[];
}

/** The commands every case goes through. */
export const COMMANDS = ['perf', 'errors', 'trace'] as const;
type Command = (typeof COMMANDS)[number];

function argvOf(command: Command, c: BadInputCase, file: string, extra: readonly string[]): string[] {
  const input = ['--file', file];
  return command === 'trace' ? ['trace', caseIds(c.n).R, ...input, ...extra] : [command, ...input, ...extra];
}

/** Checks one command's --json answer for a case; returns the file's `input.by_file` entry. */
function checkAnswer(command: Command, c: BadInputCase, json: Json): Json {
  if (command === 'perf') {
    const sorted = [...c.generations].sort((a, b) => a - b);
    expect(json['generation']).toMatchObject({
      count: sorted.length,
      min_ms: sorted[0],
      max_ms: sorted.at(-1),
      avg_ms: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    });
  } else if (command === 'errors') {
    expect(errorCounts(json['groups'])).toEqual({ ...GOOD_ERRORS, ...c.errors });
  } else {
    expect(json['events'].map((e: Json) => e['event'])).toEqual([...GOOD_EVENTS, ...(c.events ?? [])]);
  }
  expect(json['input']['by_file']).toHaveLength(1);
  const [file] = json['input']['by_file'] as Json[];
  expect({
    files: json['input']['files'],
    lines: json['input']['lines'],
    skipped: json['input']['skipped'],
    glued: json['input']['glued'],
  }).toEqual({
    files: 1,
    lines: file?.['lines'],
    skipped: file?.['skipped'],
    glued: c.glued ?? 0,
  });
  return file as Json;
}

/**
 * Registers the runs every case goes through, for the file `pathOf()` gives: each
 * command with --strict (every unusable line counted by reason, exit 1 if there was
 * one), without (the same answer, the lines it examined counted, exit 0), and as text.
 */
export function itRunsTheCase(c: BadInputCase, pathOf: () => string): void {
  it.each(COMMANDS)('%s --strict counts every unusable line by reason, uses every good one, exits 1 if any was bad', async (command) => {
    const { code, json } = await runChecked(argvOf(command, c, pathOf(), ['--strict', '--json']));
    const file = checkAnswer(command, c, json);
    expect(file).toEqual({
      path: pathOf(),
      lines: c.lines,
      skipped: totalOf(c.strict),
      glued: c.glued ?? 0,
      reasons: c.strict,
      error: null,
    });
    expect(code).toBe(totalOf(c.strict) > 0 ? 1 : 0);
  });

  it.each(COMMANDS)('%s gives the same answer without --strict, counts the unusable lines it examined, exits 0', async (command) => {
    const { code, json } = await runChecked(argvOf(command, c, pathOf(), ['--json']));
    const file = checkAnswer(command, c, json);
    const reasons = c.examined?.[command] ?? c.strict;
    expect({ lines: file['lines'], skipped: file['skipped'], glued: file['glued'], reasons: file['reasons'] }).toEqual({
      lines: c.lines,
      skipped: totalOf(reasons),
      glued: c.glued ?? 0,
      reasons,
    });
    expect(code).toBe(0);
  });

  it.each(COMMANDS)('%s prints text with every control, escape and bidi character escaped, and the skips on stderr', async (command) => {
    const { code, stdout, stderr } = await runChecked(argvOf(command, c, pathOf(), ['--strict']));
    expect(stdout.length).toBeGreaterThan(0);
    if (totalOf(c.strict) > 0) expect(stderr).toContain(`skipped ${totalOf(c.strict)} unusable`);
    if ((c.glued ?? 0) > 0)
      expect(stderr).toContain(`read ${c.glued} glued lines (JSON objects with no newline between) as one record per object:`);
    else expect(stderr).not.toContain('glued');
    expect(code).toBe(totalOf(c.strict) > 0 ? 1 : 0);
  });
}
