import { createEnvReader } from '@logtrace/shared';

/** Log levels a service can be told to write from (`silent` writes nothing). */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** The backend's configuration, read once at start from the environment. */
export interface BackendConfig {
  /** Address to listen on (`HOST`, default 127.0.0.1: loopback only). */
  readonly host: string;
  /** TCP port (`PORT`, default 8000; 0 picks a free one). */
  readonly port: number;
  /** Directory of `backend.log` (`LOG_DIR`, default ./logs). */
  readonly logDir: string;
  /** Lowest level written (`LOG_LEVEL`, default info). */
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** Base URL of the GPU server, no trailing slash (`GPU_SERVER_URL`). */
  readonly gpuServerUrl: string;
  /** Whole GPU call deadline, headers and body, in ms (`GPU_TIMEOUT_MS`). */
  readonly gpuTimeoutMs: number;
  /** Bearer token sent to the GPU server (`GPU_SERVER_TOKEN`); never logged. */
  readonly gpuServerToken: string | undefined;
  /** Largest GPU server response read, in bytes (`GPU_MAX_RESPONSE_BYTES`). */
  readonly gpuMaxResponseBytes: number;
  /** Largest request body accepted, in bytes (`MAX_BODY_BYTES`); larger → 413. */
  readonly maxBodyBytes: number;
  /** Longest prompt and negative prompt, in characters (`MAX_PROMPT_CHARS`). */
  readonly maxPromptChars: number;
  /** Whether `generate_request` carries the prompt text (`LOG_PROMPT_TEXT`, default false). */
  readonly logPromptText: boolean;
  /** Characters of prompt text logged when enabled (`LOG_PROMPT_MAX_CHARS`). */
  readonly logPromptMaxChars: number;
  /** How long SIGTERM/SIGINT waits for in-flight requests, in ms (`SHUTDOWN_TIMEOUT_MS`). */
  readonly shutdownTimeoutMs: number;
}

/** Defaults of every setting, as documented in the README. */
export const BACKEND_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8000,
  logDir: './logs',
  logLevel: 'info',
  gpuServerUrl: 'http://127.0.0.1:8002',
  // Longer than the GPU server's own ComfyUI deadline, so its more precise
  // comfyui_timeout answer arrives before the backend gives up.
  gpuTimeoutMs: 180_000,
  gpuMaxResponseBytes: 64 * 1024 * 1024,
  maxBodyBytes: 64 * 1024,
  maxPromptChars: 4000,
  logPromptText: false,
  logPromptMaxChars: 200,
  shutdownTimeoutMs: 10_000,
} as const);

// undici (Node's fetch) fails any call whose headers take over 300 s on its own, so a
// longer deadline would never be the one that fires.
const MAX_GPU_TIMEOUT_MS = 290_000;
const TOKEN = /^[\x21-\x7e]{1,4096}$/;

/**
 * Reads and checks the backend's environment variables. Pure: pass `process.env`.
 * Throws one ConfigError listing every problem; a bad token is reported without its
 * value.
 */
export function loadBackendConfig(env: Readonly<Record<string, string | undefined>>): BackendConfig {
  const read = createEnvReader(env);
  const d = BACKEND_DEFAULTS;
  const config: BackendConfig = {
    host: read.string('HOST', d.host),
    port: read.port('PORT', d.port),
    logDir: read.string('LOG_DIR', d.logDir),
    logLevel: read.oneOf('LOG_LEVEL', d.logLevel, LOG_LEVELS),
    gpuServerUrl: read.url('GPU_SERVER_URL', d.gpuServerUrl),
    gpuTimeoutMs: read.int('GPU_TIMEOUT_MS', d.gpuTimeoutMs, { min: 10, max: MAX_GPU_TIMEOUT_MS }),
    gpuServerToken: read.optionalString('GPU_SERVER_TOKEN'),
    gpuMaxResponseBytes: read.int('GPU_MAX_RESPONSE_BYTES', d.gpuMaxResponseBytes, { min: 1024, max: 512 * 1024 * 1024 }),
    maxBodyBytes: read.int('MAX_BODY_BYTES', d.maxBodyBytes, { min: 1024, max: 1024 * 1024 }),
    maxPromptChars: read.int('MAX_PROMPT_CHARS', d.maxPromptChars, { min: 1, max: 100_000 }),
    logPromptText: read.bool('LOG_PROMPT_TEXT', d.logPromptText),
    logPromptMaxChars: read.int('LOG_PROMPT_MAX_CHARS', d.logPromptMaxChars, { min: 1, max: 100_000 }),
    shutdownTimeoutMs: read.int('SHUTDOWN_TIMEOUT_MS', d.shutdownTimeoutMs, { min: 0, max: 600_000 }),
  };
  if (config.gpuServerToken !== undefined && !TOKEN.test(config.gpuServerToken)) {
    read.problem('GPU_SERVER_TOKEN: expected 1 to 4096 printable ASCII characters without spaces (value not shown)');
  }
  read.finish();
  return Object.freeze(config);
}

/** The configuration as shown in the `service_start` line: no secrets, only whether a token is set. */
export function summarizeBackendConfig(config: BackendConfig): Record<string, unknown> {
  return {
    host: config.host,
    log_level: config.logLevel,
    gpu_server_url: config.gpuServerUrl,
    gpu_timeout_ms: config.gpuTimeoutMs,
    gpu_auth: config.gpuServerToken === undefined ? 'none' : 'bearer',
    gpu_max_response_bytes: config.gpuMaxResponseBytes,
    max_body_bytes: config.maxBodyBytes,
    max_prompt_chars: config.maxPromptChars,
    log_prompt_text: config.logPromptText,
    shutdown_timeout_ms: config.shutdownTimeoutMs,
  };
}
