import { fileURLToPath } from 'node:url';
import { createEnvReader } from '@logtrace/shared';
import type { ComfyuiClientOptions } from '../comfyui/create-comfyui-client.js';

/** The GPU server's configuration, read once at start (times in ms, sizes in bytes). */
export interface GpuServerConfig {
  readonly host: string;
  readonly port: number;
  readonly logDir: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** ComfyUI's base URL, without a trailing slash. */
  readonly comfyuiUrl: string;
  /** Overall deadline from submitting a prompt until its outputs are ready. */
  readonly comfyuiTimeoutMs: number;
  /** Pause between two `GET /history/{id}` polls. */
  readonly pollIntervalMs: number;
  /** Deadline of `POST /prompt`. */
  readonly submitTimeoutMs: number;
  /** Deadline of each poll and of the health check's `GET /system_stats`. */
  readonly pollTimeoutMs: number;
  /** Deadline of the image download. */
  readonly viewTimeoutMs: number;
  /** Directory of API-format workflow files `<name>.json`. */
  readonly workflowDir: string;
  /** Shared secret callers must send as `Authorization: Bearer <token>`; undefined = no auth. */
  readonly token: string | undefined;
  /** Largest image accepted from ComfyUI. */
  readonly maxImageBytes: number;
  /** Sent to ComfyUI as `extra_data.api_key_comfy_org` (for its paid API nodes); never logged. */
  readonly comfyuiApiKey: string | undefined;
  /** How long SIGTERM waits for in-flight generations before cutting them off. */
  readonly shutdownTimeoutMs: number;
  /** Silence on ComfyUI's websocket about a running prompt after which `comfyui_stalled` is written. */
  readonly stallMs: number;
  /** GPU_SERVER_ID: this server's name in its prompts' marker; undefined = defaultInstanceId. */
  readonly instanceId: string | undefined;
}

/** The workflows shipped with the package (`packages/services/workflows`), wherever the process runs. */
export const SHIPPED_WORKFLOW_DIR = fileURLToPath(new URL('../../workflows', import.meta.url));

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
const TOKEN = /^[\x21-\x7e]+$/;
const INSTANCE_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

/**
 * Reads the GPU server's configuration from the environment. Every problem is reported
 * at once in one ConfigError. LOG_LEVEL defaults to `debug` so the `comfyui_polling`
 * progress lines (DEBUG by catalog, one per ten polls) are written.
 */
export function loadGpuServerConfig(env: Readonly<Record<string, string | undefined>>): GpuServerConfig {
  const read = createEnvReader(env);
  const token = read.optionalString('GPU_SERVER_TOKEN');
  const config: GpuServerConfig = {
    host: read.string('HOST', '127.0.0.1'),
    port: read.port('PORT', 8002),
    logDir: read.string('LOG_DIR', './logs'),
    logLevel: read.oneOf('LOG_LEVEL', 'debug', LOG_LEVELS),
    comfyuiUrl: read.url('COMFYUI_URL', 'http://127.0.0.1:8188'),
    comfyuiTimeoutMs: read.int('COMFYUI_TIMEOUT_MS', 120_000, { min: 1, max: 86_400_000 }),
    pollIntervalMs: read.int('COMFYUI_POLL_INTERVAL_MS', 500, { min: 1, max: 60_000 }),
    submitTimeoutMs: read.int('COMFYUI_SUBMIT_TIMEOUT_MS', 10_000, { min: 1, max: 600_000 }),
    pollTimeoutMs: read.int('COMFYUI_POLL_TIMEOUT_MS', 5000, { min: 1, max: 600_000 }),
    viewTimeoutMs: read.int('COMFYUI_VIEW_TIMEOUT_MS', 30_000, { min: 1, max: 600_000 }),
    workflowDir: read.string('WORKFLOW_DIR', SHIPPED_WORKFLOW_DIR),
    token,
    maxImageBytes: read.int('GPU_MAX_IMAGE_BYTES', 16 * 1024 * 1024, { min: 1024, max: 1024 * 1024 * 1024 }),
    comfyuiApiKey: read.optionalString('COMFYUI_API_KEY'),
    shutdownTimeoutMs: read.int('SHUTDOWN_TIMEOUT_MS', 10_000, { min: 0, max: 600_000 }),
    stallMs: read.int('COMFYUI_STALL_MS', 60_000, { min: 1, max: 86_400_000 }),
    instanceId: read.optionalString('GPU_SERVER_ID'),
  };
  if (config.instanceId !== undefined && !INSTANCE_ID.test(config.instanceId)) {
    read.problem(`GPU_SERVER_ID: expected 1-128 letters, digits or ${'_.:@-'}, got ${JSON.stringify(config.instanceId.slice(0, 40))}`);
  }
  // The reader echoes bad values; a secret must not reach stderr, so it is checked here.
  if (token !== undefined && !TOKEN.test(token))
    read.problem('GPU_SERVER_TOKEN: expected printable ASCII without spaces (value not shown)');
  read.finish();
  return Object.freeze(config);
}

/** The ComfyUI client settings this configuration asks for: base URL, per-call deadlines, image cap. */
export function comfyuiClientOptions(config: GpuServerConfig): ComfyuiClientOptions {
  return {
    baseUrl: config.comfyuiUrl,
    submitTimeoutMs: config.submitTimeoutMs,
    pollTimeoutMs: config.pollTimeoutMs,
    viewTimeoutMs: config.viewTimeoutMs,
    maxImageBytes: config.maxImageBytes,
  };
}
