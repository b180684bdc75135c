import { LEVEL_RANK, LEVELS, normalizeRecord } from '@logtrace/shared/schema';
import { describe, expect, it } from 'vitest';
import { createLevelPrefilter, createNeedlePrefilter, type Prefilter } from './prefilter.js';
import { IN_BASE, REC_WORDS } from '../kernel/kernel-layout.js';
import { ScanKernel } from '../kernel/scan-kernel.js';

const T = '2026-11-28T05:03:21.123Z';
const levelValues: readonly unknown[] = [
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'FATAL',
  'WARNING',
  'CRITICAL',
  'error',
  'Error',
  'fatal',
  'critical',
  'warning',
  'crit',
  'emerg',
  'alert',
  'notice',
  'trace',
  10,
  20,
  30,
  40,
  50,
  60,
  55,
  70,
  100,
  49.5,
  5e1,
  -1,
  null,
  true,
  'LOUD',
];

/** Lines in our style, Python json.dumps style, pino style, plus awkward spellings. */
function makeLines(): string[] {
  const lines: string[] = [];
  for (const level of levelValues) {
    lines.push(JSON.stringify({ level, time: T, service: 'backend', event: 'gpu_error', msg: 'x' }));
    lines.push(`{"timestamp": "2026-11-28T05:03:21.123456", "level": ${JSON.stringify(level)}, "message": "x"}`);
    lines.push(JSON.stringify({ time: 1795842201123, levelname: level, name: 'gpu_server', msg: 'x' }));
    lines.push(`{"time" : "${T}" , "level"\t:\t${JSON.stringify(level)} }`);
    lines.push(JSON.stringify({ level: 'INFO', time: T, msg: `mentions "level":${JSON.stringify(level)} in text` }));
    lines.push(JSON.stringify({ level: 'INFO', time: T, context: { level } }));
  }
  lines.push(`{"level":"INFO","time":"${T}","level":"ERROR","msg":"duplicate key, last wins"}`);
  lines.push(`{"level":"ERROR","time":"${T}","level":"INFO","msg":"duplicate key, last wins"}`);
  lines.push(`{"level":"\\u0045RROR","time":"${T}","msg":"escaped value"}`);
  lines.push(`{"level":"ERR`, '', 'not json at all "level": "ERROR"', '{"level_x":"ERROR","time":1}');
  return lines;
}

/** Indexes of the lines the kernel returns for a prefilter, checking they come once each, in order. */
function candidates(filter: Prefilter, lines: readonly string[]): Set<number> {
  const kernel = new ScanKernel();
  const text = Buffer.from(`PAD\n${lines.join('\n')}\n`);
  text.copy(kernel.bytes, IN_BASE);
  kernel.select(filter);
  const count = kernel.scan(IN_BASE, IN_BASE + text.length, 1 << 20);
  const seen = new Set<number>();
  let previous = 0;
  for (let i = 0; i < count; i++) {
    const line = kernel.words[kernel.outWord + i * REC_WORDS + 2] ?? 0;
    expect(line).toBeGreaterThan(previous);
    previous = line;
    if (line >= 2) seen.add(line - 2);
  }
  expect(kernel.lines).toBe(lines.length + 1);
  return seen;
}

function levelRankOf(line: string): number {
  try {
    const result = normalizeRecord(JSON.parse(line));
    return result.ok ? LEVEL_RANK[result.record.level] : -1;
  } catch {
    return -1;
  }
}

describe('createLevelPrefilter', () => {
  const lines = makeLines();

  it.each(LEVELS)('never misses a line at %s or above (checked against JSON.parse of every line)', (min) => {
    const found = candidates(createLevelPrefilter(min), lines);
    const expected = lines.flatMap((line, i) => (levelRankOf(line) >= LEVEL_RANK[min] ? [i] : []));
    expect(expected.length).toBeGreaterThan(0);
    for (const i of expected) expect(found.has(i), lines[i]).toBe(true);
  });

  it('passes over plain INFO lines of all three producers', () => {
    const info = [
      JSON.stringify({ level: 'INFO', time: T, msg: 'error in the message does not matter' }),
      `{"timestamp": "2026-11-28T05:03:21.123456", "level": "INFO", "message": "x"}`,
      JSON.stringify({ level: 30, time: 1795842201123, msg: 'x' }),
    ];
    expect(candidates(createLevelPrefilter('ERROR'), info).size).toBe(0);
  });
});

describe('createNeedlePrefilter', () => {
  it('returns each line holding any needle once, in order', () => {
    const lines = ['a comfyui_complete b', 'nothing', 'response_sent and comfyui_complete', 'x', 'response_sent'];
    const found = candidates(createNeedlePrefilter(['comfyui_complete', 'response_sent']), lines);
    expect([...found]).toEqual([0, 2, 4]);
  });

  it('finds needles at the very start and end of lines, across 16-byte blocks, and not past the data', () => {
    const lines = ['needle', 'x'.repeat(15) + 'needle', 'xx', 'neediest needle', 'needl', 'e'];
    expect([...candidates(createNeedlePrefilter(['needle']), lines)]).toEqual([0, 1, 3]);
  });

  it('picks every line with no needle, and with an empty one', () => {
    const lines = ['a', 'b', ''];
    expect(candidates({ kind: 'all' }, lines).size).toBe(3);
    expect(candidates(createNeedlePrefilter(['']), lines).size).toBe(3);
  });
});
