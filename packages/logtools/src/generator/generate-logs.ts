import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Level } from '@logtrace/shared/schema';
import { STARTUP_BANNER } from './comfyui-text.js';
import { createRandom } from './create-random.js';
import { ExpectedAnswers, type ExpectedErrorGroup, type ExpectedPerf, type ExpectedRequest } from './expected-answers.js';
import { formatRecord, type LogEvent, type ProducerStyle } from './format-record.js';
import { LogSink, type Damage, type FileReport } from './log-sink.js';
import type { ComfyuiState, Scenario } from './scenarios.js';
import { simulateRequest } from './simulate-request.js';
import { TimedQueue } from './timed-queue.js';
import { lifecycleEvent, PIDS, telegramEvents } from './service-events.js';

/** Options of generateLogs. */
export interface GenerateOptions {
  /** Directory to write (created; existing files with the same names are replaced). */
  readonly dir: string;
  readonly seed?: number;
  /** Number of requests; ignored when `targetBytes` is set. Default 200. */
  readonly requests?: number;
  /** Keep generating until about this many bytes are written (the benchmark's mode). */
  readonly targetBytes?: number;
  /** Prefix comfyui.log lines with the line stamper's time (default true). */
  readonly stamped?: boolean;
  /** Producer style per JSON-lines file; `mixed` picks one per line. Default `ours`. */
  readonly style?: ProducerStyle | 'mixed' | { readonly backend?: ProducerStyle | 'mixed'; readonly gpu_server?: ProducerStyle | 'mixed' };
  /** Damage JSON-lines files (bad lines of every kind, BOM, CRLF, NUL run, oversized line, torn tail). Default true. */
  readonly corrupt?: boolean;
  /** One bad line per this many good ones (default 400). */
  readonly corruptEvery?: number;
  /** Split each JSON-lines log into `x.log.2.gz`, `x.log.1`, `x.log` (needs `requests`). */
  readonly rotate?: boolean;
  /** Also write `telegram_bot.log` (pino style, no service field: named by its file). Default true. */
  readonly extraService?: boolean;
  /** Mean time between requests, ms (default 12000; requests overlap). */
  readonly meanGapMs?: number;
  /** Epoch ms of the first request. */
  readonly startTime?: number;
  /** Stop writing 1 s after the last request arrives, so it is still running (default true). */
  readonly cutLast?: boolean;
  /** Keep each request's events for `expected.requests` (default: true unless targetBytes is set). */
  readonly keepRequests?: boolean;
  /**
   * The GPU server reads ComfyUI's websocket and logs queue waits, nodes, progress,
   * stalls and lost connections (default true); false writes the logs of a GPU server
   * that only polls, the same requests without those events.
   */
  readonly websocket?: boolean;
  /**
   * Write the logs of this many machines (2 or more) into `dir/host-1` … `dir/host-N`:
   * host-1 runs the backend (and the bot) and every host a GPU server with its own
   * ComfyUI; the backend sends the requests to the GPU servers in turn. host-1's lines
   * name their host (`hostname`, as our services write it), the other hosts' lines do
   * not unless pino-style (pino writes `hostname`): their directory names the host.
   */
  readonly hosts?: number;
}

/** One machine of a multi-host generation and the answers logtrace must give for its records (`--by host`, `--host`). */
export interface GeneratedHost {
  /** `host-1`, `host-2`, …: the directory's name and the hostname its records name. */
  readonly name: string;
  readonly dir: string;
  readonly expected: {
    perf(slowMs?: number, top?: number, bucketMs?: number): ExpectedPerf;
    readonly errors: readonly ExpectedErrorGroup[];
    readonly comfyui: readonly { event: string; type: string | null; level: Level; count: number }[];
  };
}

/** What was written and the answers logtrace must give for it. */
export interface GeneratedLogs {
  readonly dir: string;
  /** Each file written; in a multi-host generation its name is `host-N/<file>`. */
  readonly files: readonly FileReport[];
  /** The machines of a multi-host generation (`hosts`); empty otherwise. */
  readonly hosts: readonly GeneratedHost[];
  readonly requestCount: number;
  /** Bytes written, all files. */
  readonly bytes: number;
  readonly startTime: number;
  readonly endTime: number;
  readonly expected: {
    perf(slowMs?: number, top?: number, bucketMs?: number): ExpectedPerf;
    readonly errors: readonly ExpectedErrorGroup[];
    readonly comfyui: readonly { event: string; type: string | null; level: Level; count: number }[];
    readonly requests: readonly ExpectedRequest[];
  };
}

