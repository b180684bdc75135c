import { EVENT, ID_FIELDS, POST_ATTEMPT_EVENTS } from '@logtrace/shared/schema';
import { UTC_ZONE, type NormalizedRecord, type TimeZone } from '@logtrace/shared/schema';
import { ComfyuiAttributor, postAttemptOf } from '../comfyui/attribute-comfyui.js';
import { PostAttemptList, type PostAttemptArrays } from '../comfyui/post-attempt-list.js';
import type { ComfyuiEntry } from '../comfyui/parse-comfyui-entries.js';
import { readComfyuiLog, type PlainLineFilter } from '../comfyui/read-comfyui-log.js';
import { recordKey, stitchTrace, type LocatedRecord, type PlacedComfyuiEntry, type TraceReport } from './stitch-trace.js';
import { isInWindow, type TimeWindow } from '../core/time-window.js';
import { AmbiguousIdError, NotFoundError } from '../logtrace-error.js';
import type { FileStats } from '../read/file-stats.js';
import type { InputSet, LogSource } from '../read/list-inputs.js';
import { decodeJsonLine } from '../read/decode-json-line.js';
import { inputOrder } from '../engine/scan-json-sources.js';
import type { ScanUnit } from '../engine/plan-units.js';
import type { ThreadChoice } from '../engine/scan-pool.js';
import { scanUnits } from '../engine/scan-units.js';
import { ALIAS_FIELDS, LOOKUP_FIELDS, lookupValue, type LookupField } from './lookup-fields.js';
import { recordHost } from '../core/record-host.js';
import { traceJob, type TraceParts } from './trace-job.js';
import { placeComfyuiIndexed } from './place-comfyui-indexed.js';

/** Shortest id prefix `trace` accepts. */
export const MIN_ID_PREFIX = 8;

/** Search passes at most (each is one read of the JSON-lines files). */
const MAX_PASSES = 6;

/** How `logtrace trace` reads its input. */
export interface TraceSearchOptions {
  readonly strict: boolean;
  readonly window: TimeWindow;
  readonly threads: ThreadChoice;
  /** Zone of JSON times written without one (default UTC). */
  readonly timeZone?: TimeZone | undefined;
  /** Zone of comfyui.log stamps written without one (default UTC). */
  readonly comfyuiTimeZone?: TimeZone | undefined;
}

/**
 * Finds everything logged about one request, from its request_id, generation_id or
 * prompt_id (or a unique prefix), following the links transitively across files:
 * pass 1 searches the raw bytes for the id (and, when comfyui.log is present, for
 * the GPU server's POST /prompt events, to count them); each further pass searches
 * for the ids discovered in the previous one, until none is new. comfyui.log is then
 * read once and its entries attributed to the trace's POST attempts.
 * Throws NotFoundError for an unknown id, AmbiguousIdError for a prefix shared by
 * several traces.
 */
