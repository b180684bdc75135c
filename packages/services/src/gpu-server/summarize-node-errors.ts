/** One validation problem ComfyUI found, flattened for logs and answers. */
export interface NodeErrorSummary {
  readonly node_id: string;
  readonly class_type: string;
  readonly type: string;
  readonly message: string;
  readonly details: string;
  readonly input_name?: string;
}

const MAX_ITEMS = 20;
const MAX_TEXT = 300;

/**
 * Flattens ComfyUI's `node_errors` (`{id: {errors: [{type, message, details, extra_info}],
 * class_type}}`) into at most 20 entries with bounded strings. Received values and
 * tracebacks are left out: they are ComfyUI's data, unbounded, and may echo inputs.
 */
export function summarizeNodeErrors(nodeErrors: unknown): NodeErrorSummary[] {
  if (typeof nodeErrors !== 'object' || nodeErrors === null || Array.isArray(nodeErrors)) return [];
  const out: NodeErrorSummary[] = [];
  for (const [nodeId, entry] of Object.entries(nodeErrors)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { errors, class_type: classType } = entry as Record<string, unknown>;
    for (const error of Array.isArray(errors) ? errors : []) {
      if (out.length >= MAX_ITEMS) return out;
      if (typeof error !== 'object' || error === null) continue;
      const e = error as Record<string, unknown>;
      const extra = typeof e['extra_info'] === 'object' && e['extra_info'] !== null ? (e['extra_info'] as Record<string, unknown>) : {};
      out.push({
        node_id: bound(nodeId),
        class_type: bound(classType),
        type: bound(e['type']),
        message: bound(e['message']),
        details: bound(e['details']),
        ...(typeof extra['input_name'] === 'string' ? { input_name: bound(extra['input_name']) } : {}),
      });
    }
  }
  return out;
}

function bound(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}
