import { LEVEL_RANK, LEVELS, normalizeRecord } from '@logtrace/shared/schema';
import { describe, expect, it } from 'vitest';
import { createLevelPrefilter, createNeedlePrefilter, type Prefilter } from './prefilter.js';

const T = '2026-11-28T05:03:21.123Z';
const levelValues: readonly unknown[] = [
  'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'WARNING', 'CRITICAL', 'error', 'Error', 'fatal', 'critical', 'warning',
  'crit', 'emerg', 'alert', 'notice', 'trace', 10, 20, 30, 40, 50, 60, 55, 70, 100, 49.5, 5e1, -1, null, true, 'LOUD',
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

function candidates(filter: Prefilter, lines: readonly string[]): Set<number> {
  const text = lines.join('\n') + '\n';
  const buf = Buffer.from(`PAD\n${text}`);
  const starts = new Map<number, number>();
  let offset = 4;
  lines.forEach((line, i) => {
    starts.set(offset, i);
    offset += Buffer.byteLength(line) + 1;
  });
  const seen = new Set<number>();
  let previous = -1;
  filter.forEachCandidate(buf, 4, buf.length, (s, e) => {
    const index = starts.get(s);
    expect(index, `line start ${s}`).toBeDefined();
    expect(s).toBeGreaterThan(previous);
    expect(buf[e - 1]).toBe(0x0a);
    previous = s;
    seen.add(index ?? -1);
  });
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

  it('finds a needle on the first and the last line of a block without a final newline', () => {
    const buf = Buffer.from('needle one\nother\nlast needle');
    const seen: string[] = [];
    createNeedlePrefilter(['needle']).forEachCandidate(buf, 0, buf.length, (s, e) => seen.push(buf.toString('latin1', s, e)));
    expect(seen).toEqual(['needle one\n', 'last needle']);
  });
});
