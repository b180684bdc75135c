import { SERVICES, UTC_ZONE, type NormalizedRecord, type TimeZone } from '@logtrace/shared/schema';
import { readComfyuiLog, readComfyuiLogBatches, PROBLEMS_ONLY, type PlainLineFilter } from '../comfyui/read-comfyui-log.js';
import { ComfyuiAttributor } from '../comfyui/attribute-comfyui.js';
import { collectPostAttempts, type RequestAttempts } from '../comfyui/collect-post-attempts.js';
import { describeComfyuiIssue, type ComfyuiIssue } from '../comfyui/describe-comfyui-issue.js';
import type { ComfyuiEntry } from '../comfyui/parse-comfyui-entries.js';
import { recordHost } from '../core/record-host.js';
import {
  ErrorGrouper,
  matchesErrorFilter,
  matchesHostFilter,
  type ErrorFilter,
  type ErrorsReport,
  type MutableGroup,
} from './error-grouper.js';
import { toEvent } from '../core/to-event.js';
import { ALL_TIME } from '../core/time-window.js';
import { FileStats } from '../read/file-stats.js';
import type { InputSet, LogSource } from '../read/list-inputs.js';
import { createLevelPrefilter } from '../read/prefilter.js';
import { scanJsonFileBatches } from '../read/scan-json-file.js';
import { mergeByTime } from '../engine/merge-by-time.js';
import { jsonSources } from '../engine/scan-json-sources.js';
import type { ThreadChoice } from '../engine/scan-pool.js';
import { scanUnits } from '../engine/scan-units.js';
import { errorsJob } from './errors-job.js';
import { readWholeFileIndexed } from '../engine/whole-file-index.js';

/** How `logtrace errors` reads its input. */
export interface ErrorScanOptions {
  /** Examine every line (else only lines whose level may pass the filter are parsed). */
  readonly strict: boolean;
  readonly filter: ErrorFilter;
  /** Keep tracebacks whole (`--full`), not their first MAX_TRACEBACK_LINES lines. */
  readonly full?: boolean | undefined;
  /** Zone of JSON times written without one. */
  readonly timeZone: TimeZone;
  /** Zone of comfyui.log stamps written without one. */
  readonly comfyuiTimeZone: TimeZone;
}

/** What errors found: the groups, and how many unstamped ComfyUI problems a time window left out. */
export interface ErrorScanResult {
  readonly report: ErrorsReport;
  /** Unstamped comfyui.log problems left out because `--since`/`--until` was given. */
  readonly unplaced: number;
  /** Each group's occurrences per minute, by errorGroupKey (ErrorGrouper.minutes). */
  readonly minutes: ReadonlyMap<string, ReadonlyMap<number, number>>;
}

