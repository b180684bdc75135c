export {
  startServer,
  DEFAULT_TIMEOUTS,
  ListenError,
  type RunningServer,
  type ServerTimeouts,
  type StartServerOptions,
} from './http/start-server.js';
export { runService, runMain, type ServiceProcess } from './http/run-service.js';
export { openLogFile, type LogFile, type LogFileHealth, type LogFileOptions } from './logging/open-log-file.js';
export { createServiceLogger, type ServiceLoggerOptions } from './logging/create-service-logger.js';
export { makeStdioSafe, type StdioFailures } from './process/make-stdio-safe.js';
export { readJsonBody, type JsonBodyResult, type FieldProblem } from './http/read-json-body.js';
export {
  validateGenerateRequest,
  DEFAULT_GENERATE_LIMITS,
  GENERATE_DEFAULTS,
  type GenerateParams,
  type GenerateLimits,
  type GenerateValidation,
} from './generation/validate-generate-request.js';
export { ApiError, clientClosedError, type ApiErrorOptions } from './http/api-error.js';
export { handleError, INTERNAL_ERROR } from './http/handle-error.js';
export { requestId, type RequestIdOptions, type RequestIdVariables } from './http/request-id.js';
export { createCallSignal, type CallSignal } from './http/create-call-signal.js';
export { describeFetchError, type FetchFailure } from './http/describe-fetch-error.js';
export { readCappedBody } from './http/read-capped-body.js';
export { createInFlightTracker, type InFlightTracker } from './http/create-in-flight-tracker.js';
export { createBackendApp, type BackendDeps } from './backend/create-backend-app.js';
export type { BackendEnv } from './backend/backend-env.js';
export {
  loadBackendConfig,
  summarizeBackendConfig,
  BACKEND_DEFAULTS,
  LOG_LEVELS,
  type BackendConfig,
} from './backend/load-backend-config.js';
export type { GpuImage, GpuSuccess, GpuFailure } from './backend/parse-gpu-response.js';
export { createComfyuiClient, type ComfyuiClient, type ComfyuiClientOptions, type CancelOutcome } from './comfyui/create-comfyui-client.js';
export { ComfyuiError, COMFYUI_ERROR_CODES } from './comfyui/comfyui-error.js';
export { waitForPrompt, type WaitOptions, type PromptOutcome } from './comfyui/wait-for-prompt.js';
export type { ImageRef, PromptState } from './comfyui/parse-history-response.js';
export { createGpuServerApp, MAX_GENERATE_BODY_BYTES, type GpuServerDeps } from './gpu-server/create-gpu-server-app.js';
export { loadGpuServerConfig, SHIPPED_WORKFLOW_DIR, type GpuServerConfig } from './gpu-server/load-gpu-server-config.js';
export { ERROR_STATUS as GPU_ERROR_STATUS } from './gpu-server/generation-error.js';
export { createEmulatorApp, type EmulatorAppDeps } from './emulator/create-emulator-app.js';
export { createEmulatorState, type EmulatorState } from './emulator/create-emulator-state.js';
export { loadEmulatorConfig, type EmulatorConfig } from './emulator/load-emulator-config.js';
export { FAULTS as EMULATOR_FAULTS, type Fault as EmulatorFault } from './emulator/pick-fault.js';
