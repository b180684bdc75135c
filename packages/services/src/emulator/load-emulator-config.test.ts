import { describe, expect, it } from 'vitest';
import { ConfigError } from '@logtrace/shared';
import { loadEmulatorConfig } from './load-emulator-config.js';

describe('loadEmulatorConfig', () => {
  it('defaults to ComfyUI on 127.0.0.1:8188 with realistic times and no faults', () => {
    expect(loadEmulatorConfig({})).toMatchObject({
      host: '127.0.0.1',
      port: 8188,
      stepMs: 50,
      nodeMs: 10,
      loadMs: 1500,
      jitter: 0.2,
      faults: [],
      faultRate: 1,
      checkpoints: ['v1-5-pruned-emaonly.safetensors'],
      websocket: true,
    });
    expect(loadEmulatorConfig({ EMULATOR_WEBSOCKET: 'off' }).websocket).toBe(false);
  });

  it("takes ComfyUI's --listen and --port over HOST and PORT", () => {
    expect(loadEmulatorConfig({ PORT: '9000' }, ['--listen', '0.0.0.0', '--port', '8190'])).toMatchObject({ host: '0.0.0.0', port: 8190 });
    expect(loadEmulatorConfig({}, ['--listen'])).toMatchObject({ host: '0.0.0.0' });
  });

  it('reads faults, rates and times, and reports every problem at once', () => {
    expect(loadEmulatorConfig({ EMULATOR_FAULTS: 'oom, error', EMULATOR_FAULT_RATE: '0.25', EMULATOR_STEP_MS: '0' })).toMatchObject({
      faults: ['oom', 'error'],
      faultRate: 0.25,
      stepMs: 0,
    });
    let error: unknown;
    try {
      loadEmulatorConfig({ EMULATOR_FAULTS: 'meteor', EMULATOR_JITTER: '2', PORT: 'x', EMULATOR_WEBSOCKET: 'maybe' }, ['--bogus']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(5);
  });
});
