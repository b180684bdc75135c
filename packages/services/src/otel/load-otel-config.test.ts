import { describe, expect, it } from 'vitest';
import { ConfigError } from '@logtrace/shared';
import { loadOtelConfig } from './load-otel-config.js';

describe('loadOtelConfig', () => {
  it('is off unless an OTLP endpoint is set, and off when OTEL_SDK_DISABLED=true', () => {
    expect(loadOtelConfig({}, 'backend')).toEqual({ enabled: false });
    expect(loadOtelConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, 'backend')).toEqual({ enabled: false });
    expect(loadOtelConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'TRUE' }, 'backend')).toEqual({
      enabled: false,
    });
  });

  it('takes the standard variables, with the SDK defaults', () => {
    expect(loadOtelConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }, 'gpu_server')).toEqual({
      enabled: true,
      protocol: 'http/protobuf',
      serviceName: 'gpu_server',
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
      scheduleDelayMs: 5000,
      exportTimeoutMs: 30000,
    });
    expect(
      loadOtelConfig(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_SERVICE_NAME: 'imagegen-backend',
          OTEL_BSP_MAX_QUEUE_SIZE: '100',
          OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
        },
        'backend',
      ),
    ).toMatchObject({ protocol: 'http/json', serviceName: 'imagegen-backend', maxQueueSize: 100, maxExportBatchSize: 10 });
  });

  it('lists every problem at once: grpc is not spoken, numbers must be numbers', () => {
    const load = () =>
      loadOtelConfig(
        { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_BSP_MAX_QUEUE_SIZE: 'lots' },
        'backend',
      );
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'OTEL_EXPORTER_OTLP_PROTOCOL must be one of http/protobuf, http/json, got "grpc"',
        'OTEL_BSP_MAX_QUEUE_SIZE must be an integer from 1 to 1000000, got "lots"',
      ]);
    }
  });
});
