import type { CliIo } from '../cli/cli-io.js';
import { withInputs, type CommandContext } from '../cli/command-context.js';
import type { ParsedArgs } from '../cli/command-spec.js';
import type { ThreadChoice } from '../engine/scan-pool.js';
import { computeErrors, errorsHandler, type ErrorsJson } from '../errors/errors-handler.js';
import { UsageError } from '../logtrace-error.js';
import { firstErrorMinute, slotWindow, windowBounds, type ViewWindow, type WindowBounds } from './view-window.js';
import { computePerf, perfHandler, type PerfJson } from '../perf/perf-handler.js';
import { closeInputs, listInputs, type InputSet } from '../read/list-inputs.js';
import { computeTrace, traceHandler, type TraceJson } from '../trace/trace-handler.js';
import { latestRecordTime } from './data-clock.js';
import { groupSparklines, histogram, type HistogramBin } from './overview-charts.js';
import { checkTraceId, readQuery, type QueryValues } from './view-query.js';

/** Bars of the generation-time histogram. */
const HISTOGRAM_BINS = 40;

/** Requests waiting for the scanner beyond this are refused (503), so work stays bounded. */
const MAX_WAITING = 8;

/** Results kept for unchanged logs (a repeated view is served without reading them again). */
const CACHE_ENTRIES = 32;

/** Where a loader reads and how much one request may ask for. */
export interface ViewLoaderOptions {
  /** The log directories (one per machine). */
  readonly dir: readonly string[];
  readonly files?: readonly string[] | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** The longest window a request may cover, ms. */
  readonly maxWindowMs: number;
  readonly threads: ThreadChoice;
  /** Current time, epoch ms, when the logs hold no time. */
  readonly now: () => number;
}

/** What the overview page draws: perf's (`--slow 0 --top 20`) and errors' `--json` documents over the window plus the charts' series. */
export interface OverviewView {
  readonly window: ViewWindow;
  /** perf's `--json` document without its per-bucket table (the series below replace it). */
  readonly perf: Omit<PerfJson, 'buckets'>;
  readonly errors: ErrorsJson;
  /** Per slot: start (epoch ms), completed generations, errors, generation p50 and p95 (null when none), ms. */
  readonly series: {
    readonly start: readonly number[];
    readonly generations: readonly number[];
    readonly errors: readonly number[];
    readonly p50_ms: readonly (number | null)[];
    readonly p95_ms: readonly (number | null)[];
  };
  readonly histogram: readonly HistogramBin[];
  /** Per error group (in `errors.groups` order): occurrences per slot. */
  readonly sparklines: readonly (readonly number[])[];
}

/** What the errors page draws: errors' `--json` document over the window and a sparkline per group. */
export interface ErrorsView {
  readonly window: ViewWindow;
  readonly errors: ErrorsJson;
  readonly sparklines: readonly (readonly number[])[];
}

/**
 * Computes what the server's pages and /api endpoints show, each through the same
 * functions as the CLI's `--json` (computePerf, computeErrors, computeTrace) with
 * the query read as the command line would be: one scan at a time, results cached
 * while the files stay the same.
 */
export class ViewLoader {
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private readonly cache = new Map<string, { readonly signature: string; readonly value: unknown }>();

  constructor(private readonly options: ViewLoaderOptions) {}

  /** `logtrace perf --json` with the query's since, until, slow, top and bucket. */
  perf(query: QueryValues): Promise<PerfJson> {
    const q = readQuery(query, ['since', 'until', 'slow', 'top', 'bucket']);
    const top = q['top'] === undefined ? undefined : wholeNumber(String(q['top']), 'top');
    return this.scan('perf', q, async (clock) => {
      const { args } = this.windowArgs(q, clock);
      const prepared = perfHandler.prepare({ ...q, ...args, top });
      return this.withContext(args, clock, async (ctx) => (await computePerf(ctx, prepared)).json);
    });
  }

  /** `logtrace errors --json` with the query's since, until, level and service (repeatable). */
  errors(query: QueryValues): Promise<ErrorsJson> {
    return this.errorsView(query).then((v) => v.errors);
  }

  /** `logtrace trace ID --json` (any id or unique prefix; all of the logs). */
  trace(id: string, query: QueryValues): Promise<TraceJson> {
    readQuery(query, []);
    const checked = checkTraceId(id);
    const prepared = traceHandler.prepare({ id: checked });
    return this.scan('trace', { id: checked }, (clock) => this.withContext({}, clock, (ctx) => computeTrace(ctx, prepared.id)));
  }

  /** The overview page's data (OverviewView) for the query's since and until. */
  overview(query: QueryValues): Promise<OverviewView> {
    const q = readQuery(query, ['since', 'until']);
    return this.scan('overview', q, async (clock) => {
      const { bounds, args } = this.windowArgs(q, clock);
      // Minute buckets, gathered into the chart's slots once the span of the data is known.
      return this.withContext(args, clock, async (ctx) => {
        // One after the other: the scanning threads take one job at a time.
        // slow 0: the slowest generations whatever their time, so a fast system still lists its slowest.
        const perf = await computePerf(ctx, perfHandler.prepare({ ...args, bucket: '1m', top: 20, slow: '0' }));
        const errors = await computeErrors(ctx, errorsHandler.prepare(args));
        const generations = perf.accumulator.generationSeries(60_000);
        const firstMinute = Math.min(generations[0]?.start ?? Infinity, firstErrorMinute(errors.minutes));
        const window = slotWindow(bounds, firstMinute);
        const sparklines = groupSparklines(errors.json.groups, errors.minutes, window.start, window.slot_ms, window.slots);
        const bySlot = new Map(perf.accumulator.generationSeries(window.slot_ms).map((row) => [row.start, row]));
        const start = Array.from({ length: window.slots }, (_, i) => window.start + i * window.slot_ms);
        const rows = start.map((s) => bySlot.get(s));
        const { buckets: _minutes, ...perfJson } = perf.json;
        return {
          window,
          perf: perfJson,
          errors: errors.json,
          series: {
            start,
            generations: rows.map((r) => r?.count ?? 0),
            errors: start.map((_, i) => sparklines.reduce((sum, line) => sum + (line[i] ?? 0), 0)),
            p50_ms: rows.map((r) => r?.p50_ms ?? null),
            p95_ms: rows.map((r) => r?.p95_ms ?? null),
          },
          histogram: histogram(perf.accumulator.generationTimes(), HISTOGRAM_BINS),
          sparklines,
        } satisfies OverviewView;
      });
    });
  }

