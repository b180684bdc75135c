import { describe, expect, it } from 'vitest';
import { NodeStats } from './node-stats.js';

describe('NodeStats', () => {
  it('summarizes executions per class, most execution time first, and counts cached runs by the class their id last ran as', () => {
    const stats = new NodeStats();
    stats.executed('CheckpointLoaderSimple', '4', 900, true);
    stats.executed('KSampler', '3', 2000, true);
    stats.executed('KSampler', '3', 4000, true);
    stats.cachedNodes(['4', '4']);
    stats.executed('VAEDecode', '8', 100, true);
    const report = NodeStats.merged([stats.toParts()]).report();
    expect(Object.keys(report.nodes)).toEqual(['KSampler', 'CheckpointLoaderSimple', 'VAEDecode']);
    expect(report.nodes['KSampler']).toEqual({ count: 2, cached: 0, avg_ms: 3000, p50_ms: 2000, p95_ms: 4000, max_ms: 4000 });
    expect(report.nodes['CheckpointLoaderSimple']).toMatchObject({ count: 1, cached: 2 });
    expect(report.cache).toEqual({ executed: 4, cached: 2, hit_ratio: 2 / 6, unattributed: 0 });
  });

  it('takes the class of the last execution before the cached line, and leaves ids never seen run unattributed', () => {
    const stats = new NodeStats();
    stats.cachedNodes(['5']);
    stats.executed('EmptyLatentImage', '5', 2, true);
    stats.cachedNodes(['5']);
    stats.executed('LoadImage', '5', 30, true);
    stats.cachedNodes(['5', '99']);
    const report = NodeStats.merged([stats.toParts()]).report();
    expect(report.nodes['EmptyLatentImage']?.cached).toBe(1);
    expect(report.nodes['LoadImage']?.cached).toBe(1);
    expect(report.cache).toEqual({ executed: 2, cached: 4, hit_ratio: 4 / 6, unattributed: 2 });
  });

  it('counts the cached runs a line did not list as unattributed', () => {
    const stats = new NodeStats();
    stats.executed('KSampler', '3', 2000, true);
    stats.cachedNodes(['3'], 61);
    const parts = [stats.toParts(), new NodeStats().toParts()];
    expect(NodeStats.merged(parts).report().cache).toEqual({ executed: 1, cached: 62, hit_ratio: 62 / 63, unattributed: 61 });
  });

  it('learns a class from an execution it does not count (outside the time window)', () => {
    const stats = new NodeStats();
    stats.executed('CheckpointLoaderSimple', '4', 900, false);
    stats.cachedNodes(['4']);
    const report = NodeStats.merged([stats.toParts()]).report();
    expect(report.nodes['CheckpointLoaderSimple']).toEqual({ count: 0, cached: 1, avg_ms: null, p50_ms: null, p95_ms: null, max_ms: null });
    expect(report.cache.executed).toBe(0);
  });

  it('gives the same report from parts merged in input order as from one pass, ids cached before a part ran them included', () => {
    type Step = ['run', string, string, number] | ['cached', string[]] | ['rate', string, number];
    const steps: Step[] = [];
    for (let i = 0; i < 120; i++) {
      steps.push(['cached', i % 3 === 0 ? ['4', '7'] : ['5']]);
      steps.push(['run', i % 2 === 0 ? 'CheckpointLoaderSimple' : 'UNETLoader', '4', 500 + ((i * 37) % 900)]);
      steps.push(['run', 'CLIPTextEncode', '7', 10 + (i % 50)]);
      steps.push(['rate', 'KSampler', 5 + (i % 7) / 4]);
      steps.push(['run', 'EmptyLatentImage', '5', 1 + (i % 3)]);
    }
    const feed = (stats: NodeStats, step: Step) => {
      if (step[0] === 'run') stats.executed(step[1], step[2], step[3], true);
      else if (step[0] === 'cached') stats.cachedNodes(step[1]);
      else stats.rate(step[1], step[2]);
    };
    const whole = new NodeStats();
    for (const step of steps) feed(whole, step);
    const parts = [new NodeStats(), new NodeStats(), new NodeStats()];
    steps.forEach((step, i) => feed(parts[Math.min(2, Math.floor((i * 3) / steps.length))] as NodeStats, step));
    const merged = NodeStats.merged(parts.map((p) => p.toParts())).report();
    expect(merged).toEqual(NodeStats.merged([whole.toParts()]).report());
    expect(merged.cache.unattributed).toBe(2);
  });

  it('summarizes steps per second per class, in name order', () => {
    const stats = new NodeStats();
    for (const rate of [7.5, 6, 8.25, 7]) stats.rate('KSampler', rate);
    stats.rate('KSamplerAdvanced', 3);
    const report = NodeStats.merged([stats.toParts()]).report();
    expect(report.steps_per_s).toEqual({
      KSampler: { count: 4, avg: 7.1875, min: 6, p50: 7, max: 8.25 },
      KSamplerAdvanced: { count: 1, avg: 3, min: 3, p50: 3, max: 3 },
    });
  });

  it('reports nothing, and no ratio, without node events', () => {
    expect(NodeStats.merged([]).report()).toEqual({
      nodes: {},
      cache: { executed: 0, cached: 0, hit_ratio: null, unattributed: 0 },
      steps_per_s: {},
    });
  });
});
