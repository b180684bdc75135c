export {
  startServer,
  DEFAULT_TIMEOUTS,
  ListenError,
  type RunningServer,
  type ServerTimeouts,
  type StartServerOptions,
} from './http/start-server.js';
export { runService, runMain, type ServiceProcess } from './http/run-service.js';
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
