import type { Level } from './levels.js';

/** The services that write JSON-lines logs. */
export const SERVICES = ['backend', 'gpu_server'] as const;

/** Name of a log-writing service; also the base name of its log file. */
export type ServiceName = (typeof SERVICES)[number];

/** What the catalog knows about one event. */
export interface EventSpec {
  /** Which service writes it; `any` for lifecycle events every service writes. */
  readonly service: ServiceName | 'any';
  /** The usual level. */
  readonly level: Level;
  /** Every level this event may be written at (the usual one first). */
  readonly levels: readonly Level[];
  /** Fields every line of this event carries, beyond the common ones. */
  readonly required: readonly FieldName[];
  /** Default human sentence for `msg`. */
  readonly msg: string;
}

/** Types of the well-known fields (see FIELD_KINDS for their runtime checks). */
export interface KnownFields {
  request_id: string;
  generation_id: string;
  prompt_id: string;
  duration_ms: number;
  error_code: string;
  error: string;
  status: number;
  errors: ReadonlyArray<{ field: string; message: string }>;
  gpu_url: string;
  timeout_ms: number;
  image_bytes: number;
  workflow: string;
  node_count: number;
  queue_number: number;
  attempt: number;
  attempts: number;
  elapsed_ms: number;
  filename: string;
  size_bytes: number;
  node_errors: unknown;
  port: number;
  /** What the GPU server did to a prompt it gave up on: `interrupted`, `dequeued`, `not_queued` or `failed: <code>`. */
  comfyui_cancel: string;
  /** Milliseconds from submitting a prompt until ComfyUI's `execution_start` timestamp (0 when the clocks disagree). */
  queue_wait_ms: number;
  /** Prompts ComfyUI had running or pending (its websocket `status`). */
  queue_remaining: number;
  /** ComfyUI node ids (strings), e.g. the nodes served from its cache; at most 64 listed. */
  node_ids: readonly string[];
  /** How many items a list field stands for (it may list fewer). */
  count: number;
  /** One ComfyUI node id of the submitted graph, e.g. `"3"`. */
  node_id: string;
  /** The node's class in the submitted graph, e.g. `KSampler`. */
  class_type: string;
  /** Whether ComfyUI served the node from its cache. */
  cached: boolean;
  /** A node's progress: steps done (ComfyUI's `progress.value`; a number, an integer for samplers). */
  value: number;
  /** A node's progress: steps in all (ComfyUI's `progress.max`). */
  max: number;
  /** Steps per second since the node's first progress report, two decimals. */
  steps_per_s: number;
  /** Milliseconds from ComfyUI's `execution_start` to its `execution_success` (ComfyUI's clock). */
  execution_ms: number;
  /** Nodes ComfyUI ran for the prompt (not cached). */
  nodes_executed: number;
  /** Nodes ComfyUI served from its cache for the prompt. */
  nodes_cached: number;
  /** Milliseconds without a websocket message about a running prompt. */
  idle_ms: number;
  /** Generations in flight when something happened to all of them. */
  in_flight: number;
  client_request_id: string;
  /** The machine the line was written on (`os.hostname()`); the logger writes it on every line. */
  hostname: string;
}

/** Name of a well-known field. */
export type FieldName = keyof KnownFields;

/** Runtime kind of each well-known field, used by the record checker. */
export const FIELD_KINDS: Readonly<Record<FieldName, 'uuid' | 'string' | 'int' | 'array' | 'any'>> = Object.freeze({
  request_id: 'uuid',
  generation_id: 'uuid',
  prompt_id: 'string',
  duration_ms: 'int',
  error_code: 'string',
  error: 'string',
  status: 'int',
  errors: 'array',
  gpu_url: 'string',
  timeout_ms: 'int',
  image_bytes: 'int',
  workflow: 'string',
  node_count: 'int',
  queue_number: 'int',
  attempt: 'int',
  attempts: 'int',
  elapsed_ms: 'int',
  filename: 'string',
  size_bytes: 'int',
  node_errors: 'any',
  port: 'int',
  comfyui_cancel: 'string',
  queue_wait_ms: 'int',
  queue_remaining: 'int',
  node_ids: 'array',
  count: 'int',
  node_id: 'string',
  class_type: 'string',
  // The checker has no boolean or fractional kind; the writers validate these.
  cached: 'any',
  value: 'any',
  max: 'any',
  steps_per_s: 'any',
  execution_ms: 'int',
  nodes_executed: 'int',
  nodes_cached: 'int',
  idle_ms: 'int',
  in_flight: 'int',
  // A caller's own X-Request-ID (a valid UUID v4), kept beside the request_id the backend made.
  client_request_id: 'uuid',
  hostname: 'string',
});

function spec<const R extends readonly FieldName[]>(
  service: EventSpec['service'],
  levels: readonly [Level, ...Level[]],
  required: R,
  msg: string,
): EventSpec & { readonly required: R } {
  return Object.freeze({ service, level: levels[0], levels, required, msg });
}

/**
 * The event catalog (docs/log-format.md "Event catalog"): the single list of event names, who writes them,
 * at which level, with which required fields. Writers and readers both use it.
 */
