export * from './schema/index.js';
export { newId } from './ids.js';
export {
  createLogger,
  REDACT_PATHS,
  type ServiceLogger,
  type LoggerOptions,
  type LogBindings,
  type EventFields,
  type EventOptions,
} from './logger/create-logger.js';
export {
  createSafeDestination,
  type SafeDestination,
  type SafeDestinationOptions,
  type DestinationHealth,
} from './logger/safe-destination.js';
export { createEnvReader, ConfigError, type EnvReader } from './config/read-env.js';
