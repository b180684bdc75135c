#!/usr/bin/env node
// The GPU server: turns generation requests into ComfyUI workflow runs.
import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { newId } from '@logtrace/shared';
import { createComfyuiClient } from '../comfyui/create-comfyui-client.js';
import { createComfyuiWatcher } from '../comfyui/create-comfyui-watcher.js';
import { createGpuServerApp } from '../gpu-server/create-gpu-server-app.js';
import { createInFlightTracker } from '../http/create-in-flight-tracker.js';
import { comfyuiClientOptions, loadGpuServerConfig } from '../gpu-server/load-gpu-server-config.js';
import { cancelOrphanedPrompts } from '../gpu-server/cancel-orphaned-prompts.js';
import { defaultInstanceId } from '../gpu-server/instance-id.js';
import { runMain, runService } from '../http/run-service.js';
import { createServiceLogger } from '../logging/create-service-logger.js';
import { logRefusedRequests } from '../http/log-refused-requests.js';
import { startServer } from '../http/start-server.js';
import { createSpanExport } from '../otel/create-span-export.js';
import { describeOtelConfig, loadOtelConfig, OTEL_FLUSH_DEADLINE_MS } from '../otel/load-otel-config.js';

// How long, after the shutdown deadline, cut-off generations get to cancel and log.
const CANCEL_GRACE_MS = 6000;

runMain('gpu-server', async () => {
  const config = loadGpuServerConfig(process.env);
  const otel = loadOtelConfig(process.env, 'gpu_server');
  // With export off the OpenTelemetry packages are never imported.
  const spans = otel.enabled ? await createSpanExport(otel) : undefined;
  const logger = createServiceLogger({ service: 'gpu_server', logDir: config.logDir, level: config.logLevel });
  const comfyui = createComfyuiClient(comfyuiClientOptions(config));
  const inFlight = createInFlightTracker();
  // One websocket client id for this process: every prompt it submits carries it.
  const watcher = createComfyuiWatcher({ baseUrl: config.comfyuiUrl, clientId: newId(), logger, stallMs: config.stallMs, now: Date.now });
  const liveGenerations = new Set<string>();
  const instanceId = config.instanceId ?? defaultInstanceId(hostname(), config.port, newId);
  const app = createGpuServerApp({
    config,
    logger,
    comfyui,
    inFlight,
    watcher,
    instanceId,
    liveGenerations,
    ...(spans === undefined ? {} : { spans }),
    newId,
    now: Date.now,
    randomSeed: () => randomInt(0, 2 ** 48 - 1),
  });
  await runService({
    logger,
    shutdownDeadlineMs: config.shutdownTimeoutMs,
    start: async () => {
      const running = await startServer({
        fetch: app.fetch,
        host: config.host,
        port: config.port,
        clientErrors: { onRefused: logRefusedRequests(logger) },
      });
      watcher.start();
      return running;
    },
    // Generations cut off at the deadline see their caller gone: they cancel their
    // ComfyUI prompt and write error_comfyui; give them that time before exiting.
    onStop: async () => {
      await inFlight.idle(CANCEL_GRACE_MS);
      watcher.close();
      await spans?.shutdown(OTEL_FLUSH_DEADLINE_MS);
    },
    summary: {
      host: config.host,
      comfyui_url: config.comfyuiUrl,
      comfyui_timeout_ms: config.comfyuiTimeoutMs,
      poll_interval_ms: config.pollIntervalMs,
      comfyui_client_id: watcher.clientId,
      comfyui_stall_ms: config.stallMs,
      workflow_dir: config.workflowDir,
      auth: config.token === undefined ? 'off' : 'bearer',
      log_level: config.logLevel,
      shutdown_timeout_ms: config.shutdownTimeoutMs,
      instance_id: instanceId,
      ...describeOtelConfig(otel),
    },
  });
  // In the background: start never waits for (or fails because of) ComfyUI.
  void cancelOrphanedPrompts({ comfyui, logger, instanceId, isLive: (id) => liveGenerations.has(id) });
});
