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
