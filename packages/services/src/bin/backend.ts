#!/usr/bin/env node
// The backend service process: reads the environment once, logs to $LOG_DIR/backend.log,
// serves the app until SIGTERM/SIGINT. Exit codes: 0 stopped, 1 fatal, 2 bad configuration.
import { createBackendApp } from '../backend/create-backend-app.js';
import { loadBackendConfig, summarizeBackendConfig } from '../backend/load-backend-config.js';
import { runMain, runService } from '../http/run-service.js';
import { createServiceLogger } from '../logging/create-service-logger.js';
import { logRefusedRequests } from '../http/log-refused-requests.js';
import { startServer } from '../http/start-server.js';
import { createInFlightTracker } from '../http/create-in-flight-tracker.js';
import { createSpanExport } from '../otel/create-span-export.js';
import { describeOtelConfig, loadOtelConfig, OTEL_FLUSH_DEADLINE_MS } from '../otel/load-otel-config.js';

// How long, after the shutdown deadline cancelled the GPU calls still running, their
// connections stay open so the clients get a 503 rather than a reset.
const CANCEL_GRACE_MS = 1000;

runMain('backend', async () => {
  const config = loadBackendConfig(process.env);
  const otel = loadOtelConfig(process.env, 'backend');
  // With export off the OpenTelemetry packages are never imported.
  const spans = otel.enabled ? await createSpanExport(otel) : undefined;
  const logger = createServiceLogger({ service: 'backend', logDir: config.logDir, level: config.logLevel });
  const inFlight = createInFlightTracker();
  const stopping = new AbortController();
  const app = createBackendApp({ config, logger, inFlight, shutdownSignal: stopping.signal, ...(spans === undefined ? {} : { spans }) });
  await runService({
    logger,
    summary: { ...summarizeBackendConfig(config), ...describeOtelConfig(otel) },
    shutdownDeadlineMs: config.shutdownTimeoutMs,
    async start() {
      const running = await startServer({
        fetch: app.fetch,
        host: config.host,
        port: config.port,
        clientErrors: { onRefused: logRefusedRequests(logger) },
      });
      return {
        ...running,
        async stop(deadlineMs = config.shutdownTimeoutMs) {
          const cancel = setTimeout(() => stopping.abort(), deadlineMs);
          try {
            await running.stop(deadlineMs + CANCEL_GRACE_MS);
          } finally {
            clearTimeout(cancel);
          }
        },
      };
    },
    // Requests cut off at the deadline still write their response_sent line.
    onStop: async () => {
      await inFlight.idle(CANCEL_GRACE_MS);
      await spans?.shutdown(OTEL_FLUSH_DEADLINE_MS);
    },
  });
});
