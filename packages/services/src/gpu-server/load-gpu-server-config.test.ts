import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@logtrace/shared';
import { loadGpuServerConfig, SHIPPED_WORKFLOW_DIR } from './load-gpu-server-config.js';

describe('loadGpuServerConfig', () => {
  it('has the documented defaults, with the shipped workflows found wherever the process runs', () => {
    expect(loadGpuServerConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8002,
      logDir: './logs',
      logLevel: 'debug',
      comfyuiUrl: 'http://127.0.0.1:8188',
      comfyuiTimeoutMs: 120_000,
      pollIntervalMs: 500,
      submitTimeoutMs: 10_000,
      pollTimeoutMs: 5000,
      viewTimeoutMs: 30_000,
      workflowDir: SHIPPED_WORKFLOW_DIR,
      token: undefined,
      maxImageBytes: 16 * 1024 * 1024,
      comfyuiApiKey: undefined,
      shutdownTimeoutMs: 10_000,
      stallMs: 60_000,
    });
    expect(existsSync(path.join(SHIPPED_WORKFLOW_DIR, 'default.json'))).toBe(true);
  });

  it('takes GPU_SERVER_ID as the instance id, and refuses one that could not sit in a marker', () => {
    expect(loadGpuServerConfig({ GPU_SERVER_ID: 'gpu-a@rack2:8002' }).instanceId).toBe('gpu-a@rack2:8002');
    expect(() => loadGpuServerConfig({ GPU_SERVER_ID: 'has space' })).toThrow(/GPU_SERVER_ID: expected 1-128 letters/);
  });

  it('reads every variable and reports all problems at once', () => {
    expect(
      loadGpuServerConfig({ PORT: '9002', COMFYUI_URL: 'http://gpu-box:8188/', GPU_SERVER_TOKEN: 's3cret', COMFYUI_TIMEOUT_MS: '5000' }),
    ).toMatchObject({ port: 9002, comfyuiUrl: 'http://gpu-box:8188', token: 's3cret', comfyuiTimeoutMs: 5000 });
    expect(loadGpuServerConfig({ COMFYUI_STALL_MS: '250' }).stallMs).toBe(250);
    let error: unknown;
    try {
      loadGpuServerConfig({
        PORT: '70000',
        COMFYUI_URL: 'ftp://x',
        LOG_LEVEL: 'loud',
        GPU_SERVER_TOKEN: 'has space',
        COMFYUI_STALL_MS: '0',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(5);
    expect((error as ConfigError).message).toContain('COMFYUI_STALL_MS');
    expect((error as ConfigError).message).not.toContain('has space');
  });

  it('refuses credentials in COMFYUI_URL without showing them (the URL is logged in service_start and /health)', () => {
    expect(() => loadGpuServerConfig({ COMFYUI_URL: 'http://admin:hunter2@comfy:8188' })).toThrow(
      /COMFYUI_URL: must not contain credentials/,
    );
    try {
      loadGpuServerConfig({ COMFYUI_URL: 'http://admin:hunter2@comfy:8188' });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});