interface Queued {
  readonly channel: string;
  /** Index of the machine whose log it goes to. */
  readonly host: number;
  /** What to write; undefined for a ComfyUI problem marker. */
  readonly line: string | undefined;
  readonly request: number;
  readonly event?: LogEvent;
  readonly template?: string | undefined;
  readonly text?: string;
  readonly issue?: { event: string; type: string | null; level: Level };
}

/**
 * Every scenario, for the first requests: the hung prompt early, while the requests
 * after it do not need ComfyUI's worker (so it starts at once and is seen stalling),
 * the slowest last.
 */
const FIRST_SCENARIOS: readonly Scenario[] = [
  'ok',
  'polling_timeout',
  'validation_error',
  'gpu_unreachable',
  'workflow_error',
  'comfyui_unreachable',
  'comfyui_invalid',
  'comfyui_500',
  'execution_error',
  'interrupted',
  'ok',
  'ws_lost',
  'backend_timeout',
  'slow',
  'short_deadline',
];

/**
 * Simulates the backend, the GPU server and ComfyUI (single worker, FIFO queue)
 * serving overlapping requests of every outcome, and writes their logs to a
 * directory: backend.log and gpu_server.log (in the chosen producer styles, damaged
 * with every kind of bad line unless told not to), comfyui.log (stamped or not), and
 * telegram_bot.log (with `hosts`, one directory per machine: see
 * GenerateOptions.hosts). Streams: memory holds only the requests in flight. Returns the
 * expected answers, computed from the simulation itself (and each machine's).
 */