export async function findTrace(inputs: InputSet, rawId: string, options: TraceSearchOptions, stats: FileStats[]): Promise<TraceReport> {
  const id = /^[0-9a-f-]+$/i.test(rawId) ? rawId.toLowerCase() : rawId;
  const hasComfyui = inputs.sources.some((s) => s.kind === 'comfyui');
  const hits = new Map<string, LocatedRecord>();
  // Each id found (one entry per id and request: a client's id may have been reused).
  const matched = new Map<string, IdMatch>();
  // POST attempts by directory: a comfyui.log is attributed only to its own machine's GPU server.
  const postParts = new Map<string, { arrays: PostAttemptArrays; orderBase: number }[]>();
  const dequeued = new Set<string>();
  const needles = hasComfyui ? [id, ...POST_ATTEMPT_EVENTS] : [id];
  const zone = options.timeZone === UTC_ZONE ? undefined : options.timeZone;
  const spec = { needles, idPrefix: id, posts: hasComfyui, strict: options.strict, timeZone: zone?.name };
  await scanUnits(inputs, traceJob, spec, options.threads, stats, (result, unit, offset) => {
    const parts = result.parts;
    forEachLine(parts, unit, offset, zone, (located) => {
      const { record, order } = located;
      for (const field of LOOKUP_FIELDS) {
        const value = lookupValue(record, field);
        if (value === undefined || !value.startsWith(id)) continue;
        hits.set(recordKey(order, located.part), located);
        const anchor = record.request_id ?? value;
        const key = `${value}\0${anchor}`;
        if (!matched.has(key)) matched.set(key, { id: value, field, time: record.time, service: record.service, anchor });
      }
    });
    const dir = dirKey(inputs.sources[unit.source]?.dir);
    postParts.set(dir, [...(postParts.get(dir) ?? []), { arrays: parts.posts, orderBase: inputOrder(unit, offset) }]);
    for (const promptId of parts.dequeued) dequeued.add(promptId);
  });
  const posts = new Map([...postParts].map(([dir, list]) => [dir, PostAttemptList.concat(list)]));
  for (const list of posts.values()) list.markDequeued(dequeued);
  const seeds = resolveId(id, matched);
  // comfyui.log is read while the workers follow the links, with the records found so
  // far; a link pass that adds records (rare: every line of a request names its
  // request_id) makes it read again with the final ones.
  let early: { size: number; stats: FileStats[]; placed: PlacedComfyuiEntry[] } | undefined;
  const readEarly = async (found: ReadonlyMap<string, LocatedRecord>) => {
    const comfyuiStats: FileStats[] = [];
    // The index is used when there is one comfyui.log: its placement depends on its own directory's POST attempts only.
    const sole = inputs.sources.filter((s) => s.kind === 'comfyui');
    const solePosts = sole.length === 1 ? posts.get(dirKey(sole[0]?.dir)) : undefined;
    const given = {
      records: found,
      posts: solePosts ?? new PostAttemptList(),
      dequeued,
      window: options.window,
      strict: options.strict,
      comfyuiZone: options.comfyuiTimeZone?.name ?? 'UTC',
    };
    const place = (own: FileStats[]) => attributeComfyui(inputs, found, posts, options, own);
    const placed = hasComfyui ? await placeComfyuiIndexed(inputs, options.threads.index, given, comfyuiStats, place) : [];
    early = { size: found.size, stats: comfyuiStats, placed };
  };
  const records = await followLinks(inputs, seeds, id, hits, options.threads, zone, readEarly);
  const inWindow = [...records.values()].filter((l) => isInWindow(l.record.time, options.window));
  if (inWindow.length === 0) throw new NotFoundError(`no events of "${rawId}" between --since and --until`);
  if (early?.size !== records.size) await readEarly(records);
  const { placed: comfyui, stats: comfyuiStats } = early ?? { placed: [], stats: [] };
  stats.push(...comfyuiStats);
  return stitchTrace(rawId, inWindow, comfyui);
}

/** Decodes the lines a trace unit kept and calls `visit` with each record, its input order key, its part of a glued line and host. */
function forEachLine(
  parts: TraceParts,
  unit: ScanUnit,
  offset: number,
  timeZone: TimeZone | undefined,
  visit: (located: LocatedRecord) => void,
): void {
  for (const { line, part, bytes } of parts.lines) {
    const lineNo = offset + line;
    const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const decoded = decodeJsonLine(raw, 0, raw.length, { service: unit.service, first: lineNo === 1 && part === 0, tail: false, timeZone });
    if (decoded.ok)
      visit({ record: decoded.record, order: inputOrder(unit, lineNo), part, host: recordHost(decoded.record.extra, unit.host) });
  }
}

/** The key of a source's directory ('' for files given with --file). */
function dirKey(dir: string | undefined): string {
  return dir ?? '';
}

/** An id found on a line: the field, where it was first seen, and the request it belongs to. */
interface IdMatch {
  readonly id: string;
  readonly field: LookupField;
  readonly time: number;
  readonly service: string;
  /** The line's request_id (else the id itself). */
  readonly anchor: string;
}

/**
 * The ids to follow for `id`: itself when some record carries it as a linking id, else
 * those the prefix matched — one request's, or AmbiguousIdError listing them. A
 * client_request_id or trace_id stands for the request_id beside it; shared by several requests,
 * it is ambiguous like a shared prefix, and the candidates are their request ids.
 */
