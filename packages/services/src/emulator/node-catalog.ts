import { readFileSync } from 'node:fs';

/** One input of a node class, as `GET /object_info` describes it. */
export interface NodeInput {
  readonly name: string;
  readonly category: 'required' | 'optional';
  /** A type name (`INT`, `IMAGE`, `COMBO`, `*`) or the list of allowed values of a combo. */
  readonly type: string | readonly unknown[];
  /** The options object (`min`, `max`, `default`, `options`, ...), `{}` when absent. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** What validation and execution need to know about a node class. */
export interface NodeClass {
  readonly name: string;
  /** True for nodes that end a graph (SaveImage, PreviewImage, ...). */
  readonly outputNode: boolean;
  /** RETURN_TYPES: one type per output slot. */
  readonly outputs: readonly unknown[];
  /** Required inputs then optional ones, in `input_order`. */
  readonly inputs: readonly NodeInput[];
}

/** Model and input-file lists that change at run time. */
export interface DynamicLists {
  /** File names offered for every `ckpt_name` combo. */
  checkpoints(): readonly string[];
  /** File names in the input folder, offered for image-upload combos (LoadImage). */
  inputFiles(): readonly string[];
}

/** The node classes the emulator knows, with ComfyUI's object_info answers. */
export interface NodeCatalog {
  get(name: string): NodeClass | undefined;
  /** The `GET /object_info` body. */
  objectInfo(): Record<string, unknown>;
  /** The `GET /object_info/{name}` body: `{name: info}`, or `{}` for an unknown class. */
  objectInfoFor(name: string): Record<string, unknown>;
}

/** Path of the object_info.json captured from ComfyUI 0.3.64 that ships with the package. */
export const OBJECT_INFO_FILE = new URL('../../emulator-data/object_info.json', import.meta.url);

/** Reads and parses the shipped object_info.json. Throws when it is missing or not an object. */
export function readObjectInfoFile(file: URL | string = OBJECT_INFO_FILE): Record<string, unknown> {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (!isRecord(parsed)) throw new Error(`${String(file)}: expected a JSON object of node classes`);
  return parsed;
}

/**
 * Builds the catalog over a parsed object_info body. Checkpoint combos (`ckpt_name`)
 * and image-upload combos take their values from `lists` on every call, so uploads and
 * configured models show up as in ComfyUI.
 */
export function createNodeCatalog(objectInfo: Record<string, unknown>, lists: DynamicLists): NodeCatalog {
  const withLists = (name: string): Record<string, unknown> | undefined => {
    const info = Object.hasOwn(objectInfo, name) ? objectInfo[name] : undefined;
    if (!isRecord(info) || !isRecord(info['input'])) return undefined;
    const input: Record<string, unknown> = {};
    for (const [category, specs] of Object.entries(info['input'])) {
      if (!isRecord(specs) || category === 'hidden') {
        input[category] = specs;
        continue;
      }
      const patched: Record<string, unknown> = {};
      for (const [inputName, spec] of Object.entries(specs)) patched[inputName] = patchSpec(inputName, spec, lists);
      input[category] = patched;
    }
    return { ...info, input };
  };
  return {
    get(name) {
      const info = withLists(name);
      return info === undefined ? undefined : toNodeClass(name, info);
    },
    objectInfo() {
      const out: Record<string, unknown> = {};
      for (const name of Object.keys(objectInfo)) out[name] = withLists(name);
      return out;
    },
    objectInfoFor(name) {
      const info = withLists(name);
      return info === undefined ? {} : { [name]: info };
    },
  };
}

function patchSpec(inputName: string, spec: unknown, lists: DynamicLists): unknown {
  if (!Array.isArray(spec) || !Array.isArray(spec[0])) return spec;
  const options: unknown = spec[1];
  if (inputName === 'ckpt_name') return [[...lists.checkpoints()], ...spec.slice(1)];
  if (isRecord(options) && options['image_upload'] === true) return [[...lists.inputFiles()], ...spec.slice(1)];
  return spec;
}

function toNodeClass(name: string, info: Record<string, unknown>): NodeClass {
  const input = info['input'] as Record<string, unknown>;
  const order = isRecord(info['input_order']) ? info['input_order'] : {};
  const inputs: NodeInput[] = [];
  for (const category of ['required', 'optional'] as const) {
    const specs = input[category];
    if (!isRecord(specs)) continue;
    const listed = order[category];
    const names = Array.isArray(listed) ? listed.filter((n): n is string => typeof n === 'string') : Object.keys(specs);
    for (const inputName of names) {
      const spec = specs[inputName];
      if (!Array.isArray(spec)) continue;
      const type: unknown = spec[0];
      inputs.push({
        name: inputName,
        category,
        type: typeof type === 'string' || Array.isArray(type) ? type : '*',
        options: isRecord(spec[1]) ? spec[1] : {},
      });
    }
  }
  return {
    name,
    outputNode: info['output_node'] === true,
    outputs: Array.isArray(info['output']) ? info['output'] : [],
    inputs,
  };
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
