import { isRecord, type NodeCatalog } from './node-catalog.js';
import { pyStr } from './convert-input-value.js';
import { PythonError, formatPyFrames, pyTypeName, type PyFrame } from './python-error.js';
import { asPythonError, validateInputs, type Verdict } from './validate-node-inputs.js';
import type { ComfyuiErrorItem, Graph, NodeErrorEntry } from './prompt-types.js';

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
      readonly error: ComfyuiErrorItem;
      readonly nodeErrors: Record<string, NodeErrorEntry>;
      readonly logLines: string[];
    };

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
      throw new PythonError('TypeError', `argument of type '${pyTypeName(node)}' is not iterable`, [validateFrame()]);
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
  const failures: Array<[string, ComfyuiErrorItem[]]> = [];
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
                {
                  file: EXECUTION_PY,
                  line: 1010,
                  func: 'validate_prompt',
                  code: 'm = await validate_inputs(prompt_id, prompt, o, validated)',
                  caret: true,
                },
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

function missingClassType(id: string): ComfyuiErrorItem {
  return {
    type: 'invalid_prompt',
    message: 'Cannot execute because a node is missing the class_type property.',
    details: `Node ID '#${id}'`,
    extra_info: {},
  };
}

function invalidPrompt(error: ComfyuiErrorItem): PromptValidation {
  return { ok: false, error, nodeErrors: {}, logLines: [] };
}
