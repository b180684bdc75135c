import { EVENT, type Level } from '@logtrace/shared/schema';
import type { LogEvent } from './format-record.js';

/** A request as written: its events in order and its comfyui.log lines. */
export interface ExpectedRequest {
  readonly request_id: string;
  readonly generation_id: string | null;
  readonly prompt_id: string | null;
  readonly scenario: string;
  readonly outcome: 'ok' | 'validation_error' | 'timeout' | 'error' | 'incomplete';
  readonly events: readonly { readonly time: number; readonly service: string; readonly event: string }[];
  /** comfyui.log lines that belong to it (progress bars reduced to their final state). */
  readonly comfyui: readonly string[];
  /** Its nodes as the websocket showed them, in order of start (cached ones first among equal starts); start in epoch ms. */
  readonly nodes: readonly ExpectedTraceNode[];
  /** comfyui_execution_start.queue_wait_ms, else null. */
  readonly queue_wait_ms: number | null;
  /** comfyui_complete.execution_ms, else null. */
  readonly execution_ms: number | null;
  /** A comfyui_stalled was written for it. */
  readonly stalled: boolean;
}

/** One node of a request as `trace` must show it (a cached node's class is unknown to a trace). */
export interface ExpectedTraceNode {
  readonly node_id: string;
  readonly class_type: string | null;
  /** Epoch ms. */
  readonly start: number;
  readonly duration_ms: number;
  readonly cached: boolean;
}

/** The ids and scenario of a simulated request. */
export interface RequestIds {
  readonly requestId: string;
  readonly generationId: string | undefined;
  readonly promptId: string | undefined;
  readonly scenario: string;
}

interface RequestBook {
  readonly request_id: string;
  readonly generation_id: string | null;
  readonly prompt_id: string | null;
  readonly scenario: string;
  readonly events: { time: number; service: string; event: string; level: Level; status: unknown; seq: number }[];
  readonly comfyui: string[];
  readonly nodes: (ExpectedTraceNode & { seq: number })[];
  queueWait: number | null;
  execution: number | null;
  stalled: boolean;
  posted: boolean;
  promptSeen: boolean;
}

/** Keeps, while the generator writes, what `logtrace trace` must give for each request: its events, ComfyUI lines and nodes. */
export class ExpectedRequests {
  private readonly books: RequestBook[] = [];
  private seq = 0;

  constructor(private readonly keep: boolean) {}

  /** Registers a request; returns its index for later calls (-1 when requests are not kept). */
  addRequest(ids: RequestIds): number {
    if (!this.keep) return -1;
    this.books.push({
      request_id: ids.requestId,
      generation_id: ids.generationId ?? null,
      prompt_id: ids.promptId ?? null,
      scenario: ids.scenario,
      events: [],
      comfyui: [],
      nodes: [],
      queueWait: null,
      execution: null,
      stalled: false,
      posted: false,
      promptSeen: false,
    });
    return this.books.length - 1;
  }

  /** A JSON-lines event of request `request` was written (-1: of none). */
  wroteEvent(request: number, e: LogEvent): void {
    const book = this.books[request];
    if (book === undefined) return;
    const f = e.fields;
    const seq = this.seq++;
    book.events.push({ time: e.time, service: e.service, event: e.event, level: e.level, status: f['status'], seq });
    if (typeof f['prompt_id'] === 'string') book.promptSeen = true;
    if (
      e.event === EVENT.comfyui_prompt_sent ||
      (e.event === EVENT.error_comfyui && typeof f['status'] === 'number' && f['prompt_id'] === undefined)
    )
      book.posted = true;
    if (e.event === EVENT.comfyui_nodes_cached) {
      for (const id of f['node_ids'] as string[])
        book.nodes.push({ node_id: id, class_type: null, start: e.time, duration_ms: 0, cached: true, seq });
    } else if (e.event === EVENT.comfyui_node_executed) {
      const ms = f['duration_ms'] as number;
      book.nodes.push({
        node_id: String(f['node_id']),
        class_type: String(f['class_type']),
        start: e.time - ms,
        duration_ms: ms,
        cached: false,
        seq,
      });
    } else if (e.event === EVENT.comfyui_execution_start && book.queueWait === null) {
      book.queueWait = f['queue_wait_ms'] as number;
    } else if (e.event === EVENT.comfyui_complete && typeof f['execution_ms'] === 'number') {
      book.execution = f['execution_ms'];
    } else if (e.event === EVENT.comfyui_stalled) {
      book.stalled = true;
    }
  }

  /** A comfyui.log line of a request was written. */
  wroteComfyuiLine(request: number, text: string): void {
    this.books[request]?.comfyui.push(text);
  }

  /** Every request as written, with its outcome by the documented rule. */
  requests(): ExpectedRequest[] {
    return this.books.map((b) => {
      const events = [...b.events].sort((x, y) => x.time - y.time || x.service.localeCompare(y.service) || x.seq - y.seq);
      return {
        request_id: b.request_id,
        generation_id: events.some((e) => e.service === 'gpu_server') ? b.generation_id : null,
        prompt_id: b.promptSeen ? b.prompt_id : null,
        scenario: b.scenario,
        outcome: outcomeOf(events),
        events: events.map((e) => ({ time: e.time, service: e.service, event: e.event })),
        comfyui: b.posted ? [...b.comfyui] : [],
        nodes: [...b.nodes].sort((x, y) => x.start - y.start || x.seq - y.seq).map(({ seq: _seq, ...node }) => node),
        queue_wait_ms: b.queueWait,
        execution_ms: b.execution,
        stalled: b.stalled,
      };
    });
  }
}

function outcomeOf(events: readonly { event: string; level: Level; status: unknown }[]): ExpectedRequest['outcome'] {
  if (events.some((e) => e.event === EVENT.validation_error)) return 'validation_error';
  if (events.some((e) => e.event === EVENT.timeout_error)) return 'timeout';
  if (events.some((e) => e.level === 'ERROR' || e.level === 'FATAL')) return 'error';
  const response = events.find((e) => e.event === EVENT.response_sent);
  if (response === undefined) return 'incomplete';
  return typeof response.status === 'number' && response.status >= 400 ? 'error' : 'ok';
}
