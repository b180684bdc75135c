import type { FieldProblem } from '../http/read-json-body.js';

/** A validated generation request, with defaults filled in. */
export interface GenerateParams {
  readonly prompt: string;
  readonly negative_prompt: string;
  /** Pixels, a multiple of 8. */
  readonly width: number;
  /** Pixels, a multiple of 8. */
  readonly height: number;
  readonly steps: number;
  /** Sampler seed; undefined lets the GPU server pick one. */
  readonly seed: number | undefined;
  /** Workflow name: an identifier, never a path. */
  readonly workflow: string;
}

/** Bounds applied by validateGenerateRequest. */
export interface GenerateLimits {
  /** Longest accepted prompt (and negative prompt), in characters. */
  readonly maxPromptChars: number;
  readonly minSize: number;
  readonly maxSize: number;
  readonly maxSteps: number;
}

/** Default bounds: prompts up to 4000 characters, 64..2048 px, 1..150 steps. */
export const DEFAULT_GENERATE_LIMITS: GenerateLimits = Object.freeze({
  maxPromptChars: 4000,
  minSize: 64,
  maxSize: 2048,
  maxSteps: 150,
});

/** Defaults for the optional fields. */
export const GENERATE_DEFAULTS = Object.freeze({
  negative_prompt: '',
  width: 512,
  height: 512,
  steps: 20,
  workflow: 'default',
});

/** Result of validateGenerateRequest: the params, or every problem found. */
export type GenerateValidation =
  { readonly ok: true; readonly params: GenerateParams } | { readonly ok: false; readonly errors: readonly FieldProblem[] };

const KNOWN_FIELDS = new Set(['prompt', 'negative_prompt', 'width', 'height', 'steps', 'seed', 'workflow']);
const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
// C0 controls other than tab/newline/carriage return, DEL, C1 controls, and the
// bidirectional overrides/isolates that can make text display differently from its content.
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const MAX_SEED = Number.MAX_SAFE_INTEGER;

/**
 * Validates the JSON body of a generation request (backend `POST /api/generate` and
 * GPU server `POST /generate`). Unknown fields are rejected, so a misspelt option is
 * an error rather than silently ignored. Reports every problem at once; field names in
 * problems are ours, never keys copied from the input.
 */
export function validateGenerateRequest(value: unknown, limits: GenerateLimits = DEFAULT_GENERATE_LIMITS): GenerateValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, errors: [{ field: 'body', message: 'must be a JSON object' }] };
  }
  const body = value as Record<string, unknown>;
  const errors: FieldProblem[] = [];
  const unknown = Object.keys(body).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0) {
    errors.push({ field: 'body', message: `has ${unknown.length} unknown field(s); allowed: ${[...KNOWN_FIELDS].join(', ')}` });
  }
  const prompt = readText(body, 'prompt', true, limits.maxPromptChars, errors);
  const negative = readText(body, 'negative_prompt', false, limits.maxPromptChars, errors);
  const width = readInt(body, 'width', limits.minSize, limits.maxSize, 8, errors);
  const height = readInt(body, 'height', limits.minSize, limits.maxSize, 8, errors);
  const steps = readInt(body, 'steps', 1, limits.maxSteps, 1, errors);
  const seed = readInt(body, 'seed', 0, MAX_SEED, 1, errors);
  let workflow: string = GENERATE_DEFAULTS.workflow;
  if (own(body, 'workflow') !== undefined) {
    const raw = own(body, 'workflow');
    if (typeof raw !== 'string' || !WORKFLOW_NAME.test(raw)) {
      errors.push({ field: 'workflow', message: 'must be a name of letters, digits, _ or - (at most 64), not a path' });
    } else {
      workflow = raw;
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    params: {
      prompt: prompt ?? '',
      negative_prompt: negative ?? GENERATE_DEFAULTS.negative_prompt,
      width: width ?? GENERATE_DEFAULTS.width,
      height: height ?? GENERATE_DEFAULTS.height,
      steps: steps ?? GENERATE_DEFAULTS.steps,
      seed,
      workflow,
    },
  };
}

function own(body: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(body, key) ? body[key] : undefined;
}

function readText(
  body: Record<string, unknown>,
  field: string,
  required: boolean,
  maxChars: number,
  errors: FieldProblem[],
): string | undefined {
  const value = own(body, field);
  if (value === undefined || value === null) {
    if (required) errors.push({ field, message: 'is required' });
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.push({ field, message: 'must be a string' });
    return undefined;
  }
  if (required && value.trim() === '') {
    errors.push({ field, message: 'must not be empty' });
    return undefined;
  }
  if (value.length > maxChars) {
    errors.push({ field, message: `must be at most ${maxChars} characters` });
    return undefined;
  }
  if (FORBIDDEN_CHARS.test(value)) {
    errors.push({ field, message: 'must not contain control characters or bidirectional overrides' });
    return undefined;
  }
  return value;
}

function readInt(
  body: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
  multipleOf: number,
  errors: FieldProblem[],
): number | undefined {
  const value = own(body, field);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    errors.push({ field, message: 'must be an integer' });
    return undefined;
  }
  if (value < min || value > max) {
    errors.push({ field, message: `must be from ${min} to ${max}` });
    return undefined;
  }
  if (value % multipleOf !== 0) {
    errors.push({ field, message: `must be a multiple of ${multipleOf}` });
    return undefined;
  }
  return value;
}
