import { createHash } from 'node:crypto';
import type { GenerateParams } from '../generation/validate-generate-request.js';
import { clipText } from './clip-text.js';

/** Who sent a request, from the connection and headers (untrusted). */
export interface ClientInfo {
  readonly address: string | undefined;
  readonly userAgent: string | undefined;
}

/** How much of the prompt goes into the log. */
export interface PromptLogging {
  /** Log the prompt text itself (default off: only its length and a hash prefix). */
  readonly logPromptText: boolean;
  /** Characters of prompt text kept when it is logged. */
  readonly logPromptMaxChars: number;
}

const MAX_HEADER_CHARS = 256;

/**
 * The fields of a `generate_request` line: sizes, steps, seed, workflow, the prompt's
 * length in characters and the first 16 hex digits of its SHA-256 (so equal prompts
 * can be matched without storing them), the prompt text only when configured and then
 * truncated, and the client's address and user agent (truncated, controls replaced).
 * For a request that failed validation (`params` undefined) only `valid: false` and the
 * client. Every key is ours; nothing from the request names a field. Pure.
 */
export function describeGenerateRequest(
  params: GenerateParams | undefined,
  client: ClientInfo,
  logging: PromptLogging,
): Record<string, unknown> {
  const fields: Record<string, unknown> = params === undefined ? { valid: false } : describeParams(params, logging);
  // Header values cannot carry CR/LF (Node rejects them) but may carry other controls.
  if (client.address !== undefined) fields['client_address'] = clipText(client.address, MAX_HEADER_CHARS, { replaceControls: true });
  if (client.userAgent !== undefined) fields['user_agent'] = clipText(client.userAgent, MAX_HEADER_CHARS, { replaceControls: true });
  return fields;
}

function describeParams(params: GenerateParams, logging: PromptLogging): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    workflow: params.workflow,
    width: params.width,
    height: params.height,
    steps: params.steps,
    prompt_chars: params.prompt.length,
    prompt_sha256: createHash('sha256').update(params.prompt, 'utf8').digest('hex').slice(0, 16),
    negative_prompt_chars: params.negative_prompt.length,
  };
  if (params.seed !== undefined) fields['seed'] = params.seed;
  if (logging.logPromptText) {
    fields['prompt'] = clipText(params.prompt, logging.logPromptMaxChars);
    if (params.prompt.length > logging.logPromptMaxChars) fields['prompt_truncated'] = true;
  }
  return fields;
}