  /** The errors page's data (ErrorsView): the query's since, until, level and service. */
  errorsView(query: QueryValues): Promise<ErrorsView> {
    const q = readQuery(query, ['since', 'until', 'level', 'service'], ['service']);
    return this.scan('errors', q, async (clock) => {
      const { bounds, args } = this.windowArgs(q, clock);
      return this.withContext(args, clock, async (ctx) => {
        const errors = await computeErrors(ctx, errorsHandler.prepare({ ...q, ...args }));
        const window = slotWindow(bounds, firstErrorMinute(errors.minutes));
        const sparklines = groupSparklines(errors.json.groups, errors.minutes, window.start, window.slot_ms, window.slots);
        return { window, errors: errors.json, sparklines } satisfies ErrorsView;
      });
    });
  }

  /** The window of a query (windowBounds) and the arguments a command takes for it. */
  private windowArgs(q: Readonly<Record<string, unknown>>, clock: number): { bounds: WindowBounds; args: ParsedArgs } {
    const text = (name: string) => (typeof q[name] === 'string' ? q[name] : undefined);
    const bounds = windowBounds(text('since'), text('until'), clock, this.options.maxWindowMs);
    const since = new Date(bounds.since).toISOString();
    return { bounds, args: bounds.until === undefined ? { since } : { since, until: new Date(bounds.until).toISOString() } };
  }

  /** Runs `body` with the inputs open, as a command does (same CommandContext). */
  private withContext<T>(args: ParsedArgs, clock: number, body: (ctx: CommandContext) => Promise<T>): Promise<T> {
    const io: CliIo = {
      stdout: { write: () => undefined },
      stderr: { write: () => undefined },
      env: {},
      cwd: this.options.cwd,
      now: () => clock,
    };
    const inputArgs = {
      ...args,
      dir: this.options.dir,
      ...(this.options.files === undefined ? {} : { file: this.options.files }),
      json: true,
    };
    return withInputs(inputArgs, io, this.options.threads, body);
  }

  /**
   * Answers from the cache when the same view of the same files was computed before
   * (without waiting for a running scan), else runs the scan after the others
   * (bounded: refused when too many wait).
   */
  private async scan<T>(kind: string, query: Readonly<Record<string, unknown>>, body: (clock: number) => Promise<T>): Promise<T> {
    const key = `${kind} ${JSON.stringify(query)}`;
    const cachedNow = await this.cached<T>(key);
    if (cachedNow !== undefined) return cachedNow.value;
    if (this.waiting >= MAX_WAITING) throw new BusyError();
    this.waiting++;
    const turn = this.queue.then(async () => {
      // Looked at again: the scan before this one may have computed it, or the files changed.
      const { clock, signature } = await this.look();
      const cached = this.cache.get(key);
      if (cached !== undefined && cached.signature === signature) return cached.value as T;
      const value = await body(clock);
      this.cache.delete(key);
      this.cache.set(key, { signature, value });
      if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value ?? '');
      return value;
    });
    this.queue = turn.catch(() => undefined);
    try {
      return await turn;
    } finally {
      this.waiting--;
    }
  }

  /** The cached value of a view when the files are still those it was computed from. */
  private async cached<T>(key: string): Promise<{ readonly value: T } | undefined> {
    const cached = this.cache.get(key);
    if (cached === undefined) return undefined;
    const { signature } = await this.look();
    return cached.signature === signature ? { value: cached.value as T } : undefined;
  }

  /** The data's latest record time and a signature of the files (paths and sizes) as they are now. */
  private async look(): Promise<{ clock: number; signature: string }> {
    const inputs = await listInputs({ dir: this.options.dir, files: this.options.files });
    try {
      return { clock: latestRecordTime(inputs) ?? this.options.now(), signature: signatureOf(inputs) };
    } finally {
      closeInputs(inputs);
    }
  }

  /** A signature of the files (paths and sizes) as they are now: it changes when a log grows, rotates or appears. */
  async signature(): Promise<string> {
    const inputs = await listInputs({ dir: this.options.dir, files: this.options.files });
    try {
      return signatureOf(inputs);
    } finally {
      closeInputs(inputs);
    }
  }
}

function signatureOf(inputs: InputSet): string {
  return inputs.sources.flatMap((s) => s.files.map((f) => `${f.path}:${f.size ?? ''}`)).join('\n');
}

/** Too many requests wait for the scanner (HTTP 503). */
export class BusyError extends Error {
  constructor() {
    super(`busy: ${MAX_WAITING} requests are already waiting for the logs to be read; try again shortly`);
  }
}

function wholeNumber(text: string, name: string): number {
  if (!/^\d{1,6}$/.test(text)) throw new UsageError(`${name}: expected a whole number, got "${text.slice(0, 40)}"`);
  return Number(text);
}