export const EVENT_CATALOG = Object.freeze({
  // backend
  generate_request: spec('backend', ['INFO'], ['request_id'], 'generate request received'),
  validation_error: spec('backend', ['WARN'], ['request_id', 'errors', 'status'], 'request rejected by validation'),
  gpu_request: spec('backend', ['INFO'], ['request_id', 'gpu_url', 'timeout_ms'], 'calling GPU server'),
  gpu_response: spec('backend', ['INFO', 'ERROR'], ['request_id', 'status', 'duration_ms'], 'GPU server answered'),
  timeout_error: spec('backend', ['ERROR'], ['request_id', 'timeout_ms', 'duration_ms'], 'GPU server call timed out'),
  response_sent: spec('backend', ['INFO'], ['request_id', 'status', 'duration_ms'], 'response sent'),
  gpu_error: spec('backend', ['ERROR'], ['request_id', 'error_code', 'error', 'duration_ms'], 'GPU server unreachable'),
  // gpu server
  generation_start: spec('gpu_server', ['INFO'], ['request_id', 'generation_id', 'workflow'], 'generation started'),
  workflow_loaded: spec('gpu_server', ['INFO'], ['request_id', 'generation_id', 'workflow', 'node_count'], 'workflow loaded'),
  comfyui_prompt_sent: spec(
    'gpu_server',
    ['INFO'],
    ['request_id', 'generation_id', 'prompt_id', 'queue_number'],
    'prompt queued in ComfyUI',
  ),
  comfyui_polling: spec(
    'gpu_server',
    ['DEBUG'],
    ['request_id', 'generation_id', 'prompt_id', 'attempt', 'elapsed_ms'],
    'waiting for ComfyUI',
  ),
  comfyui_complete: spec(
    'gpu_server',
    ['INFO'],
    ['request_id', 'generation_id', 'prompt_id', 'duration_ms', 'attempts'],
    'ComfyUI finished the prompt',
  ),
  image_retrieved: spec(
    'gpu_server',
    ['INFO'],
    ['request_id', 'generation_id', 'prompt_id', 'filename', 'size_bytes', 'duration_ms'],
    'image fetched from ComfyUI',
  ),
  error_workflow: spec(
    'gpu_server',
    ['ERROR'],
    ['request_id', 'generation_id', 'workflow', 'error_code', 'error'],
    'workflow could not be prepared',
  ),
  error_comfyui: spec('gpu_server', ['ERROR'], ['request_id', 'generation_id', 'error_code', 'error'], 'ComfyUI failed'),
  // lifecycle, every service
  service_start: spec('any', ['INFO'], ['port'], 'service started'),
  service_stop: spec('any', ['INFO'], [], 'service stopped'),
  fatal_error: spec('any', ['FATAL'], ['error'], 'fatal error, exiting'),
  internal_error: spec('any', ['ERROR'], ['error_code', 'error'], 'unexpected error while handling a request'),
  // The GPU server's counterpart of validation_error (docs/log-format.md "Event catalog"), also for a
  // missing or wrong bearer token (OWASP: log input validation and authentication failures);
  // both services also write it for a request their HTTP parser refused (malformed, too large,
  // too slow). Every line the services write has a request_id; it is not listed as required
  // because events of `any` service are checked (create-logger.test.ts) without ids.
  request_rejected: spec('any', ['WARN'], ['status', 'error_code', 'errors'], 'request rejected before a generation started'),
  // Added: at start the GPU server cancels the prompts an earlier run of it left in
  // ComfyUI's queue (it died mid-generation), one line per prompt.
  comfyui_orphan_cancelled: spec(
    'gpu_server',
    ['WARN'],
    ['prompt_id'],
    'cancelled a ComfyUI prompt an earlier run of this GPU server left behind',
  ),
  // Added for issue 13: what ComfyUI's websocket tells about a prompt (docs/comfyui.md "Websocket").
  comfyui_execution_start: spec(
    'gpu_server',
    ['INFO'],
    ['request_id', 'generation_id', 'prompt_id', 'queue_wait_ms'],
    'ComfyUI started the prompt',
  ),
  comfyui_nodes_cached: spec(
    'gpu_server',
    ['DEBUG'],
    ['request_id', 'generation_id', 'prompt_id', 'node_ids', 'count'],
    'ComfyUI reused cached node outputs',
  ),
  comfyui_node_executed: spec(
    'gpu_server',
    ['DEBUG'],
    ['request_id', 'generation_id', 'prompt_id', 'node_id', 'duration_ms', 'cached'],
    'ComfyUI executed a node',
  ),
  comfyui_progress: spec(
    'gpu_server',
    ['DEBUG'],
    ['request_id', 'generation_id', 'prompt_id', 'node_id', 'value', 'max'],
    'ComfyUI node progress',
  ),
  comfyui_stalled: spec(
    'gpu_server',
    ['WARN'],
    ['request_id', 'generation_id', 'prompt_id', 'idle_ms'],
    'no word from ComfyUI about a running prompt',
  ),
  comfyui_ws_lost: spec('gpu_server', ['WARN'], ['error', 'in_flight'], 'lost the ComfyUI websocket; polling goes on'),
  comfyui_ws_unavailable: spec(
    'gpu_server',
    ['WARN'],
    ['error_code', 'error'],
    'ComfyUI refused its websocket; generations run without its detail',
  ),
} satisfies Record<string, EventSpec>);

/** Name of a catalog event. */
export type EventName = keyof typeof EVENT_CATALOG;

/** All catalog event names, in catalog order. */
export const EVENT_NAMES = Object.freeze(Object.keys(EVENT_CATALOG) as EventName[]);

/** True when `value` names a catalog event. */
export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(EVENT_CATALOG, value);
}

/** Required fields of event E, as a union of field names. */
export type RequiredFieldOf<E extends EventName> = (typeof EVENT_CATALOG)[E]['required'][number];
