import { LEVEL_RANK, formatTime, type Level, type NormalizedRecord } from '@logtrace/shared/schema';
import type { ComfyuiIssue } from '../comfyui/describe-comfyui-issue.js';
import { describeRecordError } from './describe-record-error.js';
import { maskMessage } from './mask-message.js';
import { ALL_TIME, isBounded, isInWindow, type TimeWindow } from '../core/time-window.js';

/** Sample request ids kept per group. */
export const MAX_SAMPLE_IDS = 5;
/** Traceback lines kept per group (unless told to keep them whole: `errors --full`). */
export const MAX_TRACEBACK_LINES = 60;

/** One group of `logtrace errors` (its `--json` shape). */
export interface ErrorGroup {
  readonly service: string;
  readonly event: string | null;
  readonly error_code: string | null;
  /** The message with ids, numbers and paths masked: the group key. */
  readonly message: string;
  readonly count: number;
  /** ISO time of the first and last occurrence; null when no occurrence had a time (unstamped comfyui.log). */
  readonly first_time: string | null;
  readonly last_time: string | null;
  /** Up to MAX_SAMPLE_IDS request ids, first seen first. */
  readonly request_ids: readonly string[];
  /** The hosts it occurred on (recordHost), by name; empty when the logs name none. */
  readonly hosts: readonly string[];
  /** The most severe level in the group. */
  readonly level: Level;
  /** Exceptions (ComfyUI's, tracebacks and error objects in JSON lines): where it was raised. */
  readonly last_frame: string | null;
  /** The first occurrence's message as written. */
  readonly sample: string;
  /** The first occurrence's traceback or stack (ComfyUI: its entry's lines, validation reports too). */
  readonly traceback: readonly string[] | null;
}

/** What `logtrace errors` reports (without `input`). */
export interface ErrorsReport {
  /** Number of errors (the sum of the group counts). */
  readonly total: number;
  /** Most frequent first. */
  readonly groups: readonly ErrorGroup[];
}

/** Which records count as errors. */
export interface ErrorFilter {
  readonly minLevel: Level;
  /** Only these services (all when undefined). */
  readonly services: ReadonlySet<string> | undefined;
  /** Only records on these hosts (all when undefined); a record of no known host matches none. */
  readonly hosts?: ReadonlySet<string> | undefined;
  readonly window: TimeWindow;
}

/** True when a host passes the filter's `--host`. */
export function matchesHostFilter(host: string | undefined, filter: ErrorFilter): boolean {
  return filter.hosts === undefined || (host !== undefined && filter.hosts.has(host));
}

/** True when a record (or ComfyUI issue) passes the filter; a missing time passes only an open window. */
export function matchesErrorFilter(
  item: { readonly level: Level; readonly service: string; readonly time: number | undefined },
  filter: ErrorFilter,
): boolean {
  if (LEVEL_RANK[item.level] < LEVEL_RANK[filter.minLevel]) return false;
  if (filter.services !== undefined && !filter.services.has(item.service)) return false;
  if (item.time === undefined) return !isBounded(filter.window);
  return isInWindow(item.time, filter.window);
}

/** The fields of a record that errors groups by (a NormalizedRecord has them all). */
export type ErrorFields = Pick<
  NormalizedRecord,
  'service' | 'event' | 'error_code' | 'error' | 'error_type' | 'stack' | 'msg' | 'level' | 'time' | 'request_id'
> & { readonly host?: string | undefined };

/** One group while counting; also the plain data an ErrorGrouper's parts are made of. */
export interface MutableGroup {
  service: string;
  event: string | null;
  error_code: string | null;
  message: string;
  count: number;
  first: number | undefined;
  last: number | undefined;
  requestIds: string[];
  hosts: string[];
  level: Level;
  lastFrame: string | null;
  sample: string;
  traceback: readonly string[] | null;
  /** Occurrences per minute: epoch ms of the minute's start → count (for `logtrace serve`'s sparklines; not in the JSON). */
  minutes: Map<number, number>;
}

/** Width of the time slots a group counts its occurrences in, ms. */
export const GROUP_MINUTE_MS = 60_000;

/** One error to group. */
interface Occurrence {
  readonly service: string;
  readonly event: string | null;
  readonly errorCode: string | null;
  readonly message: string;
  readonly level: Level;
  readonly time: number | undefined;
  readonly requestId: string | undefined;
  readonly host: string | undefined;
  readonly lastFrame: string | null;
  readonly traceback: readonly string[] | null;
}

/**
 * Groups errors by (service, event, error_code, masked message) and counts them, with
 * first and last seen and sample request ids. Records are grouped by their `error`
 * field (else `msg`); ComfyUI issues by exception type or ComfyUI error type and
 * message. Memory grows with the number of groups, not of errors.
 */
export class ErrorGrouper {
  private readonly groups = new Map<string, MutableGroup>();
  private readonly window: TimeWindow;
  private readonly tracebackLines: number;

  /** `wholeTracebacks`: keep every line of a traceback, not the first MAX_TRACEBACK_LINES. */
  constructor(window: TimeWindow = ALL_TIME, wholeTracebacks = false) {
    this.window = window;
    this.tracebackLines = wholeTracebacks ? Infinity : MAX_TRACEBACK_LINES;
  }

