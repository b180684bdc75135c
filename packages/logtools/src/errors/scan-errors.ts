import type { NormalizedRecord } from '@logtrace/shared/schema';
import { readComfyuiLog, readComfyuiLogBatches, PROBLEMS_ONLY } from '../comfyui/read-comfyui-log.js';
import { describeComfyuiIssue, type ComfyuiIssue } from '../comfyui/describe-comfyui-issue.js';
import type { ComfyuiEntry } from '../comfyui/parse-comfyui-entries.js';
import { ErrorGrouper, matchesErrorFilter, type ErrorFilter, type ErrorsReport, type MutableGroup } from './error-grouper.js';
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
 */
export async function scanErrors(
  inputs: InputSet,
  options: ErrorScanOptions,
  stats: FileStats[],
  threads: ThreadChoice,
): Promise<ErrorScanResult> {
  const { filter } = options;
  const grouper = new ErrorGrouper(filter.window);
  const comfyui = new ErrorGrouper(filter.window);
  const comfyuiStats: FileStats[] = [];
  let unplaced = 0;
  const spec = {
    minLevel: filter.minLevel,
    services: filter.services === undefined ? undefined : [...filter.services],
    window: filter.window,
    strict: options.strict,
  };
  const readSource = async (source: LogSource, sourceStats: FileStats[]): Promise<ComfyuiErrorParts> => {
    const own = new ErrorGrouper(filter.window);
    let skippedByWindow = 0;
    await readComfyuiLog(
      source,
      sourceStats,
      (entry) => {
        const issue = describeComfyuiIssue(entry);
        if (issue === undefined) return;
        const item = { level: issue.level, service: 'comfyui', time: entry.time };
        if (matchesErrorFilter(item, filter))
          own.addIssue(
            issue,
            entry.time,
            entry.lines.map((l) => l.text),
          );
        else if (entry.time === undefined && matchesErrorFilter(item, { ...filter, window: ALL_TIME })) skippedByWindow++;
      },
      PROBLEMS_ONLY,
    );
    return { groups: own.toParts(), unplaced: skippedByWindow };
  };
  const readComfyui = async () => {
    for (const source of comfyuiSources(inputs)) {
      const parts = await readWholeFileIndexed(threads.index, COMFYUI_ERRORS, spec, source, comfyuiStats, (own) => readSource(source, own));
      comfyui.mergeParts(parts.groups);
      unplaced += parts.unplaced;
    }
  };
  await scanUnits(inputs, errorsJob, spec, threads, stats, (result) => grouper.mergeParts(result.parts), readComfyui);
  grouper.mergeParts(comfyui.toParts());
  stats.push(...comfyuiStats);
  return { report: grouper.report(), unplaced, minutes: grouper.minutes() };
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
    const keep = (record: NormalizedRecord) => matchesErrorFilter(record, options.filter);
    for await (const batch of scanJsonFileBatches(file, { prefilter, service: source.service, wrapper: source.wrapper }, fileStats, keep)) {
      for (const { record } of batch) yield { time: record.time, fields: toEvent(record) };
    }
  }
}

async function* comfyuiErrors(source: LogSource, options: ErrorScanOptions, stats: FileStats[]): AsyncGenerator<ErrorItem> {
  for await (const batch of readComfyuiLogBatches(source, stats)) {
    for (const entry of batch) {
      const issue = describeComfyuiIssue(entry);
      if (issue !== undefined && matchesErrorFilter({ level: issue.level, service: 'comfyui', time: entry.time }, options.filter)) {
        yield { time: entry.time ?? Number.NaN, fields: issueFields(issue, entry) };
      }
    }
  }
}

function issueFields(issue: ComfyuiIssue, entry: ComfyuiEntry): Record<string, unknown> {
  return {
    time: entry.time === undefined ? null : new Date(entry.time).toISOString(),
    service: 'comfyui',
    event: issue.event,
    level: issue.level,
    error_code: issue.type,
    error: issue.message,
    last_frame: issue.lastFrame,
    line: entry.lines[0]?.line ?? 0,
    text: entry.lines.map((l) => l.text).join('\n'),
  };
}

/** What errors takes from one comfyui.log source: its groups and how many unstamped problems the window left out. */
interface ComfyuiErrorParts {
  readonly groups: MutableGroup[];
  readonly unplaced: number;
}

/** The index's kind for comfyui.log's error groups. */
const COMFYUI_ERRORS = 'errors-comfyui';

function comfyuiSources(inputs: InputSet): LogSource[] {
  return inputs.sources.filter((s) => s.kind === 'comfyui');
}
