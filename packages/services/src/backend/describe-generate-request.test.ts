import { describe, expect, it } from 'vitest';
import { GENERATE_DEFAULTS, type GenerateParams } from '../generation/validate-generate-request.js';
import { describeGenerateRequest } from './describe-generate-request.js';

const PARAMS: GenerateParams = { ...GENERATE_DEFAULTS, prompt: 'héllo wörld', seed: undefined };
const QUIET = { logPromptText: false, logPromptMaxChars: 200 };
const NO_CLIENT = { address: undefined, userAgent: undefined };

describe('describeGenerateRequest', () => {
  it('logs the prompt length and hash prefix, never the text by default', () => {
    expect(describeGenerateRequest(PARAMS, NO_CLIENT, QUIET)).toEqual({
      workflow: 'default',
      width: 512,
      height: 512,
      steps: 20,
      prompt_chars: 11,
      // sha256("héllo wörld") in UTF-8
      prompt_sha256: 'a1003f7d04a41157',
      negative_prompt_chars: 0,
    });
  });

  it('adds the seed when given and the truncated text when enabled', () => {
    const fields = describeGenerateRequest({ ...PARAMS, seed: 7 }, NO_CLIENT, { logPromptText: true, logPromptMaxChars: 8 });
    expect(fields).toMatchObject({ seed: 7, prompt: 'héllo...', prompt_truncated: true });
    const short = describeGenerateRequest(PARAMS, NO_CLIENT, { logPromptText: true, logPromptMaxChars: 200 });
    expect(short).toMatchObject({ prompt: 'héllo wörld' });
    expect(short).not.toHaveProperty('prompt_truncated');
  });

  it('clips the client info and replaces control characters', () => {
    const fields = describeGenerateRequest(PARAMS, { address: '::1', userAgent: `a\u001b[31m${'b'.repeat(1000)}` }, QUIET);
    expect(fields['client_address']).toBe('::1');
    expect(fields['user_agent']).toMatch(/^a\?\[31mb+\.\.\.$/);
    expect(String(fields['user_agent'])).toHaveLength(256);
  });

  it('describes an invalid request by its client only', () => {
    expect(describeGenerateRequest(undefined, { address: '127.0.0.1', userAgent: 'curl/8' }, QUIET)).toEqual({
      valid: false,
      client_address: '127.0.0.1',
      user_agent: 'curl/8',
    });
  });
});
