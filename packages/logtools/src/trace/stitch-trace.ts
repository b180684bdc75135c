import { EVENT, formatTime, type NormalizedRecord } from '@logtrace/shared/schema';
import { toEvent, type TraceEvent } from '../core/to-event.js';
import type { ComfyuiEntry } from '../comfyui/parse-comfyui-entries.js';
import { traceOutcome, type TraceOutcome } from './trace-outcome.js';
import { traceNodes, traceStalls, type TraceNode, type TraceStall } from './trace-nodes.js';
import { comfyuiTimes, timeBreakdown, traceStages, type TimeBreakdown, type TraceStage } from './trace-stages.js';

/** A record of the trace and its position in the input (ties in time keep input order). */
export interface LocatedRecord {
  readonly record: NormalizedRecord;
  /** Sort key among records with the same time: source, file and line order. */
  readonly order: number;
  /** Which object of a glued line (`{…}{…}`) the record is, from 0; 0 on other lines. Breaks ties of `order`. */
  readonly part: number;
  /** The machine it was written on (recordHost), when known. */
  readonly host?: string | undefined;
}

/** A key unique to a record: its line's order key and its part on that line. */
export function recordKey(order: number, part: number): string {
  return `${order}:${part}`;
}

/** How a ComfyUI line was tied to the trace: by stamp, by counting, or because it names the prompt id. */
export type TraceAttribution = 'time' | 'order' | 'id';

/** A comfyui.log entry that belongs to the trace. */
export interface PlacedComfyuiEntry {
  readonly entry: ComfyuiEntry;
  readonly attribution: TraceAttribution;
  /** Epoch ms to place it at: its stamp, or for an unstamped entry the event it goes with. */
  readonly placeAt: number;
  /** The host of its comfyui.log (its directory's, when several are read). */
  readonly host?: string | undefined;
}

/** One ComfyUI entry of a trace (`--json`). */
export interface TraceComfyuiLine {
  /** ISO time from the line stamp; null when unstamped. */
  readonly time: string | null;
  /** The entry's text, lines joined with `\n`. */
  readonly text: string;
  readonly attribution: TraceAttribution;
  readonly kind: string;
  /** Line number of its first line in comfyui.log. */
  readonly line: number;
  /** Index of the event it is shown before (events.length: after the last). */
  readonly before_event: number;
  /** The host of its comfyui.log; only when several directories are read. */
  readonly host?: string;
}

/** What `logtrace trace` reports (its `--json` shape without `input`). */
export interface TraceReport {
  /** The id asked for (as given). */
  readonly id: string;
  readonly request_id: string | null;
  readonly generation_ids: readonly string[];
  readonly prompt_ids: readonly string[];
  readonly outcome: TraceOutcome;
  /** `response_sent.duration_ms`, else first to last event; ms. */
  readonly duration_ms: number | null;
  readonly started_at: string | null;
  readonly events: readonly TraceEvent[];
  readonly comfyui: readonly TraceComfyuiLine[];
  readonly stages: readonly TraceStage[];
  /** ComfyUI's nodes, in order of start (from its websocket; empty without those events). */
  readonly nodes: readonly TraceNode[];
  readonly breakdown: TimeBreakdown;
  /** Prompts ComfyUI went silent on (`comfyui_stalled`). */
  readonly stalls: readonly TraceStall[];
}

/** Puts a trace together: events in time order, ComfyUI entries placed among them, outcome, total, stages, ComfyUI's nodes and stalls. */
export function stitchTrace(id: string, located: readonly LocatedRecord[], comfyui: readonly PlacedComfyuiEntry[]): TraceReport {
  const sorted = [...located].sort((a, b) => a.record.time - b.record.time || a.order - b.order || a.part - b.part);
  const records = sorted.map((l) => l.record);
  // Ordered by every digit of their times; measured in whole milliseconds.
  const timed = records.map((r) => (Number.isInteger(r.time) ? r : { ...r, time: Math.floor(r.time) }));
  const response = records.find((r) => r.event === EVENT.response_sent);
  const first = timed[0];
  const last = timed[timed.length - 1];
  const total = response?.duration_ms ?? (first !== undefined && last !== undefined ? last.time - first.time : null);
  const stages = traceStages(timed, total);
  const placed = [...comfyui].sort((a, b) => a.placeAt - b.placeAt || (a.entry.lines[0]?.line ?? 0) - (b.entry.lines[0]?.line ?? 0));
  return {
    id,
    request_id: records.find((r) => r.request_id !== undefined)?.request_id ?? null,
    generation_ids: distinct(records.map((r) => r.generation_id)),
    prompt_ids: distinct(records.map((r) => r.prompt_id)),
    outcome: traceOutcome(records),
    duration_ms: total,
    started_at: first === undefined ? null : formatTime(first.time),
    events: sorted.map((l) => toEvent(l.record, l.host)),
    comfyui: placed.map((p) => ({
      time: p.entry.time === undefined ? null : formatTime(p.entry.time),
      text: p.entry.lines.map((l) => l.text).join('\n'),
      attribution: p.attribution,
      kind: p.entry.kind,
      line: p.entry.lines[0]?.line ?? 0,
      before_event: countBefore(records, p.placeAt),
      ...(p.host === undefined ? {} : { host: p.host }),
    })),
    stages,
    nodes: first === undefined ? [] : traceNodes(timed, first.time),
    breakdown: timeBreakdown(stages, total, comfyuiTimes(timed)),
    stalls: first === undefined ? [] : traceStalls(timed, first.time),
  };
}

function distinct(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined))];
}

/** Number of records strictly before `time` (records sorted by time). */
function countBefore(records: readonly NormalizedRecord[], time: number): number {
  let n = 0;
  while (n < records.length && (records[n]?.time ?? Infinity) < time) n++;
  return n;
}
