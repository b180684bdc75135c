import { isRecord, type NodeCatalog, type NodeClass, type NodeInput } from './node-catalog.js';
import { convertInputValue, pyEquals, pyStr } from './convert-input-value.js';
import { formatPyFloat, formatPyInt, formatPyRepr } from './python-format.js';
import { PythonError, formatPyFrames, pyTypeName, type PyFrame } from './python-error.js';

/** One entry of ComfyUI's error lists: `{type, message, details, extra_info}`. */
export interface ComfyErrorItem {
  readonly type: string;
  readonly message: string;
  readonly details: string;
  readonly extra_info: Record<string, unknown>;
}

/** A value of `node_errors`, keyed by node id in the /prompt answer. */
export interface NodeErrorEntry {
  errors: ComfyErrorItem[];
  dependent_outputs: string[];
  class_type: string;
}

/** The API-format graph after validation (converted literal values written back, as ComfyUI does). */
export type Graph = Record<string, { class_type: string; inputs: Record<string, unknown>; [key: string]: unknown }>;

/** What validatePrompt found; `logLines` are what ComfyUI prints while validating. */
export type PromptValidation =
  | {
      readonly ok: true;
      readonly graph: Graph;
      /** Output node ids that passed (ComfyUI's outputs_to_execute). */
      readonly outputs: string[];
      /** Errors of outputs that were dropped; `{}` when all passed. */
      readonly nodeErrors: Record<string, NodeErrorEntry>;
      readonly logLines: string[];
    }
  | {
      readonly ok: false;
      readonly error: ComfyErrorItem;
      readonly nodeErrors: Record<string, NodeErrorEntry>;
      readonly logLines: string[];
    };

type Verdict = { readonly valid: boolean; readonly reasons: ComfyErrorItem[] };

const EXECUTION_PY = '/workspace/ComfyUI/execution.py';

/**
 * ComfyUI's `validate_prompt` (execution.py): every node must name a known class, there
 * must be an output node, and every output's inputs are checked recursively (missing
 * inputs, bad links, type mismatches, conversions, min/max, combo lists, custom checks).
 * Returns the same error objects, node_errors and log lines. Throws a PythonError where
 * ComfyUI itself would crash (e.g. the graph is a number), which the server turns into 500.
 */
export function validatePrompt(prompt: unknown, catalog: NodeCatalog, partialTargets?: unknown): PromptValidation {
  const graph = toGraph(prompt);
  const outputs: string[] = [];
  for (const [id, node] of Object.entries(graph)) {
    if (!isRecord(node)) {
      if (typeof node === 'string' || Array.isArray(node)) return invalidPrompt(missingClassType(id));
      throw new PythonError('TypeError', `argument of type '${pyTypeName(node)}' is not iterable`, [
        validateFrame(),
      ]);
    }
    if (!Object.hasOwn(node, 'class_type')) return invalidPrompt(missingClassType(id));
    const classType = node['class_type'];
    const nodeClass = typeof classType === 'string' ? catalog.get(classType) : undefined;
    if (nodeClass === undefined) {
      return invalidPrompt({
        type: 'invalid_prompt',
        message: `Cannot execute because node ${pyStr(classType)} does not exist.`,
        details: `Node ID '#${id}'`,
        extra_info: {},
      });
    }
    const targets = Array.isArray(partialTargets) ? partialTargets : undefined;
    if (nodeClass.outputNode && (targets === undefined || targets.includes(id))) outputs.push(id);
  }
  if (outputs.length === 0) {
    return invalidPrompt({ type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} });
  }

  const checked = graph as Graph;
  const validated = new Map<string, Verdict>();
  const nodeErrors: Record<string, NodeErrorEntry> = {};
  const logLines: string[] = [];
  const good: string[] = [];
  const failures: Array<[string, ComfyErrorItem[]]> = [];
  for (const output of outputs) {
    let verdict: Verdict;
    try {
      verdict = validateInputs(checked, output, validated, new Set(), catalog);
    } catch (err) {
      const error = asPythonError(err);
      verdict = {
        valid: false,
        reasons: [
          {
            type: 'exception_during_validation',
            message: 'Exception when validating node',
            details: error.message,
            extra_info: {
              exception_type: error.pyType,
              traceback: formatPyFrames([
                { file: EXECUTION_PY, line: 1010, func: 'validate_prompt', code: 'm = await validate_inputs(prompt_id, prompt, o, validated)', caret: true },
                ...error.frames,
              ]),
            },
          },
        ],
      };
      validated.set(output, verdict);
    }
    if (verdict.valid) {
      good.push(output);
      continue;
    }
    logLines.push(`Failed to validate prompt for output ${output}:`);
    if (verdict.reasons.length > 0) {
      logLines.push('* (prompt):');
      for (const reason of verdict.reasons) logLines.push(`  - ${reason.message}: ${reason.details}`);
    }
    failures.push([output, verdict.reasons]);
    for (const [nodeId, result] of validated) {
      if (result.valid || result.reasons.length === 0) continue;
      let entry = nodeErrors[nodeId];
      if (entry === undefined) {
        const classType = checked[nodeId]?.class_type ?? '';
        entry = { errors: result.reasons, dependent_outputs: [], class_type: classType };
        nodeErrors[nodeId] = entry;
        logLines.push(`* ${classType} ${nodeId}:`);
        for (const reason of result.reasons) logLines.push(`  - ${reason.message}: ${reason.details}`);
      }
      entry.dependent_outputs.push(output);
    }
    logLines.push('Output will be ignored');
  }
  if (good.length === 0) {
    const details = failures.flatMap(([, reasons]) => reasons.map((r) => `${r.message}: ${r.details}`)).join('\n');
    return {
      ok: false,
      error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details, extra_info: {} },
      nodeErrors,
      logLines,
    };
  }
  return { ok: true, graph: checked, outputs: good, nodeErrors, logLines };
}

