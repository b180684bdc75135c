import { LEVEL_RANK, normalizeRecord, type NormalizedRecord } from '@logtrace/shared/schema';

/** 1 MiB, as README `## logtrace` documents it. */
const MAX_LINE_BYTES = 1024 * 1024;

/** What the reference made of one file. */
export interface ReferenceFile {
  /** Lines: every `\n`-terminated one plus an unterminated last one. */
  readonly lines: number;
  /** Unusable lines (and unusable objects of glued lines) by reason. */
  readonly reasons: Record<string, number>;
  /** Lines read as several objects written back to back. */
  readonly glued: number;
  /** Objects of those lines beyond one per line. */
  readonly moreObjects: number;
  /** The usable lines' records, in file order. */
  readonly records: readonly NormalizedRecord[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The test's own reading of a JSON-lines file, written from the README's rules and
 * kept apart from logtrace's reader: split on 0x0A; a line over 1 MiB (leading NULs not
 * counted) is `oversized`; one trailing `\r` is dropped, then leading NULs and (first
 * line only) a BOM; nothing left but blanks is `nul_padding` (only NULs were there) or
 * `blank`; invalid UTF-8 is `invalid_utf8`; what JSON.parse rejects is `invalid_json`,
 * or `truncated` for an unterminated last line, unless it is objects glued back to back
 * (gluedObjects): then each is read as a line; normalizeRecord decides, and a time
 * beyond what a Date holds is `no_time`.
 */
export function referenceRead(bytes: Buffer, service: string): ReferenceFile {
  const reasons: Record<string, number> = {};
  const records: NormalizedRecord[] = [];
  const skip = (reason: string) => void (reasons[reason] = (reasons[reason] ?? 0) + 1);
  const read = (value: unknown) => {
    const result = normalizeRecord(value, { defaultService: service });
    if (!result.ok) skip(result.problem);
    // A time no Date can hold (beyond ±8.64e15 ms) is no time.
    else if (Math.abs(result.record.time) > 8.64e15) skip('no_time');
    else records.push(result.record);
  };
  let lines = 0;
  let glued = 0;
  let moreObjects = 0;
  for (let start = 0; start < bytes.length;) {
    const nl = bytes.indexOf(0x0a, start);
    const tail = nl === -1;
    const end = tail ? bytes.length : nl;
    const first = start === 0;
    let line = bytes.subarray(start, end);
    start = end + 1;
    lines++;
    let nuls = 0;
    while (nuls < line.length && line[nuls] === 0) nuls++;
    if (line.length - nuls > MAX_LINE_BYTES) {
      skip('oversized');
      continue;
    }
    if (line.at(-1) === 0x0d) line = line.subarray(0, -1);
    line = line.subarray(Math.min(nuls, line.length));
    if (first && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3);
    if (line.every((c) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0)) {
      skip(nuls > 0 && line.length === 0 ? 'nul_padding' : 'blank');
      continue;
    }
    let text: string;
    try {
      text = utf8.decode(line);
    } catch {
      skip('invalid_utf8');
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const objects = gluedObjects(text);
      if (objects === undefined) {
        skip(tail ? 'truncated' : 'invalid_json');
        continue;
      }
      glued++;
      moreObjects += objects.length - 1;
      for (const object of objects) {
        if (object.unfinished) skip(tail ? 'truncated' : 'invalid_json');
        else if (object.value === NOT_JSON) skip('invalid_json');
        else read(object.value);
      }
      continue;
    }
    read(value);
  }
  return { lines, reasons, glued, moreObjects, records };
}

const NOT_JSON = Symbol('not JSON');

/**
 * A line of objects written back to back, as the README says logtrace reads it (what jq
 * reads): tokens are strings, braces and anything else; each `{` at depth 0 opens an
 * object that its matching `}` closes; only blanks may come between and after them; the
 * last may be unfinished. Undefined unless there are two objects or more and JSON.parse
 * accepts at least one complete one.
 */
function gluedObjects(text: string): { unfinished: boolean; value: unknown }[] | undefined {
  const objects: { unfinished: boolean; value: unknown }[] = [];
  let depth = 0;
  let from = 0;
  for (const match of text.matchAll(/"(?:[^"\\]|\\[^])*"?|[{}]|[ \t\r\n]+|[^"{} \t\r\n]+/g)) {
    const token = match[0];
    const at = match.index;
    if (depth === 0) {
      if (/^[ \t\r\n]+$/.test(token)) continue;
      if (token !== '{') return undefined;
      from = at;
    }
    if (token === '{') depth++;
    else if (token === '}') depth--;
    if (depth === 0) {
      let value: unknown;
      try {
        value = JSON.parse(text.slice(from, at + 1));
      } catch {
        value = NOT_JSON;
      }
      objects.push({ unfinished: false, value });
    }
  }
  if (depth > 0) objects.push({ unfinished: true, value: NOT_JSON });
  if (objects.length < 2 || !objects.some((o) => !o.unfinished && o.value !== NOT_JSON)) return undefined;
  return objects;
}

