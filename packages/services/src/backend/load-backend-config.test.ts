import { describe, expect, it } from 'vitest';
import { ConfigError } from '@logtrace/shared';
import { BACKEND_DEFAULTS, loadBackendConfig, summarizeBackendConfig } from './load-backend-config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadBackendConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadBackendConfig', () => {
  it('uses the documented defaults, frozen', () => {
    const config = loadBackendConfig({});
    expect(config).toEqual({ ...BACKEND_DEFAULTS, gpuServerToken: undefined });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadBackendConfig({
      HOST: '0.0.0.0',
      PORT: '9000',
      LOG_DIR: '/var/log/logtrace',
      LOG_LEVEL: 'warn',
      GPU_SERVER_URL: 'http://gpu.internal:8002/',
      GPU_TIMEOUT_MS: '60000',
      GPU_SERVER_TOKEN: 'abc.DEF-123',
      GPU_MAX_RESPONSE_BYTES: '1048576',
      MAX_BODY_BYTES: '2048',
      MAX_PROMPT_CHARS: '1000',
      LOG_PROMPT_TEXT: 'yes',
      LOG_PROMPT_MAX_CHARS: '80',
      SHUTDOWN_TIMEOUT_MS: '0',
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 9000,
      logDir: '/var/log/logtrace',
      logLevel: 'warn',
      gpuServerUrl: 'http://gpu.internal:8002',
      gpuTimeoutMs: 60_000,
      gpuServerToken: 'abc.DEF-123',
      gpuMaxResponseBytes: 1_048_576,
      maxBodyBytes: 2048,
      maxPromptChars: 1000,
      logPromptText: true,
      logPromptMaxChars: 80,
      shutdownTimeoutMs: 0,
    });
  });

  it('reports every problem at once', () => {
    expect(
      problemsOf({
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        GPU_SERVER_URL: 'ftp://gpu',
        GPU_TIMEOUT_MS: '300001',
        MAX_BODY_BYTES: '10',
        LOG_PROMPT_TEXT: 'maybe',
      }),
    ).toEqual([
      'PORT: expected an integer from 0 to 65535, got "eighty"',
      'LOG_LEVEL: expected one of debug|info|warn|error|fatal|silent, got "loud"',
      'GPU_SERVER_URL: expected an http(s) URL, got "ftp://gpu"',
      'GPU_TIMEOUT_MS: expected an integer from 10 to 290000, got "300001"',
      'MAX_BODY_BYTES: expected an integer from 1024 to 1048576, got "10"',
      'LOG_PROMPT_TEXT: expected true or false, got "maybe"',
    ]);
  });

  it('rejects credentials or a query in GPU_SERVER_URL, and a bad token, without showing them', () => {
    const problems = problemsOf({ GPU_SERVER_URL: 'http://user:pw-hunter2@gpu:8002', GPU_SERVER_TOKEN: 'tok hunter2' });
    expect(problems).toEqual([
      'GPU_SERVER_URL: must not contain credentials (they would be logged)',
      'GPU_SERVER_TOKEN: expected 1 to 4096 printable ASCII characters without spaces (value not shown)',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problemsOf({ GPU_SERVER_URL: 'http://gpu:8002/?x=1' })).toEqual([
      'GPU_SERVER_URL: expected a base URL without query or fragment',
    ]);
  });

  it('summarizes the configuration for service_start without the token', () => {
    const summary = summarizeBackendConfig(loadBackendConfig({ GPU_SERVER_TOKEN: 'secret-token' }));
    expect(summary).toMatchObject({ gpu_auth: 'bearer', gpu_server_url: 'http://127.0.0.1:8002', host: '127.0.0.1' });
    expect(JSON.stringify(summary)).not.toContain('secret-token');
    expect(summarizeBackendConfig(loadBackendConfig({}))['gpu_auth']).toBe('none');
  });
});
