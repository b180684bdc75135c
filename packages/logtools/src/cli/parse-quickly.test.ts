import { describe, expect, it } from 'vitest';
import { COMMON_OPTIONS } from './common-options.js';
import { parseQuickly } from './parse-quickly.js';
import { COMMANDS, parseWithYargs } from './run.js';

const io = { stdout: { write: () => undefined }, stderr: { write: () => undefined }, env: {}, cwd: '/', now: () => 0 };

const LINES: readonly string[][] = [
  ['perf'],
  ['perf', '--json'],
  ['perf', '--dir', '/x', '--slow', '90s', '--top', '5', '--bucket', '15m'],
  ['perf', '--by-node', '--json'],
  ['perf', '--no-by-node'],
  ['perf', '--dir=/x', '--top=3', '--no-color', '--strict'],
  ['perf', '--top', 'many'],
  ['perf', '--top', '2', '--top', '3'],
  ['perf', '--dir', '/a', '--dir', '/b'],
  ['perf', '--file', 'a.log', 'b.log', '--json'],
  ['perf', '--file', 'a.log', '--file', 'b.log'],
  ['perf', '--since', '2h', '--until', '2026-11-28T05:00:00Z'],
  ['perf', '--json=false', '--color=true'],
  ['perf', '--no-json'],
  ['perf', '--dir'],
  ['perf', '--unknown'],
  ['perf', 'extra'],
  ['perf', '--top', '-5'],
  ['perf', '-h'],
  ['errors', '--level', 'warn', '--service', 'backend', '--service', 'comfyui', '--no-group'],
  ['errors', '--service', 'a', 'b', '--json'],
  ['errors', '--group=false'],
  ['errors', '--level'],
  ['trace', '0b6f4c1e-2f0a-4c47-9a53-5e9f1f3b7a10'],
  ['trace', '12345678', '--json'],
  ['trace', '--json', '0b6f4c1e'],
  ['trace'],
  ['trace', 'a', 'b'],
  ['trace', '00000001', '--strict', '--since', '1d'],
  ['trace', '--', '0b6f4c1e'],
  ['serve', '--port', '0', '--host', '127.0.0.1'],
  ['serve', '--dir', '/x', '--token', 'abcdefghijklmnop', '--max-window', '1d'],
  ['report', '--html', 'incident.html', '--top', '3', '--since', '2h'],
  ['nope'],
  ['--version'],
  [],
];

describe('parseQuickly', () => {
  it('gives exactly the arguments yargs gives, or leaves the command line to yargs', async () => {
    let quick = 0;
    for (const argv of LINES) {
      const fast = await parseQuickly(argv, COMMANDS);
      if (fast === undefined) continue;
      quick++;
      const slow = await parseWithYargs(argv, io, 100);
      expect(typeof slow, argv.join(' ')).toBe('object');
      if (typeof slow === 'number') continue;
      expect(fast.spec).toBe(slow.spec);
      const keys = [...Object.keys(COMMON_OPTIONS), ...Object.keys(fast.spec.options), 'id'];
      for (const key of keys) expect(fast.args[key], `${argv.join(' ')}: ${key}`).toEqual(slow.args[key]);
    }
    expect(quick).toBeGreaterThan(15);
  });
});
