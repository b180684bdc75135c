import { LEVEL_RANK, normalizeRecord, type NormalizedRecord } from '@logtrace/shared/schema';

/** 1 MiB, as README `## logtrace` documents it. */
const MAX_LINE_BYTES = 1024 * 1024;

/** What the reference made of one file. */
export interface ReferenceFile {
  /** Lines: every `\n`-terminated one plus an unterminated last one. */
  readonly lines: number;
  /** Unusable lines by reason. */
  readonly reasons: Record<string, number>;
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
 * or `truncated` for an unterminated last line; then normalizeRecord decides, and a
 * time beyond what a Date holds is `no_time`.
 */
export function referenceRead(bytes: Buffer, service: string): ReferenceFile {
  const reasons: Record<string, number> = {};
  const records: NormalizedRecord[] = [];
  const skip = (reason: string) => void (reasons[reason] = (reasons[reason] ?? 0) + 1);
  let lines = 0;
  for (let start = 0; start < bytes.length; ) {
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
      skip(tail ? 'truncated' : 'invalid_json');
      continue;
    }
    const result = normalizeRecord(value, { defaultService: service });
    if (!result.ok) skip(result.problem);
    // A time no Date can hold (beyond ±8.64e15 ms) is no time.
    else if (Math.abs(result.record.time) > 8.64e15) skip('no_time');
    else records.push(result.record);
  }
  return { lines, reasons, records };
}

/** The durations perf reads, by report key: `generation` and each stage. */
export function referenceDurations(records: readonly NormalizedRecord[]): Record<string, number[]> {
  const out: Record<string, number[]> = { generation: [], backend_end_to_end: [], gpu_round_trip: [], image_transfer: [] };
  const key: Record<string, string> = { comfyui_complete: 'generation', response_sent: 'backend_end_to_end', gpu_response: 'gpu_round_trip', image_retrieved: 'image_transfer' };
  for (const r of records) {
    const k = r.event === undefined ? undefined : key[r.event];
    if (k !== undefined && r.duration_ms !== undefined) out[k]?.push(r.duration_ms);
  }
  return out;
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
