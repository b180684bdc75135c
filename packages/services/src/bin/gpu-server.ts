#!/usr/bin/env node
// The GPU server: turns generation requests into ComfyUI workflow runs.
import { randomInt } from 'node:crypto';
import { createLogger, newId } from '@logtrace/shared';
import { createComfyUiClient } from '../comfyui/create-comfyui-client.js';
import { createGpuServerApp } from '../gpu-server/create-gpu-server-app.js';
import { loadGpuServerConfig } from '../gpu-server/load-gpu-server-config.js';
import { runMain, runService } from '../http/run-service.js';
import { startServer } from '../http/start-server.js';

runMain('gpu-server', async () => {
  const config = loadGpuServerConfig(process.env);
  const logger = createLogger({ service: 'gpu_server', logDir: config.logDir, level: config.logLevel });
  const comfy = createComfyUiClient({
    baseUrl: config.comfyuiUrl,
    submitTimeoutMs: config.submitTimeoutMs,
    pollTimeoutMs: config.pollTimeoutMs,
    viewTimeoutMs: config.viewTimeoutMs,
    maxImageBytes: config.maxImageBytes,
  });
  const app = createGpuServerApp({
    config,
    logger,
    comfy,
    newId,
    now: Date.now,
    randomSeed: () => randomInt(0, 2 ** 48 - 1),
  });
  await runService({
    logger,
    start: () => startServer({ fetch: app.fetch, host: config.host, port: config.port }),
    summary: {
      host: config.host,
      comfyui_url: config.comfyuiUrl,
      comfyui_timeout_ms: config.comfyuiTimeoutMs,
      poll_interval_ms: config.pollIntervalMs,
      workflow_dir: config.workflowDir,
      auth: config.token === undefined ? 'off' : 'bearer',
      log_level: config.logLevel,
    },
  });
});