/** One error as `--no-group` prints it: a record's fields, or a ComfyUI problem. */
export interface ErrorItem {
  /** Epoch ms, or NaN for an unstamped ComfyUI line. */
  readonly time: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * Reads every input and groups the errors that pass the filter: the JSON-lines files
 * on every core for a large input, comfyui.log on this thread meanwhile. Groups are
 * merged in input order (JSON-lines files, then comfyui.log), as one pass would.
 * When comfyui.log holds problems that pass the filter, a second pass reads the GPU
 * server's POST /prompt attempts, and, if there are some, comfyui.log is read again,
 * each entry with the request id of the attempt trace attributes it to
 * (docs/comfyui.md "Attributing comfyui.log lines"); without problems nothing more is read.
 */
export async function scanErrors(
  inputs: InputSet,
  options: ErrorScanOptions,
  stats: FileStats[],
  threads: ThreadChoice,
): Promise<ErrorScanResult> {
  const { filter } = options;
  const full = options.full === true;
  const grouper = new ErrorGrouper(filter.window, full);
  const timeZone = options.timeZone === UTC_ZONE ? undefined : options.timeZone.name;
  const comfyuiZone = options.comfyuiTimeZone === UTC_ZONE ? undefined : options.comfyuiTimeZone.name;
  let comfyui = new ErrorGrouper(filter.window, full);
  let comfyuiStats: FileStats[] = [];
  let unplaced = 0;
  let problems = 0;
  const spec = {
    minLevel: filter.minLevel,
    services: filter.services === undefined ? undefined : [...filter.services],
    hosts: filter.hosts === undefined ? undefined : [...filter.hosts],
    window: filter.window,
    strict: options.strict,
    timeZone,
    full,
  };
  // What comfyui.log's groups depend on, for the index: the JSON files' zone does not matter to them.
  const comfyuiSpec = { ...spec, timeZone: comfyuiZone };
  const readComfyui = async () => {
    for (const source of comfyuiSources(inputs)) {
      // Its groups name the directory's host when several are read: kept apart from the same file read alone.
      const keyed = source.host === undefined ? comfyuiSpec : { ...comfyuiSpec, directoryHost: source.host };
      const parts = await readWholeFileIndexed(threads.index, COMFYUI_ERRORS, keyed, source, comfyuiStats, (own) =>
        readComfyuiProblems(source, own, options, undefined),
      );
      comfyui.mergeParts(parts.groups);
      unplaced += parts.unplaced;
      problems += parts.count;
    }
  };
  await scanUnits(inputs, errorsJob, spec, threads, stats, (result) => grouper.mergeParts(result.parts), readComfyui);
  // Request ids for ComfyUI's problems, when there are some: the GPU server's POST attempts, then comfyui.log again.
  if (problems > 0) {
    comfyui = new ErrorGrouper(filter.window, full);
    comfyuiStats = [];
    unplaced = 0;
    // Each directory's comfyui.log is tied only to the POST attempts of its own GPU server (docs/logtrace.md "Several machines").
    const attempts = new Map<string | undefined, RequestAttempts>();
    for (const source of comfyuiSources(inputs)) {
      let requests = attempts.get(source.host);
      if (requests === undefined) {
        requests = await collectPostAttempts(postingInputs(inputs, source.host), threads, timeZone, []);
        attempts.set(source.host, requests);
      }
      const parts = await readComfyuiProblems(source, comfyuiStats, options, requests.attempts.length > 0 ? requests : undefined);
      comfyui.mergeParts(parts.groups);
      unplaced += parts.unplaced;
    }
  }
  grouper.mergeParts(comfyui.toParts());
  stats.push(...comfyuiStats);
  return { report: grouper.report(), unplaced, minutes: grouper.minutes() };
}

/**
 * Reads one comfyui.log source and groups its problems that pass the filter; with
 * `requests`, each with the request id of the POST attempt the attributor ties its entry to.
 */
async function readComfyuiProblems(
  source: LogSource,
  stats: FileStats[],
  options: ErrorScanOptions,
  requests: RequestAttempts | undefined,
): Promise<ComfyuiErrorParts> {
  const { filter } = options;
  const grouper = new ErrorGrouper(filter.window, options.full === true);
  let unplaced = 0;
  let count = 0;
  const attributor = requests === undefined ? undefined : new ComfyuiAttributor(requests.attempts);
  await readComfyuiLog(
    source,
    stats,
    (entry) => {
      const post = attributor?.push(entry).post;
      const issue = describeComfyuiIssue(entry);
      if (issue === undefined) return;
      const item = { level: issue.level, service: 'comfyui', time: entry.time };
      if (!matchesHostFilter(source.host, filter)) return;
      if (matchesErrorFilter(item, filter)) {
        count++;
        const requestId = post === undefined ? undefined : requests?.requestIdOf(post);
        grouper.addIssue(
          issue,
          entry.time,
          entry.lines.map((l) => l.text),
          requestId,
          source.host,
        );
      } else if (entry.time === undefined && matchesErrorFilter(item, { ...filter, window: ALL_TIME })) unplaced++;
    },
    attributor === undefined ? PROBLEMS_ONLY : ATTRIBUTING,
    options.comfyuiTimeZone,
  );
  return { groups: grouper.toParts(), unplaced, count };
}

/** Our services that never log a POST /prompt attempt (only the GPU server does): their files need no search for one. */
const NOT_POSTING: ReadonlySet<string> = new Set(SERVICES.filter((service) => service !== 'gpu_server'));

/** The inputs of one directory (`host`: its label) that may hold the GPU server's POST attempts: its JSON-lines sources but our other services'. */
function postingInputs(inputs: InputSet, host: string | undefined): InputSet {
  return { ...inputs, sources: inputs.sources.filter((s) => s.kind === 'json' && s.host === host && !NOT_POSTING.has(s.service)) };
}

/** Every error that passes the filter, one by one, merged by time across files (for `--no-group`). */
export function streamErrors(inputs: InputSet, options: ErrorScanOptions, stats: FileStats[]): AsyncGenerator<ErrorItem> {
  const streams: AsyncIterable<ErrorItem>[] = jsonSources(inputs).map(({ source }) => jsonErrors(source, options, stats));
  for (const source of comfyuiSources(inputs)) streams.push(comfyuiErrors(source, options, stats));
  return mergeByTime(streams, (item) => item.time);
}

async function* jsonErrors(source: LogSource, options: ErrorScanOptions, stats: FileStats[]): AsyncGenerator<ErrorItem> {
  const prefilter = options.strict ? undefined : createLevelPrefilter(options.filter.minLevel);
  for (const file of source.files) {
    const fileStats = new FileStats(file.path);
    stats.push(fileStats);
    const keep = (record: NormalizedRecord) =>
      matchesErrorFilter(record, options.filter) && matchesHostFilter(recordHost(record.extra, source.host), options.filter);
    const scan = { prefilter, service: source.service, wrapper: source.wrapper, timeZone: options.timeZone };
    for await (const batch of scanJsonFileBatches(file, scan, fileStats, keep)) {
      for (const { record } of batch) yield { time: record.time, fields: toEvent(record, recordHost(record.extra, source.host)) };
    }
  }
}

async function* comfyuiErrors(source: LogSource, options: ErrorScanOptions, stats: FileStats[]): AsyncGenerator<ErrorItem> {
  for await (const batch of readComfyuiLogBatches(source, stats, options.comfyuiTimeZone)) {
    for (const entry of batch) {
      const issue = describeComfyuiIssue(entry);
      if (
        issue !== undefined &&
        matchesHostFilter(source.host, options.filter) &&
        matchesErrorFilter({ level: issue.level, service: 'comfyui', time: entry.time }, options.filter)
      ) {
        yield { time: entry.time ?? Number.NaN, fields: issueFields(issue, entry, source.host) };
      }
    }
  }
}

function issueFields(issue: ComfyuiIssue, entry: ComfyuiEntry, host: string | undefined): Record<string, unknown> {
  return {
    time: entry.time === undefined ? null : new Date(entry.time).toISOString(),
    service: 'comfyui',
    ...(host === undefined ? {} : { host }),
    event: issue.event,
    level: issue.level,
    error_code: issue.type,
    error: issue.message,
    last_frame: issue.lastFrame,
    line: entry.lines[0]?.line ?? 0,
    text: entry.lines.map((l) => l.text).join('\n'),
  };
}

/**
 * Passes over plain lines, as PROBLEMS_ONLY does, but gives the parser stand-ins for
 * `got prompt`, `Prompt executed in` and progress lines: the attributor counts them.
 */
const ATTRIBUTING: PlainLineFilter = Object.freeze({ block: () => undefined, wants: () => false, keepsState: true });

/** What errors takes from one comfyui.log source: its groups and how many unstamped problems the window left out. */
interface ComfyuiErrorParts {
  readonly groups: MutableGroup[];
  readonly unplaced: number;
  /** Problems grouped. */
  readonly count: number;
}

/** The index's kind for comfyui.log's error groups. */
const COMFYUI_ERRORS = 'errors-comfyui';

function comfyuiSources(inputs: InputSet): LogSource[] {
  return inputs.sources.filter((s) => s.kind === 'comfyui');
}
