import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** An API-format ComfyUI graph: node id → `{class_type, inputs}`. */
export type ApiWorkflow = Record<string, { class_type: string; inputs: Record<string, unknown>; [key: string]: unknown }>;

/** Why a workflow could not be used: `workflow_not_found` or `workflow_invalid`. */
export class WorkflowError extends Error {
  readonly code: 'workflow_not_found' | 'workflow_invalid';

  constructor(code: 'workflow_not_found' | 'workflow_invalid', message: string) {
    super(message);
    this.name = 'WorkflowError';
    this.code = code;
  }
}

/** Largest workflow file read, in bytes. */
export const MAX_WORKFLOW_BYTES = 1024 * 1024;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Loads `<dir>/<name>.json`. The name is an identifier, never a path: `..`, `/`, `\`,
 * NUL, absolute paths and anything but letters, digits, `_` and `-` are refused, and
 * the resolved file (symlinks followed) must stay inside `dir`. The file must be
 * API-format JSON (`{"<id>": {"class_type", "inputs"}}`); a UI-format export is
 * refused with a hint.
 */
export async function loadWorkflow(dir: string, name: string): Promise<ApiWorkflow> {
  if (
    name.includes('\0') ||
    name.includes('..') ||
    name.includes('/') ||
    name.includes('\\') ||
    path.isAbsolute(name) ||
    !NAME.test(name)
  ) {
    throw new WorkflowError('workflow_not_found', 'a workflow name is letters, digits, _ and - only, not a path');
  }
  const root = path.resolve(dir);
  const file = path.resolve(root, `${name}.json`);
  const relative = path.relative(root, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new WorkflowError('workflow_not_found', `workflow ${name} is outside the workflow directory`);
  }
  let text: string;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
    const inside = path.relative(realRoot, realFile);
    if (inside.startsWith('..') || path.isAbsolute(inside)) {
      throw new WorkflowError('workflow_not_found', `workflow ${name} points outside the workflow directory`);
    }
    const info = await stat(realFile);
    if (!info.isFile()) throw new WorkflowError('workflow_not_found', `workflow ${name} is not a file`);
    if (info.size > MAX_WORKFLOW_BYTES) {
      throw new WorkflowError('workflow_invalid', `workflow ${name} is larger than ${MAX_WORKFLOW_BYTES} bytes`);
    }
    text = await readFile(realFile, 'utf8');
  } catch (err) {
    if (err instanceof WorkflowError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new WorkflowError('workflow_not_found', `no workflow named ${name}`);
    throw new WorkflowError('workflow_invalid', `workflow ${name} cannot be read (${code ?? 'error'})`);
  }
  return parseWorkflow(name, text);
}

/** Checks that parsed JSON is an API-format graph; throws `workflow_invalid` saying what is wrong. */
export function parseWorkflow(name: string, text: string): ApiWorkflow {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    throw new WorkflowError('workflow_invalid', `workflow ${name} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WorkflowError('workflow_invalid', `workflow ${name} must be a JSON object of nodes`);
  }
  const graph = value as Record<string, unknown>;
  if (Array.isArray(graph['nodes']) && Array.isArray(graph['links'])) {
    throw new WorkflowError('workflow_invalid', `workflow ${name} is a UI-format export; save it with "Export (API)" instead`);
  }
  const ids = Object.keys(graph);
  if (ids.length === 0) throw new WorkflowError('workflow_invalid', `workflow ${name} has no nodes`);
  for (const id of ids) {
    const node = graph[id];
    const ok =
      typeof node === 'object' &&
      node !== null &&
      !Array.isArray(node) &&
      typeof (node as Record<string, unknown>)['class_type'] === 'string' &&
      typeof (node as Record<string, unknown>)['inputs'] === 'object' &&
      (node as Record<string, unknown>)['inputs'] !== null &&
      !Array.isArray((node as Record<string, unknown>)['inputs']);
    if (!ok)
      throw new WorkflowError(
        'workflow_invalid',
        `workflow ${name}: node ${JSON.stringify(id)} needs a class_type string and an inputs object`,
      );
  }
  return graph as ApiWorkflow;
}
