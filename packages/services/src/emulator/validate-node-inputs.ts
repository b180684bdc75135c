import { PythonError, formatPyFrames, pyTypeName, type PyFrame } from './python-error.js';
import { formatPyRepr } from './python-format.js';
import type { NodeCatalog, NodeClass } from './node-catalog.js';
import { isRecord } from './node-catalog.js';
import { pyEquals, pyStr } from './convert-input-value.js';
import { checkLiteral, customValidation, runCustomValidation } from './check-literal-input.js';
import type { ComfyuiErrorItem, Graph } from './prompt-types.js';

/** Whether a node passed, and its own errors (empty when only an upstream node failed). */
export type Verdict = { readonly valid: boolean; readonly reasons: ComfyuiErrorItem[] };

const EXECUTION_PY = '/workspace/ComfyUI/execution.py';

/** Turns any thrown value into the PythonError ComfyUI would have seen. */
export function asPythonError(err: unknown): PythonError {
  if (err instanceof PythonError) return err;
  return new PythonError('RuntimeError', err instanceof Error ? err.message : String(err));
}

/**
 * ComfyUI's validate_inputs: checks one node, recursing into linked nodes first, and
 * records every verdict in `validated`. Throws a PythonError where ComfyUI raises.
 */
export function validateInputs(
  graph: Graph,
  id: string,
  validated: Map<string, Verdict>,
  visiting: Set<string>,
  catalog: NodeCatalog,
): Verdict {
  const known = validated.get(id);
  if (known !== undefined) return known;
  const node = graph[id];
  if (node === undefined || !isRecord(node.inputs)) {
    throw new PythonError('KeyError', formatPyRepr('inputs'), [inputsFrame()]);
  }
  if (visiting.has(id)) {
    const cycle: Verdict = { valid: false, reasons: [cycleError(id, visiting)] };
    validated.set(id, cycle);
    return cycle;
  }
  visiting.add(id);
  const nodeClass = catalog.get(node.class_type) as NodeClass;
  const inputs = node.inputs;
  const errors: ComfyuiErrorItem[] = [];
  let valid = true;
  const custom = customValidation(nodeClass.name);
  for (const input of nodeClass.inputs) {
    if (!Object.hasOwn(inputs, input.name)) {
      if (input.category === 'required') {
        errors.push({
          type: 'required_input_missing',
          message: 'Required input is missing',
          details: input.name,
          extra_info: { input_name: input.name },
        });
      }
      continue;
    }
    const value = inputs[input.name];
    const info = [input.type, input.options];
    if (Array.isArray(value)) {
      if (value.length !== 2) {
        errors.push({
          type: 'bad_linked_input',
          message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]',
          details: input.name,
          extra_info: { input_name: input.name, input_config: info, received_value: value },
        });
        continue;
      }
      const sourceId: unknown = value[0];
      const source = typeof sourceId === 'string' && Object.hasOwn(graph, sourceId) ? graph[sourceId] : undefined;
      if (source === undefined) throw new PythonError('KeyError', formatPyRepr(sourceId), [linkFrame()]);
      const sourceClass = catalog.get(source.class_type) as NodeClass;
      const receivedType = pickOutput(sourceClass.outputs, value[1]);
      if (!typesMatch(receivedType, input.type)) {
        errors.push({
          type: 'return_type_mismatch',
          message: 'Return type mismatch between linked nodes',
          details: `${input.name}, received_type(${pyStr(receivedType)}) mismatch input_type(${pyStr(input.type)})`,
          extra_info: { input_name: input.name, input_config: info, received_type: receivedType, linked_node: value },
        });
        continue;
      }
      try {
        if (!validateInputs(graph, sourceId as string, validated, visiting, catalog).valid) valid = false;
      } catch (err) {
        const error = asPythonError(err);
        valid = false;
        validated.set(sourceId as string, {
          valid: false,
          reasons: [
            {
              type: 'exception_during_inner_validation',
              message: 'Exception when validating inner node',
              details: error.message,
              extra_info: {
                input_name: input.name,
                input_config: info,
                exception_message: error.message,
                exception_type: error.pyType,
                traceback: formatPyFrames(error.frames),
                linked_node: value,
              },
            },
          ],
        });
      }
      continue;
    }
    const problem = checkLiteral(input, value, inputs, custom.has(input.name));
    if (problem !== undefined) errors.push(problem);
  }
  for (const name of custom) {
    const value = inputs[name];
    if (Array.isArray(value) || !Object.hasOwn(inputs, name)) continue;
    const reason = runCustomValidation(nodeClass.name, name, value, catalog);
    if (reason !== undefined) {
      errors.push({
        type: 'custom_validation_failed',
        message: 'Custom validation failed for node',
        details: `${name} - ${reason}`,
        extra_info: { input_name: name },
      });
    }
  }
  visiting.delete(id);
  // A cycle found below this node was recorded on it already; keep that reason.
  errors.unshift(...(validated.get(id)?.reasons ?? []));
  const verdict: Verdict = errors.length > 0 || !valid ? { valid: false, reasons: errors } : { valid: true, reasons: [] };
  validated.set(id, verdict);
  return verdict;
}

// Python indexing of RETURN_TYPES by the link's slot: negative counts from the end.
function pickOutput(outputs: readonly unknown[], slot: unknown): unknown {
  if (typeof slot !== 'number' || !Number.isInteger(slot)) {
    throw new PythonError('TypeError', `tuple indices must be integers or slices, not ${pyTypeName(slot)}`, [linkFrame()]);
  }
  const index = slot < 0 ? outputs.length + slot : slot;
  if (index < 0 || index >= outputs.length) {
    throw new PythonError('IndexError', 'tuple index out of range', [linkFrame()]);
  }
  return outputs[index];
}

// ComfyUI's validate_node_input: equal types, a `*` wildcard, or overlapping comma lists.
function typesMatch(received: unknown, expected: unknown): boolean {
  if (pyEquals(received, expected)) return true;
  if (typeof received !== 'string' || typeof expected !== 'string') return false;
  const a = new Set(received.split(',').map((t) => t.trim()));
  const b = new Set(expected.split(',').map((t) => t.trim()));
  if (a.has('*') || b.has('*')) return true;
  return [...a].some((t) => b.has(t));
}

function linkFrame(): PyFrame {
  return { file: EXECUTION_PY, line: 790, func: 'validate_inputs', code: 'received_type = r[val[1]]', caret: '~^^^^^^^^' };
}

function inputsFrame(): PyFrame {
  return { file: EXECUTION_PY, line: 741, func: 'validate_inputs', code: "inputs = prompt[unique_id]['inputs']", caret: true };
}

function cycleError(id: string, visiting: Set<string>): ComfyuiErrorItem {
  return {
    type: 'dependency_cycle',
    message: 'Dependency cycle detected',
    details: [...visiting, id].join(' -> '),
    extra_info: { node_id: id },
  };
}
