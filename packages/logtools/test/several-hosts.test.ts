import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExpectedErrorGroup } from '../src/generator/expected-answers.js';
import type { GeneratedLogs } from '../src/generator/generate-logs.js';
import { useGeneratedDirs, type Variant } from './generated-dirs.js';
import { runCli, runJson, type Json } from './run-cli.js';

// Three machines: the backend on host-1, a GPU server and its ComfyUI on each; host-1's
// lines name their host (hostname), the others' are named by their directory (or by
// pino's hostname in the pino variant).
const VARIANTS: readonly Variant[] = [
  { name: 'our format, stamped comfyui.log', options: { seed: 41, requests: 90, hosts: 3 } },
  {
    name: 'pino style, unstamped comfyui.log, rotated',
    options: { seed: 42, requests: 90, hosts: 3, style: 'pino', stamped: false, rotate: true },
  },
];

const generated = useGeneratedDirs(VARIANTS);

/** `--dir` for each host of a generation. */
function dirArgs(gen: GeneratedLogs): string[] {
  return gen.hosts.flatMap((h) => ['--dir', h.dir]);
}

/** Error groups counted by service/event/error_code (a key may hold several masked messages). */
function countsByKey(groups: readonly { service: string; event: string | null; error_code: string | null; count: number }[]) {
  const map = new Map<string, number>();
  for (const g of groups)
    map.set(`${g.service}/${g.event}/${g.error_code}`, (map.get(`${g.service}/${g.event}/${g.error_code}`) ?? 0) + g.count);
  return Object.fromEntries([...map.entries()].sort());
}

/** What `errors` must count for a generation's (or one host's) expected answers, at ERROR and above. */
function expectedErrors(expected: {
  errors: readonly ExpectedErrorGroup[];
  comfyui: readonly { event: string; type: string | null; level: string; count: number }[];
}) {
  return [
    ...expected.errors.filter((g) => g.level !== 'WARN'),
    ...expected.comfyui
      .filter((c) => c.level === 'ERROR')
      .map((c) => ({ service: 'comfyui', event: c.event, error_code: c.type, count: c.count })),
  ];
}

