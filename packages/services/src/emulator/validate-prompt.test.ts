import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createNodeCatalog, readObjectInfoFile } from './node-catalog.js';
import { validatePrompt } from './validate-prompt.js';
import { PythonError } from './python-error.js';

const FIXTURES = new URL('../../test/fixtures/comfyui/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as unknown;

interface Exchange {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly request_body: unknown;
  readonly status: number;
  readonly file: string;
}
const exchanges = fixture('exchanges.json') as Exchange[];
const requestOf = (name: string): Record<string, unknown> =>
  exchanges.find((e) => e.name === name)?.request_body as Record<string, unknown>;

const objectInfo = readObjectInfoFile();
// The capture had no checkpoints and one input file.
const captured = createNodeCatalog(objectInfo, { checkpoints: () => [], inputFiles: () => ['example.png'] });

describe('validatePrompt against the captured 400 answers', () => {
  it.each([
    'prompt-invalid-400',
    'prompt-invalid-txt2img-missing-ckpt-400',
    'prompt-invalid-unknown-node-400',
    'prompt-invalid-no-outputs-400',
    'prompt-invalid-bad-slot-400',
    'prompt-invalid-type-mismatch-400',
    'prompt-invalid-bad-int-400',
    'prompt-invalid-loadimage-missing-400',
  ])('%s gives the same error and node_errors', (name) => {
    const result = validatePrompt(requestOf(name)['prompt'], captured);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect({ error: result.error, node_errors: result.nodeErrors }).toEqual(fixture(`${name}.json`));
  });

  it('prints the validation block ComfyUI printed for width 0 and a missing prefix', () => {
    const result = validatePrompt(requestOf('prompt-invalid-400')['prompt'], captured);
    expect(result.logLines).toEqual([
      'Failed to validate prompt for output 3:',
      '* (prompt):',
      '  - Required input is missing: filename_prefix',
      '* EmptyImage 1:',
      '  - Value 0 smaller than min of 1: width',
      '* SaveImage 3:',
      '  - Required input is missing: filename_prefix',
      'Output will be ignored',
    ]);
  });

  it('accepts the captured valid prompts and lists their outputs', () => {
    for (const name of ['prompt-ok', 'prompt-preview', 'prompt-subfolder', 'prompt-exec-error', 'prompt-slow']) {
      const result = validatePrompt(requestOf(name)['prompt'], captured);
      expect(result, name).toMatchObject({ ok: true, nodeErrors: {}, logLines: [] });
    }
  });

  it('accepts txt2img once the checkpoint exists, converting literals as ComfyUI does', () => {
    const catalog = createNodeCatalog(objectInfo, {
      checkpoints: () => ['v1-5-pruned-emaonly.safetensors'],
      inputFiles: () => [],
    });
    const prompt = structuredClone(requestOf('prompt-invalid-txt2img-missing-ckpt-400')['prompt']) as Record<
      string,
      { inputs: Record<string, unknown> }
    >;
    (prompt['5'] as { inputs: Record<string, unknown> }).inputs['width'] = '640';
    const result = validatePrompt(prompt, catalog);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.outputs).toEqual(['9']);
    expect(result.graph['5']?.inputs['width']).toBe(640);
  });

  it('keeps the good outputs and reports the bad one with a 200-style result', () => {
    const prompt = {
      '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 0 } },
      '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'a' } },
      '3': { class_type: 'SaveImage', inputs: { images: ['1', 0] } },
    };
    const result = validatePrompt(prompt, captured);
    expect(result).toMatchObject({ ok: true, outputs: ['2'] });
    expect(result.nodeErrors['3']?.errors[0]?.type).toBe('required_input_missing');
  });

  it('reports bigger-than-max, not-in-list, bad links and cycles', () => {
    const prompt = {
      '1': { class_type: 'EmptyImage', inputs: { width: 20000, height: 64, batch_size: 1, color: 0 } },
      '2': { class_type: 'ImageBlur', inputs: { image: ['1'], blur_radius: 1, sigma: 1.0 } },
      '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'a' } },
      '4': { class_type: 'ImageScale', inputs: { image: ['1', 0], upscale_method: 'magic', width: 8, height: 8, crop: 'disabled' } },
      '5': { class_type: 'PreviewImage', inputs: { images: ['4', 0] } },
      '6': { class_type: 'ImageInvert', inputs: { image: ['7', 0] } },
      '7': { class_type: 'ImageInvert', inputs: { image: ['6', 0] } },
      '8': { class_type: 'PreviewImage', inputs: { images: ['7', 0] } },
    };
    const result = validatePrompt(prompt, captured);
    expect(result.ok).toBe(false);
    const types = Object.values(result.nodeErrors).flatMap((e) => e.errors.map((x) => x.type));
    expect(types).toEqual(expect.arrayContaining(['bad_linked_input', 'value_bigger_than_max', 'value_not_in_list', 'dependency_cycle']));
  });

  it('crashes like ComfyUI on a graph that is not iterable', () => {
    expect(() => validatePrompt(42, captured)).toThrow(PythonError);
    expect(validatePrompt([], captured)).toMatchObject({ ok: false, error: { type: 'prompt_no_outputs' } });
  });
});