function toGraph(prompt: unknown): Record<string, unknown> {
  if (isRecord(prompt)) return structuredClone(prompt);
  // Python iterates a list or str; an empty one is simply a graph without outputs.
  if ((Array.isArray(prompt) || typeof prompt === 'string') && prompt.length === 0) return {};
  const message =
    Array.isArray(prompt) || typeof prompt === 'string'
      ? `${pyTypeName(prompt)} indices must be integers or slices, not ${pyTypeName(prompt[0])}`
      : `'${pyTypeName(prompt)}' object is not iterable`;
  throw new PythonError('TypeError', message, [validateFrame()]);
}

function validateFrame(): PyFrame {
  return { file: EXECUTION_PY, line: 966, func: 'validate_prompt', code: "if 'class_type' not in prompt[x]:" };
}

function missingClassType(id: string): ComfyErrorItem {
  return {
    type: 'invalid_prompt',
    message: 'Cannot execute because a node is missing the class_type property.',
    details: `Node ID '#${id}'`,
    extra_info: {},
  };
}

function invalidPrompt(error: ComfyErrorItem): PromptValidation {
  return { ok: false, error, nodeErrors: {}, logLines: [] };
}

function asPythonError(err: unknown): PythonError {
  if (err instanceof PythonError) return err;
  return new PythonError('RuntimeError', err instanceof Error ? err.message : String(err));
}

// ComfyUI's validate_inputs: checks one node, recursing into linked nodes first.
function validateInputs(
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
  const errors: ComfyErrorItem[] = [];
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

// Converts a literal input in place (ComfyUI stores the converted value) and checks it.
function checkLiteral(
  input: NodeInput,
  raw: unknown,
  inputs: Record<string, unknown>,
  customChecked: boolean,
): ComfyErrorItem | undefined {
  const info = [input.type, input.options];
  const converted = convertInputValue(input.type, raw);
  if (!converted.ok) {
    return {
      type: 'invalid_input_type',
      message: `Failed to convert an input value to a ${pyStr(input.type)} value`,
      details: `${input.name}, ${pyStr(raw)}, ${converted.error}`,
      extra_info: { input_name: input.name, input_config: info, received_value: raw, exception_message: converted.error },
    };
  }
  const value = converted.value;
  inputs[input.name] = value;
  if (customChecked) return undefined;
  const format = input.type === 'FLOAT' ? formatPyFloat : formatPyInt;
  const min = input.options['min'];
  const max = input.options['max'];
  if (typeof min === 'number' && typeof value === 'number' && value < min) {
    return {
      type: 'value_smaller_than_min',
      message: `Value ${format(value)} smaller than min of ${format(min)}`,
      details: input.name,
      extra_info: { input_name: input.name, input_config: info, received_value: value },
    };
  }
  if (typeof max === 'number' && typeof value === 'number' && value > max) {
    return {
      type: 'value_bigger_than_max',
      message: `Value ${format(value)} bigger than max of ${format(max)}`,
      details: input.name,
      extra_info: { input_name: input.name, input_config: info, received_value: value },
    };
  }
  const options = Array.isArray(input.type)
    ? input.type
    : input.type === 'COMBO' && Array.isArray(input.options['options'])
      ? (input.options['options'] as unknown[])
      : undefined;
  if (options !== undefined && !options.some((option) => pyEquals(option, value))) {
    // ComfyUI does not send back long lists (e.g. hundreds of scanned model files).
    const long = options.length > 20;
    return {
      type: 'value_not_in_list',
      message: 'Value not in list',
      details: `${input.name}: '${pyStr(value)}' not in ${long ? `(list of length ${options.length})` : formatPyRepr(options)}`,
      extra_info: { input_name: input.name, input_config: long ? null : info, received_value: value },
    };
  }
  return undefined;
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

function cycleError(id: string, visiting: Set<string>): ComfyErrorItem {
  return {
    type: 'dependency_cycle',
    message: 'Dependency cycle detected',
    details: [...visiting, id].join(' -> '),
    extra_info: { node_id: id },
  };
}

// Node classes whose VALIDATE_INPUTS checks an input instead of the combo list.
const CUSTOM_VALIDATED: Readonly<Record<string, readonly string[]>> = {
  LoadImage: ['image'],
  LoadImageMask: ['image'],
};

function customValidation(classType: string): Set<string> {
  return new Set(CUSTOM_VALIDATED[classType] ?? []);
}

function runCustomValidation(classType: string, name: string, value: unknown, catalog: NodeCatalog): string | undefined {
  const nodeClass = catalog.get(classType);
  const spec = nodeClass?.inputs.find((input) => input.name === name);
  const files = Array.isArray(spec?.type) ? spec.type : [];
  const file = pyStr(value).replace(/ \[(?:input|output|temp)\]$/, '');
  return files.includes(file) ? undefined : `Invalid image file: ${pyStr(value)}`;
}