function resolveId(id: string, matched: ReadonlyMap<string, IdMatch>): string[] {
  const matches = [...matched.values()];
  if (matches.length === 0) {
    throw new NotFoundError(`no request_id, generation_id, prompt_id, client_request_id or trace_id starting with "${id}" in the logs`);
  }
  if (matches.some((m) => m.id === id && !ALIAS_FIELDS.has(m.field))) return [id];
  const anchors = new Set(matches.map((m) => m.anchor));
  if (anchors.size > 1) {
    const candidates = matches
      .map((m) =>
        ALIAS_FIELDS.has(m.field)
          ? { id: m.anchor, field: 'request_id', time: m.time, service: m.service }
          : { id: m.id, field: m.field, time: m.time, service: m.service },
      )
      .filter((c, i, all) => all.findIndex((o) => o.id === c.id) === i)
      .sort((a, b) => a.time - b.time);
    throw new AmbiguousIdError(id, candidates);
  }
  return [...new Set(matches.map((m) => (ALIAS_FIELDS.has(m.field) ? m.anchor : m.id)))];
}

/**
 * Grows the set of ids and records until no record links to a new id. `alongside`
 * runs on this thread, with the records pass 1 gave, while the workers do pass 2 (or
 * right away when there is none).
 */
async function followLinks(
  inputs: InputSet,
  seeds: readonly string[],
  searched: string,
  hits: ReadonlyMap<string, LocatedRecord>,
  threads: ThreadChoice,
  timeZone: TimeZone | undefined,
  alongside: (records: ReadonlyMap<string, LocatedRecord>) => Promise<void>,
): Promise<Map<string, LocatedRecord>> {
  const known = new Set(seeds);
  const records = new Map<string, LocatedRecord>();
  // A seed pass 1 did not search for (the request_id beside a client_request_id or trace_id) is searched next.
  const pending: string[] = seeds.filter((seed) => !seed.startsWith(searched));
  const take = (located: LocatedRecord): boolean => {
    const { record, order, part } = located;
    const key = recordKey(order, part);
    if (records.has(key) || !ID_FIELDS.some((f) => record[f] !== undefined && known.has(record[f]))) return false;
    records.set(key, located);
    for (const f of ID_FIELDS) {
      const value = record[f];
      if (value !== undefined && !known.has(value)) {
        known.add(value);
        pending.push(value);
      }
    }
    return true;
  };
  // Pass 1 found every line holding a seed; links among those lines need no new read.
  for (let changed = true; changed;) {
    changed = false;
    for (const located of hits.values()) changed = take(located) || changed;
  }
  const early = new Map(records);
  if (pending.length === 0) await alongside(early);
  for (let pass = 2; pending.length > 0 && pass <= MAX_PASSES; pass++) {
    const spec = { needles: pending.splice(0), idPrefix: undefined, posts: false, strict: false, timeZone: timeZone?.name };
    const first = pass === 2 ? () => alongside(early) : undefined;
    const merge = (result: { parts: TraceParts }, unit: ScanUnit, offset: number) =>
      forEachLine(result.parts, unit, offset, timeZone, take);
    await scanUnits(inputs, traceJob, spec, threads, [], merge, first);
  }
  return records;
}

/**
 * The comfyui.log entries of the trace: each directory's comfyui.log is attributed
 * only to the POST attempts logged in that directory (one machine's ComfyUI serves
 * its own GPU server).
 */
async function attributeComfyui(
  inputs: InputSet,
  records: ReadonlyMap<string, LocatedRecord>,
  posts: ReadonlyMap<string, PostAttemptList>,
  options: TraceSearchOptions,
  stats: FileStats[],
): Promise<PlacedComfyuiEntry[]> {
  const placed: PlacedComfyuiEntry[] = [];
  const comfyuiSources = inputs.sources.filter((s) => s.kind === 'comfyui');
  for (const dir of new Set(comfyuiSources.map((s) => dirKey(s.dir)))) {
    const sources = comfyuiSources.filter((s) => dirKey(s.dir) === dir);
    placed.push(...(await attributeDirectory(sources, records, posts.get(dir) ?? new PostAttemptList(), options, stats)));
  }
  return placed;
}