/** The durations perf reads, by report key: `generation` and each stage (ComfyUI's queue wait and execution from a comfyui_complete with its duration_ms). */
export function referenceDurations(records: readonly NormalizedRecord[]): Record<string, number[]> {
  const out: Record<string, number[]> = {
    generation: [],
    backend_end_to_end: [],
    gpu_round_trip: [],
    image_transfer: [],
    queue_wait: [],
    execution: [],
  };
  const key: Record<string, string> = {
    comfyui_complete: 'generation',
    response_sent: 'backend_end_to_end',
    gpu_response: 'gpu_round_trip',
    image_retrieved: 'image_transfer',
  };
  for (const r of records) {
    const k = r.event === undefined ? undefined : key[r.event];
    if (k !== undefined && r.duration_ms !== undefined) out[k]?.push(r.duration_ms);
    if (r.event !== 'comfyui_complete' || r.duration_ms === undefined) continue;
    if (isNumber(r.extra['queue_wait_ms'])) out['queue_wait']?.push(r.extra['queue_wait_ms']);
    if (isNumber(r.extra['execution_ms'])) out['execution']?.push(r.extra['execution_ms']);
  }
  return out;
}

/** What perf reports of ComfyUI's nodes, read from records in input order (README `perf`). */
export interface ReferenceNodes {
  readonly nodes: Record<
    string,
    { count: number; cached: number; avg_ms: number | null; p50_ms: number | null; p95_ms: number | null; max_ms: number | null }
  >;
  readonly cache: { executed: number; cached: number; hit_ratio: number | null; unattributed: number };
  readonly steps_per_s: Record<string, { count: number; avg: number | null; min: number | null; p50: number | null; max: number | null }>;
}

/**
 * The reference's node statistics: a comfyui_node_executed with a string class_type and
 * a number duration_ms is one execution of its class (and tells its node_id's class); each
 * string of a comfyui_nodes_cached's node_ids is a cached run of the class its id last
 * executed as before it, or unattributed, and so is each of its `count` beyond those
 * (with a node_ids array); a comfyui_progress at its max (value = max) with a string
 * node_id and class_type and a number steps_per_s is one rate. Plain sort, nearest rank.
 */
export function referenceNodes(records: readonly NormalizedRecord[]): ReferenceNodes {
  const durations = new Map<string, number[]>();
  const cached = new Map<string, number>();
  const rates = new Map<string, number[]>();
  const classOf = new Map<string, string>();
  let unattributed = 0;
  for (const r of records) {
    const x = r.extra;
    if (r.event === 'comfyui_node_executed' && typeof x['class_type'] === 'string' && r.duration_ms !== undefined) {
      durations.set(x['class_type'], [...(durations.get(x['class_type']) ?? []), r.duration_ms]);
      if (typeof x['node_id'] === 'string') classOf.set(x['node_id'], x['class_type']);
    } else if (r.event === 'comfyui_nodes_cached' && Array.isArray(x['node_ids'])) {
      const ids = x['node_ids'].filter((id): id is string => typeof id === 'string');
      for (const id of ids) {
        const c = classOf.get(id);
        if (c === undefined) unattributed++;
        else cached.set(c, (cached.get(c) ?? 0) + 1);
      }
      const count = x['count'];
      if (typeof count === 'number' && Number.isSafeInteger(count) && count > ids.length) unattributed += count - ids.length;
    } else if (
      r.event === 'comfyui_progress' &&
      typeof x['node_id'] === 'string' &&
      typeof x['class_type'] === 'string' &&
      isNumber(x['steps_per_s']) &&
      isNumber(x['value']) &&
      x['value'] === x['max']
    ) {
      rates.set(x['class_type'], [...(rates.get(x['class_type']) ?? []), x['steps_per_s']]);
    }
  }
  const rank = (sorted: number[], p: number) =>
    sorted.length === 0 ? null : (sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] ?? null);
  const nodes: ReferenceNodes['nodes'] = {};
  for (const c of new Set([...durations.keys(), ...cached.keys()])) {
    const values = durations.get(c) ?? [];
    const sorted = [...values].sort((a, b) => a - b);
    nodes[c] = {
      count: values.length,
      cached: cached.get(c) ?? 0,
      avg_ms: values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length,
      p50_ms: rank(sorted, 50),
      p95_ms: rank(sorted, 95),
      max_ms: sorted.at(-1) ?? null,
    };
  }
  const steps: ReferenceNodes['steps_per_s'] = {};
  for (const [c, values] of rates) {
    const sorted = [...values].sort((a, b) => a - b);
    steps[c] = {
      count: values.length,
      avg: values.reduce((a, b) => a + b, 0) / values.length,
      min: sorted[0] ?? null,
      p50: rank(sorted, 50),
      max: sorted.at(-1) ?? null,
    };
  }
  const executed = [...durations.values()].reduce((n, v) => n + v.length, 0);
  const cachedRuns = [...cached.values()].reduce((n, v) => n + v, 0) + unattributed;
  return {
    nodes,
    cache: {
      executed,
      cached: cachedRuns,
      hit_ratio: executed + cachedRuns === 0 ? null : cachedRuns / (executed + cachedRuns),
      unattributed,
    },
    steps_per_s: steps,
  };
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Errors at ERROR or above counted by `service/event/error_code`. */
export function referenceErrorCounts(records: readonly NormalizedRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) {
    if (LEVEL_RANK[r.level] < LEVEL_RANK.ERROR) continue;
    const k = `${r.service}/${r.event ?? null}/${r.error_code ?? null}`;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
