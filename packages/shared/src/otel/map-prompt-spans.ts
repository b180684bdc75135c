import { deriveSpanId } from './trace-context.js';
import type { SpanAttributeValue, SpanEventSpec, SpanSourceRecord, SpanSpec } from './span-spec.js';
import { SPAN_NAMES } from './span-names.js';
import { compact, failed, find, num, str } from './span-fields.js';

/** `comfyui.prompt` and its children, from comfyui_prompt_sent to comfyui_complete (or the ComfyUI error). */
export function mapPromptSpans(
  records: readonly SpanSourceRecord[],
  at: { traceId: string; parentSpanId: string; ids: Record<string, string> },
): SpanSpec[] {
  const sent = find(records, 'comfyui_prompt_sent');
  if (sent === undefined) return [];
  const promptId = str(sent.fields['prompt_id']) ?? '';
  const { traceId } = at;
  const done = records.find((r) => r.time >= sent.time && (r.event === 'comfyui_complete' || r.event === 'error_comfyui'));
  const last = records[records.length - 1] as SpanSourceRecord;
  const endMs = done?.time ?? last.time;
  const promptSpanId = deriveSpanId(traceId, `${at.parentSpanId}/prompt/${promptId}`);
  // Attributes are built by assignment: object spreads take V8's slow path, and a
  // generation has a span per node.
  const attrs = (extra: Record<string, SpanAttributeValue | undefined>): Record<string, SpanAttributeValue> => {
    const all: Record<string, SpanAttributeValue | undefined> = Object.assign({}, at.ids, extra);
    all['comfyui.prompt_id'] = promptId;
    return compact(all);
  };
  const failure = done?.event === 'error_comfyui' ? done : undefined;
  const outcome = failed(failure !== undefined, failure, endMs);
  const spans: SpanSpec[] = [
    gpuSpan(
      traceId,
      promptSpanId,
      at.parentSpanId,
      SPAN_NAMES.prompt,
      sent.time,
      endMs,
      attrs({
        'comfyui.queue_number': num(sent.fields['queue_number'], undefined),
        'comfyui.attempts': num(done?.fields['attempts'], undefined),
        'comfyui.nodes_executed': num(done?.fields['nodes_executed'], undefined),
        'comfyui.nodes_cached': num(done?.fields['nodes_cached'], undefined),
      }),
      outcome,
    ),
  ];
  const started = records.find((r) => r.event === 'comfyui_execution_start' && r.time >= sent.time);
  if (started === undefined) return spans;
  spans.push(
    gpuSpan(
      traceId,
      deriveSpanId(traceId, `${promptSpanId}/queue_wait`),
      promptSpanId,
      SPAN_NAMES.queueWait,
      sent.time,
      Math.max(sent.time, started.time),
      attrs({ 'comfyui.queue_remaining': num(started.fields['queue_remaining'], undefined) }),
    ),
  );
  const executionId = deriveSpanId(traceId, `${promptSpanId}/execution`);
  spans.push(
    gpuSpan(traceId, executionId, promptSpanId, SPAN_NAMES.execution, started.time, Math.max(started.time, endMs), attrs({}), outcome),
  );
  for (const node of records) {
    if (node.event !== 'comfyui_node_executed' || node.time < started.time) continue;
    const nodeId = str(node.fields['node_id']) ?? '';
    const classType = str(node.fields['class_type']);
    const startMs = Math.max(started.time, node.time - num(node.fields['duration_ms'], 0));
    spans.push(
      gpuSpan(
        traceId,
        deriveSpanId(traceId, `${executionId}/node/${nodeId}`),
        executionId,
        classType === undefined ? SPAN_NAMES.node : `${SPAN_NAMES.node} ${classType}`,
        startMs,
        node.time,
        attrs({ 'comfyui.node_id': nodeId, 'comfyui.class_type': classType, 'comfyui.cached': node.fields['cached'] === true }),
      ),
    );
  }
  return spans;
}

/** An INTERNAL span of the GPU server (the ComfyUI spans). */
function gpuSpan(
  traceId: string,
  spanId: string,
  parentSpanId: string,
  name: string,
  startMs: number,
  endMs: number,
  attributes: Record<string, SpanAttributeValue>,
  outcome: { status: SpanSpec['status']; events: SpanEventSpec[] } = NO_FAILURE,
): SpanSpec {
  return {
    traceId,
    spanId,
    parentSpanId,
    service: 'gpu_server',
    name,
    kind: 'internal',
    startMs,
    endMs,
    attributes,
    status: outcome.status,
    events: outcome.events,
  };
}

const NO_FAILURE: { status: SpanSpec['status']; events: SpanEventSpec[] } = Object.freeze({
  status: { code: 'unset' },
  events: [],
}) as never;
