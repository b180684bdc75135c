import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useGeneratedDirs, type Variant } from './generated-dirs.js';
import { runJson, type Json } from './run-cli.js';

const VARIANTS: readonly Variant[] = [
  { name: 'our format, stamped comfyui.log, rotated and gzipped', options: { seed: 11, requests: 160, rotate: true } },
  { name: 'Python json.dumps style, unstamped comfyui.log', options: { seed: 12, requests: 120, style: 'python', stamped: false } },
  { name: 'pino defaults, stamped', options: { seed: 13, requests: 120, style: 'pino' } },
  { name: 'all three styles mixed per line, unstamped', options: { seed: 14, requests: 120, style: 'mixed', stamped: false } },
];

const generated = useGeneratedDirs(VARIANTS);

describe.each(VARIANTS)('on a generated directory: $name', (variant) => {
  const gen = () => generated(variant.name);

  it('perf equals the numbers the generator computed', async () => {
    const { code, json } = await runJson<Json>(['perf', '--dir', gen().dir]);
    const expected = gen().expected.perf();
    expect(code).toBe(0);
    expect(json['generation']).toEqual(expected.generation);
    expect(json['stages']).toEqual(expected.stages);
    expect(json['slow']).toEqual(expected.slow);
    expect(json['buckets']['items'].map((b: Json) => ({ start: b['start'], count: b['count'], p95_ms: b['p95_ms'] }))).toEqual(
      expected.buckets,
    );
    expect(expected.generation.count).toBeGreaterThan(20);
    expect(expected.slow.count).toBeGreaterThan(0);
  });

  it("perf's ComfyUI stages, node classes, cache hits and sampler speed equal the generator's", async () => {
    const { json } = await runJson<Json>(['perf', '--dir', gen().dir]);
    const expected = gen().expected.perf();
    expect(json['nodes']).toEqual(expected.nodes);
    expect(json['cache']).toEqual(expected.cache);
    expect(json['steps_per_s']).toEqual(expected.steps_per_s);
    expect(Object.keys(json['nodes']).sort()).toEqual([
      'CLIPTextEncode',
      'CheckpointLoaderSimple',
      'EmptyLatentImage',
      'KSampler',
      'SaveImage',
      'VAEDecode',
    ]);
    expect(expected.cache.cached).toBeGreaterThan(0);
    // A prompt whose websocket dropped while it ran has its queue wait but no execution time.
    expect(expected.stages.queue_wait.count).toBeGreaterThan(expected.stages.execution.count);
    expect(expected.stages.execution.count).toBeGreaterThan(20);
    expect(expected.stages.execution.count).toBeLessThan(expected.generation.count);
  });

  it('perf with other thresholds and a time window', async () => {
    const g = gen();
    const since = g.startTime + 10 * 60_000;
    const until = g.startTime + 25 * 60_000;
    const { json } = await runJson<Json>([
      'perf',
      '--dir',
      g.dir,
      '--slow',
      '20s',
      '--top',
      '3',
      '--since',
      new Date(since).toISOString(),
      '--until',
      new Date(until).toISOString(),
    ]);
    const inWindow = g.expected.perf().generations.filter((x) => x.time >= since && x.time < until);
    expect(json['generation']['count']).toBe(inWindow.length);
    expect(json['slow']['count']).toBe(inWindow.filter((x) => x.duration_ms >= 20_000).length);
    expect(json['slow']['items']).toHaveLength(Math.min(3, json['slow']['count']));
  });

  it('the byte prefilter gives exactly the answers of parsing every line (--strict)', async () => {
    for (const command of [['perf'], ['errors'], ['errors', '--level', 'warn']]) {
      const fast = await runJson<Json>([...command, '--dir', gen().dir]);
      const strict = await runJson<Json>([...command, '--dir', gen().dir, '--strict']);
      const { input: _a, ...fastReport } = fast.json;
      const { input: _b, ...strictReport } = strict.json;
      expect(fastReport).toEqual(strictReport);
      expect(strict.code).toBe(1);
    }
  });

  it('errors counts every group exactly', async () => {
    const { code, json } = await runJson<Json>(['errors', '--dir', gen().dir]);
    expect(code).toBe(0);
    const byKey = (groups: readonly { service: string; event: string | null; error_code: string | null; count: number }[]) => {
      const map = new Map<string, number[]>();
      for (const g of groups) {
        const key = `${g.service}/${g.event}/${g.error_code}`;
        map.set(
          key,
          [...(map.get(key) ?? []), g.count].sort((a, b) => a - b),
        );
      }
      return Object.fromEntries([...map.entries()].sort());
    };
    const expectedJson = gen().expected.errors.filter((g) => g.level !== 'WARN');
    const expectedComfyui = gen()
      .expected.comfyui.filter((c) => c.level === 'ERROR')
      .map((c) => ({ service: 'comfyui', event: c.event, error_code: c.type, count: c.count }));
    expect(byKey(json['groups'])).toEqual(byKey([...expectedJson, ...expectedComfyui]));
    expect(json['total']).toBe([...expectedJson, ...expectedComfyui].reduce((s, g) => s + g.count, 0));
  });

  it('errors --level warn adds the warnings', async () => {
    const { json } = await runJson<Json>(['errors', '--dir', gen().dir, '--level', 'warn']);
    const warnings = gen().expected.errors.filter((g) => g.level === 'WARN');
    const interrupted = gen().expected.comfyui.find((c) => c.event === 'interrupted')?.count ?? 0;
    const errorsOnly = await runJson<Json>(['errors', '--dir', gen().dir]);
    expect(json['total'] - errorsOnly.json['total']).toBe(warnings.reduce((s, g) => s + g.count, 0) + interrupted);
    expect(json['groups'].find((g: Json) => g['event'] === 'validation_error')?.count).toBe(
      warnings.find((g) => g.event === 'validation_error')?.count,
    );
  });

  it('--strict counts every bad line, per file and per reason, and every line', async () => {
    const { code, json } = await runJson<Json>(['perf', '--dir', gen().dir, '--strict']);
    expect(code).toBe(1);
    const actual = Object.fromEntries(
      json['input']['by_file'].map((f: Json) => [path.basename(f['path']), { lines: f['lines'], skipped: f['reasons'] }]),
    );
    const expected = Object.fromEntries(
      gen()
        .files.filter((f) => !f.name.startsWith('comfyui'))
        .map((f) => [f.name, { lines: f.lines, skipped: f.skipped }]),
    );
    expect(actual).toEqual(expected);
  });
});