export function generateLogs(options: GenerateOptions): GeneratedLogs {
  const rng = createRandom(options.seed ?? 1);
  const stamped = options.stamped ?? true;
  const startTime = options.startTime ?? Date.UTC(2026, 10, 28, 4, 0, 0);
  const requests = options.targetBytes === undefined ? (options.requests ?? 200) : Infinity;
  const expected = new ExpectedAnswers(options.keepRequests ?? options.targetBytes === undefined);
  const hostCount = Math.max(1, Math.floor(options.hosts ?? 1));
  const multi = hostCount > 1;
  const hostNames = multi ? Array.from({ length: hostCount }, (_, i) => `host-${i + 1}`) : [];
  const hostDirs = multi ? hostNames.map((name) => path.join(options.dir, name)) : [options.dir];
  const hostExpected = hostNames.map(() => new ExpectedAnswers(false));
  for (const dir of hostDirs) mkdirSync(dir, { recursive: true });
  const damage: Damage | undefined =
    options.corrupt === false
      ? undefined
      : { corruptEvery: options.corruptEvery ?? 400, oversized: true, quirks: true, truncatedTail: true };
  // host-1 (index 0) runs the backend and the bot; every host runs a GPU server and its ComfyUI.
  const sinks = new Map<string, LogSink>();
  const sinkKey = (host: number, channel: string) => `${host}\0${channel}`;
  hostDirs.forEach((dir, host) => {
    if (host === 0) sinks.set(sinkKey(0, 'backend'), new LogSink(dir, 'backend', damage, rng));
    sinks.set(sinkKey(host, 'gpu_server'), new LogSink(dir, 'gpu_server', damage, rng));
    sinks.set(sinkKey(host, 'comfyui'), new LogSink(dir, 'comfyui', undefined, rng));
  });
  if (options.extraService !== false)
    sinks.set(sinkKey(0, 'telegram_bot'), new LogSink(hostDirs[0] as string, 'telegram_bot', undefined, rng));
  const styleOf = (channel: string): ProducerStyle | 'mixed' => {
    const style = options.style ?? 'ours';
    return typeof style === 'string' ? style : (style[channel as 'backend' | 'gpu_server'] ?? 'ours');
  };
  const queue = new TimedQueue<Queued>();
  const pushEvent = (channel: string, event: LogEvent, request: number, host: number, template?: string) => {
    const style = styleOf(channel);
    const chosen = channel === 'telegram_bot' ? 'pino' : style === 'mixed' ? rng.pick(['ours', 'python', 'pino'] as const) : style;
    // pino always writes a hostname; our services' lines name theirs on host-1 only, so the other hosts are named by their directory.
    const hostname = multi && (chosen === 'pino' || host === 0) ? hostNames[host] : undefined;
    const line = formatRecord(chosen, event, PIDS[channel] ?? 1, channel === 'telegram_bot', hostname);
    queue.push(event.time, { channel, host, line, request, event, template });
  };
  const pushComfyui = (time: number, raw: string, text: string, request: number, host: number) => {
    queue.push(time, { channel: 'comfyui', host, line: stamped ? `${new Date(time).toISOString()} ${raw}` : raw, request, text });
  };
  let written = 0;
  const flushBefore = (limit: number) => {
    for (const { item } of queue.popBefore(limit)) {
      if (item.line !== undefined) {
        (sinks.get(sinkKey(item.host, item.channel)) as LogSink).write(item.line);
        written += item.line.length + 1;
      }
      const own = hostExpected[item.host];
      if (item.event !== undefined) {
        expected.wroteEvent(item.request, item.event, item.template);
        own?.wroteEvent(-1, item.event, item.template);
      }
      if (item.text !== undefined && item.request >= 0) expected.wroteComfyuiLine(item.request, item.text);
      if (item.issue !== undefined) {
        expected.wroteComfyuiIssue(item.issue.event, item.issue.type, item.issue.level);
        own?.wroteComfyuiIssue(item.issue.event, item.issue.type, item.issue.level);
      }
    }
  };

  hostDirs.forEach((_, host) => STARTUP_BANNER.forEach((line) => pushComfyui(startTime - 10_000, line, line, -1, host)));
  pushEvent('backend', lifecycleEvent('backend', startTime - 5000), -1, 0);
  hostDirs.forEach((_, host) => pushEvent('gpu_server', lifecycleEvent('gpu_server', startTime - 5000), -1, host));
  if (sinks.has(sinkKey(0, 'telegram_bot'))) pushEvent('telegram_bot', lifecycleEvent('telegram_bot', startTime - 5000), -1, 0);
  const comfyuis: ComfyuiState[] = hostDirs.map(() => ({
    workerFreeAt: startTime,
    lastPost: 0,
    counter: 0,
    websocket: options.websocket ?? true,
  }));
  const rotateAt = options.rotate === true && Number.isFinite(requests) ? [Math.floor(requests / 3), Math.floor((2 * requests) / 3)] : [];
  let t = startTime;
  let lastArrival = t;
  let count = 0;
  while (count < requests && (options.targetBytes === undefined || written < options.targetBytes)) {
    if (rotateAt.includes(count)) {
      flushBefore(t);
      for (const [key, sink] of sinks) if (!key.endsWith('\0comfyui')) sink.rotate();
    }
    // The first requests go through every scenario once, so even a small directory has each outcome.
    // The last one is still running when the logs end (see cutLast).
    const last = count === requests - 1 && options.cutLast !== false;
    // The backend sends the requests to the GPU servers in turn.
    const gpuHost = count % hostCount;
    const sim = simulateRequest(t, rng, comfyuis[gpuHost] as ComfyuiState, FIRST_SCENARIOS[count] ?? (last ? 'ok' : undefined));
    lastArrival = t;
    const index = expected.addRequest(sim);
    for (const e of sim.events) {
      pushEvent(e.channel, e.event, e.detached === true ? -1 : index, e.channel === 'backend' ? 0 : gpuHost, e.template);
    }
    for (const line of sim.comfyui) pushComfyui(line.time, line.raw, line.text, index, gpuHost);
    for (const issue of sim.issues) queue.push(issue.time, { channel: 'comfyui', host: gpuHost, line: undefined, request: index, issue });
    if (sinks.has(sinkKey(0, 'telegram_bot')) && count % 25 === 12)
      telegramEvents(t, rng, count).forEach((e) => pushEvent('telegram_bot', e, -1, 0, e.level === 'ERROR' ? 'retry_after' : undefined));
    count++;
    const next = t + Math.max(1, Math.round(rng.exponential(options.meanGapMs ?? 12_000)));
    if (count < requests) flushBefore(next);
    t = next;
  }
  const endTime = options.cutLast === false ? Infinity : lastArrival + 1000;
  flushBefore(endTime + 1);
  const files = [...sinks].flatMap(([key, sink]) => {
    const host = hostNames[Number(key.split('\0')[0])];
    return sink.close().map((f) => (host === undefined ? f : { ...f, name: `${host}/${f.name}` }));
  });
  const requestList = expected.requests();
  return {
    dir: options.dir,
    files,
    hosts: hostNames.map((name, i) => {
      const own = hostExpected[i] as ExpectedAnswers;
      return {
        name,
        dir: hostDirs[i] as string,
        expected: {
          perf: (slowMs, top, bucketMs) => own.perf(slowMs, top, bucketMs),
          errors: own.errorGroups(),
          comfyui: own.comfyuiGroups(),
        },
      };
    }),
    requestCount: count,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    startTime,
    endTime,
    expected: {
      perf: (slowMs, top, bucketMs) => expected.perf(slowMs, top, bucketMs),
      errors: expected.errorGroups(),
      comfyui: expected.comfyuiGroups(),
      requests: requestList,
    },
  };
}