async function attributeDirectory(
  sources: readonly LogSource[],
  records: ReadonlyMap<string, LocatedRecord>,
  posts: PostAttemptList,
  options: TraceSearchOptions,
  stats: FileStats[],
): Promise<PlacedComfyuiEntry[]> {
  const window = options.window;
  posts.sort();
  const ours = new Map<number, { post: number; worker: number }>();
  const all = [...records.values()].map((l) => l.record);
  // A POST attempt is known by its line's order key: on a glued line, the line's first
  // record that is an attempt (two attempts glued on one line share their key).
  const postRecords = new Map<number, NormalizedRecord>();
  for (const { record, order } of records.values()) {
    const seen = postRecords.get(order);
    if (seen === undefined || (postAttemptOf(seen) === undefined && postAttemptOf(record) !== undefined)) postRecords.set(order, record);
  }
  const lastTime = Math.max(...all.map((r) => r.time));
  for (let index = 0; index < posts.length; index++) {
    const record = postRecords.get(posts.orderOf(index));
    if (record === undefined) continue;
    const postTime = posts.time(index);
    const done = all.find(
      (r) =>
        r.generation_id === record.generation_id &&
        r.time >= postTime &&
        (r.event === EVENT.comfyui_complete || (r.event === EVENT.error_comfyui && r.prompt_id !== undefined)),
    );
    ours.set(index, { post: postTime, worker: done?.time ?? lastTime + 1 });
  }
  const promptIds = [...new Set(all.map((r) => r.prompt_id).filter((p): p is string => p !== undefined))];
  if (ours.size === 0 && promptIds.length === 0) return [];
  const attributor = new ComfyuiAttributor(posts);
  const placed: PlacedComfyuiEntry[] = [];
  const keep = (entry: ComfyuiEntry) => entry.time === undefined || isInWindow(entry.time, window);
  const needed = ourLines(promptIds, () => {
    const head = attributor.head();
    return head !== undefined && ours.has(head);
  });
  for (const source of sources) {
    const host = source.host;
    await readComfyuiLog(
      source,
      stats,
      (entry) => {
        const attributed = attributor.push(entry);
        if (!keep(entry)) return;
        const anchor = attributed.post === undefined ? undefined : ours.get(attributed.post);
        if (anchor !== undefined && attributed.attribution !== undefined) {
          const placeAt = entry.time ?? (entry.side === 'post' ? anchor.post : anchor.worker);
          placed.push({ entry, attribution: attributed.attribution, placeAt, host });
        } else if (promptIds.some((p) => entry.lines.some((l) => l.text.includes(p)))) {
          placed.push({ entry, attribution: 'id', placeAt: entry.time ?? lastTime + 1, host });
        }
      },
      needed,
      options.comfyuiTimeZone,
    );
  }
  return placed;
}

/**
 * Which comfyui.log lines a trace needs as written: those read while one of its
 * prompts is at the head of the queue (`headIsOurs`), and those holding one of its
 * prompt ids. Others only drive the attribution, so stand-ins do.
 */
function ourLines(promptIds: readonly string[], headIsOurs: () => boolean): PlainLineFilter {
  const needles = promptIds.map((p) => Buffer.from(p));
  let hits: number[] = [];
  let next = 0;
  return {
    keepsState: true,
    block(bytes, start, end) {
      hits = [];
      next = 0;
      for (const needle of needles) {
        for (let at = bytes.indexOf(needle, start); at !== -1 && at < end; at = bytes.indexOf(needle, at + 1)) hits.push(at);
      }
      hits.sort((a, b) => a - b);
    },
    wants(_bytes, lineStart, end) {
      if (headIsOurs()) return true;
      while (next < hits.length && (hits[next] ?? 0) < lineStart) next++;
      return next < hits.length && (hits[next] ?? Infinity) < end;
    },
  };
}