describe.each(VARIANTS)('several machines read together: $name', (variant) => {
  const gen = () => generated(variant.name);

  it('perf over all directories equals the whole simulation, and --by host each machine', async () => {
    const g = gen();
    const { code, json } = await runJson<Json>(['perf', ...dirArgs(g), '--by', 'host']);
    expect(code).toBe(0);
    const all = g.expected.perf();
    expect(json['generation']).toEqual(all.generation);
    expect(json['stages']).toEqual(all.stages);
    expect(json['by_host'].map((h: Json) => h['host'])).toEqual(['host-1', 'host-2', 'host-3']);
    for (const host of g.hosts) {
      const own = host.expected.perf();
      const report = json['by_host'].find((h: Json) => h['host'] === host.name);
      expect(report['generation'], host.name).toEqual(own.generation);
      expect(report['stages'], host.name).toEqual(own.stages);
      expect(report['slow'], host.name).toEqual(own.slow);
      expect(report['nodes'], host.name).toEqual(own.nodes);
      expect(report['cache'], host.name).toEqual(own.cache);
      expect(own.generation.count).toBeGreaterThan(10);
    }
    // The backend runs on host-1 only: its end-to-end times are all there.
    expect(json['by_host'][0]['stages']['backend_end_to_end']).toEqual(all.stages.backend_end_to_end);
    expect(json['by_host'][1]['stages']['backend_end_to_end']['count']).toBe(0);
    const wrong = await runCli(['perf', ...dirArgs(g), '--by', 'nodes']);
    expect([wrong.code, wrong.stderr.split('\n')[0]]).toEqual([2, 'logtrace: --by: expected host, got "nodes"']);
    const text = await runCli(['perf', ...dirArgs(g), '--by', 'host']);
    expect(text.stdout).toMatch(/By host\n.*host.*count[^\n]*\nhost-1 +generation \(ComfyUI\) +\d+/);
  });

  it('errors --host counts each machine exactly, and every group names the hosts it occurred on', async () => {
    const g = gen();
    const { json } = await runJson<Json>(['errors', ...dirArgs(g)]);
    expect(countsByKey(json['groups'])).toEqual(countsByKey(expectedErrors(g.expected)));
    for (const host of g.hosts) {
      const own = await runJson<Json>(['errors', ...dirArgs(g), '--host', host.name]);
      expect(countsByKey(own.json['groups']), host.name).toEqual(countsByKey(expectedErrors(host.expected)));
      expect(own.json['groups'].every((group: Json) => group['hosts'].join() === host.name)).toBe(true);
    }
    // The backend's GPU errors are on host-1; each GPU server's ComfyUI failures on its own host.
    const gpuResponse = json['groups'].find((group: Json) => group['event'] === 'gpu_response');
    expect(gpuResponse['hosts']).toEqual(['host-1']);
    const comfyuiErrors = json['groups'].filter((group: Json) => group['service'] === 'gpu_server');
    expect(new Set(comfyuiErrors.flatMap((group: Json) => group['hosts']))).toEqual(new Set(['host-1', 'host-2', 'host-3']));
    const none = await runJson<Json>(['errors', ...dirArgs(g), '--host', 'elsewhere']);
    expect(none.code).toBe(1);
    expect(none.json['total']).toBe(0);
    const text = await runCli(['errors', ...dirArgs(g)]);
    expect(text.stdout).toMatch(/\n {8}hosts host-1\n/);
    expect(text.stdout).toMatch(/\n {8}hosts (host-\d )*host-2/);
  });

  it('traces a request across the backend on host-1 and the GPU server and ComfyUI of another host', async () => {
    const g = gen();
    // Requests go to the GPU servers in turn: the second one ran on host-2, the third on host-3.
    const requests = g.expected.requests.filter((r, i) => i % 3 !== 0 && r.comfyui.length > 0 && r.outcome === 'ok').slice(0, 6);
    expect(requests.length).toBe(6);
    for (const request of requests) {
      const { code, json } = await runJson<Json>(['trace', request.request_id, ...dirArgs(g)]);
      expect(code).toBe(0);
      const gpuHost = `host-${(g.expected.requests.indexOf(request) % 3) + 1}`;
      expect(json['events'].map((e: Json) => [e['time'], e['service'], e['host'], e['event']])).toEqual(
        request.events.map((e) => [new Date(e.time).toISOString(), e.service, e.service === 'backend' ? 'host-1' : gpuHost, e.event]),
      );
      // comfyui.log lines come from that host's ComfyUI only, attributed to its own GPU server's POSTs.
      expect(json['comfyui'].flatMap((c: Json) => String(c['text']).split('\n'))).toEqual(request.comfyui);
      expect(new Set(json['comfyui'].map((c: Json) => c['host']))).toEqual(new Set([gpuHost]));
    }
    const shown = await runCli(['trace', requests[0]?.request_id ?? '', ...dirArgs(g)]);
    expect(shown.stdout).toMatch(/service +host +level +event/);
    expect(shown.stdout).toMatch(/backend +host-1 +INFO +generate_request/);
  });

  it('attributes every request’s comfyui.log lines within its own machine', async () => {
    const g = gen();
    const sample = g.expected.requests.filter((r) => r.comfyui.length > 0).slice(0, 24);
    for (const request of sample) {
      const { json } = await runJson<Json>(['trace', request.request_id, ...dirArgs(g)]);
      expect(
        json['comfyui'].flatMap((c: Json) => String(c['text']).split('\n')),
        request.request_id,
      ).toEqual(request.comfyui);
    }
  });

  it('LOGTRACE_DIR holds the directories separated by ":" (empty parts ignored); files of the same name stay apart', async () => {
    const g = gen();
    const env = { LOGTRACE_DIR: `:${g.hosts.map((h) => h.dir).join('::')}:` };
    const fromEnv = await runCli(['perf', '--json', '--strict'], { env });
    const fromFlags = await runJson<Json>(['perf', ...dirArgs(g), '--strict']);
    expect(JSON.parse(fromEnv.stdout)).toEqual(fromFlags.json);
    const files = fromFlags.json['input']['by_file'].map((f: Json) => path.relative(g.dir, f['path']));
    expect(files.filter((f: string) => path.basename(f) === 'gpu_server.log')).toEqual([
      'host-1/gpu_server.log',
      'host-2/gpu_server.log',
      'host-3/gpu_server.log',
    ]);
    const expected = Object.fromEntries(
      g.files.filter((f) => !f.name.includes('comfyui')).map((f) => [f.name, { lines: f.lines, skipped: f.skipped }]),
    );
    const actual = Object.fromEntries(
      fromFlags.json['input']['by_file'].map((f: Json) => [
        files[fromFlags.json['input']['by_file'].indexOf(f)],
        { lines: f['lines'], skipped: f['reasons'] },
      ]),
    );
    expect(actual).toEqual(expected);
  });

  it('stops on a missing directory, naming it, and reads a machine without logs beside the others', async () => {
    const g = gen();
    const missing = path.join(g.dir, 'host-9');
    const result = await runCli(['perf', ...dirArgs(g), '--dir', missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot read log directory ${missing}: no such file or directory`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const empty = await runCli(['perf', '--dir', g.hosts[0]?.dir ?? '', '--dir', g.dir, '--json']);
    expect(empty.code).toBe(0);
    const noted = await runCli(['perf', '--dir', g.hosts[0]?.dir ?? '', '--dir', g.dir]);
    expect(noted.stderr).toContain(`logtrace: ignored ${g.dir} (no log files: looked for *.log, *.log.N, *.log.gz)`);
    expect(JSON.parse(empty.stdout)['input']['ignored']).toEqual([
      { path: g.dir, reason: 'no log files: looked for *.log, *.log.N, *.log.gz' },
    ]);
  });

  it('the scan cache keeps a file read among several directories apart from the same file read alone', async () => {
    const g = gen();
    const cache = await mkdtemp(path.join(tmpdir(), 'logtrace-hosts-cache-'));
    try {
      const env = { LOGTRACE_CACHE_DIR: cache };
      const alone = g.hosts[1]?.dir ?? '';
      for (const command of [['errors'], ['perf', '--by', 'host'], ['trace', g.expected.requests[1]?.request_id ?? '']]) {
        const uncached = await runJson<Json>([...command, ...dirArgs(g)]);
        await runCli([...command, '--dir', alone, '--json'], { env });
        const first = await runCli([...command, ...dirArgs(g), '--json'], { env });
        const again = await runCli([...command, ...dirArgs(g), '--json'], { env });
        const { input: _a, ...expected } = uncached.json;
        for (const run of [first, again]) {
          const { input: _b, ...actual } = JSON.parse(run.stdout) as Json;
          expect(actual, command[0]).toEqual(expected);
        }
      }
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
});