  /**
   * Counts one log record (the caller has checked its level and service). A record
   * with an error object or traceback is grouped by the exception's type (when it has
   * no error_code), message and last frame, and keeps the first traceback.
   */
  addRecord(record: ErrorFields): void {
    const exception = record.stack === undefined && record.error_type === undefined ? undefined : describeRecordError(record);
    this.add({
      service: record.service,
      event: record.event ?? null,
      errorCode: record.error_code ?? exception?.type ?? null,
      message: exception?.message ?? record.error ?? record.msg,
      level: record.level,
      time: record.time,
      requestId: record.request_id,
      host: record.host,
      lastFrame: exception?.lastFrame ?? null,
      traceback: exception?.traceback?.slice(0, this.tracebackLines) ?? null,
    });
  }

  /** Counts one ComfyUI issue; `lines` are its entry's lines, `host` its comfyui.log's. */
  addIssue(issue: ComfyuiIssue, time: number | undefined, lines: readonly string[], requestId?: string, host?: string): void {
    this.add({
      service: 'comfyui',
      event: issue.event,
      errorCode: issue.type,
      message: issue.message,
      level: issue.level,
      time,
      requestId,
      host,
      lastFrame: issue.lastFrame,
      traceback: lines.slice(0, this.tracebackLines),
    });
  }

  /** The groups as plain data, in first-seen order (see mergeParts). */
  toParts(): MutableGroup[] {
    return [...this.groups.values()];
  }

  /** Adds the groups of another grouper (same window), from its toParts(); merge in input order. */
  mergeParts(parts: readonly MutableGroup[]): void {
    for (const other of parts) {
      const key = groupKey(other.service, other.event, other.error_code, other.message, other.lastFrame);
      const group = this.groups.get(key);
      if (group === undefined) {
        this.groups.set(key, { ...other, requestIds: [...other.requestIds], hosts: [...other.hosts], minutes: new Map(other.minutes) });
        continue;
      }
      for (const host of other.hosts) if (!group.hosts.includes(host)) group.hosts.push(host);
      for (const [minute, n] of other.minutes) group.minutes.set(minute, (group.minutes.get(minute) ?? 0) + n);
      group.count += other.count;
      if (other.first !== undefined && (group.first === undefined || other.first < group.first)) group.first = other.first;
      if (other.last !== undefined && (group.last === undefined || other.last > group.last)) group.last = other.last;
      for (const id of other.requestIds) addSampleId(group, id);
      if (LEVEL_RANK[other.level] > LEVEL_RANK[group.level]) group.level = other.level;
    }
  }

  /** Each group's occurrences per minute (epoch ms → count), by errorGroupKey of its reported group. */
  minutes(): ReadonlyMap<string, ReadonlyMap<number, number>> {
    return new Map([...this.groups.entries()].map(([key, g]) => [key, g.minutes]));
  }

  /** The groups, most frequent first (then most recent). */
  report(): ErrorsReport {
    let total = 0;
    const groups = [...this.groups.values()].map((g): ErrorGroup => {
      total += g.count;
      return {
        service: g.service,
        event: g.event,
        error_code: g.error_code,
        message: g.message,
        count: g.count,
        first_time: g.first === undefined ? null : formatTime(g.first),
        last_time: g.last === undefined ? null : formatTime(g.last),
        request_ids: [...g.requestIds],
        hosts: [...g.hosts].sort(),
        level: g.level,
        last_frame: g.lastFrame,
        sample: g.sample,
        traceback: g.traceback,
      };
    });
    groups.sort((a, b) => b.count - a.count || (b.last_time ?? '').localeCompare(a.last_time ?? '') || a.message.localeCompare(b.message));
    return { total, groups };
  }

  private add(o: Occurrence): void {
    if (o.time !== undefined && !isInWindow(o.time, this.window)) return;
    const message = maskMessage(o.message);
    const key = groupKey(o.service, o.event, o.errorCode, message, o.lastFrame);
    let group = this.groups.get(key);
    if (group === undefined) {
      group = {
        service: o.service,
        event: o.event,
        error_code: o.errorCode,
        message,
        count: 0,
        first: undefined,
        last: undefined,
        requestIds: [],
        hosts: [],
        level: o.level,
        lastFrame: o.lastFrame,
        sample: o.message,
        traceback: o.traceback,
        minutes: new Map(),
      };
      this.groups.set(key, group);
    }
    group.count++;
    if (o.time !== undefined) {
      if (group.first === undefined || o.time < group.first) group.first = o.time;
      if (group.last === undefined || o.time > group.last) group.last = o.time;
      const minute = Math.floor(o.time / GROUP_MINUTE_MS) * GROUP_MINUTE_MS;
      group.minutes.set(minute, (group.minutes.get(minute) ?? 0) + 1);
    }
    if (o.requestId !== undefined) addSampleId(group, o.requestId);
    if (o.host !== undefined && !group.hosts.includes(o.host)) group.hosts.push(o.host);
    if (LEVEL_RANK[o.level] > LEVEL_RANK[group.level]) group.level = o.level;
  }
}

/** The key a reported group is found under in ErrorGrouper.minutes(). */
export function errorGroupKey(group: ErrorGroup): string {
  return groupKey(group.service, group.event, group.error_code, group.message, group.last_frame);
}

function groupKey(service: string, event: string | null, errorCode: string | null, message: string, lastFrame: string | null): string {
  return [service, event ?? '', errorCode ?? '', message, lastFrame ?? ''].join('\0');
}

/** Keeps a request id as a sample of the group: the first MAX_SAMPLE_IDS distinct ones. */
function addSampleId(group: MutableGroup, id: string): void {
  if (group.requestIds.length < MAX_SAMPLE_IDS && !group.requestIds.includes(id)) group.requestIds.push(id);
}
