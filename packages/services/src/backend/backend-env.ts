import type { HttpBindings } from '@hono/node-server';
import type { ServiceLogger } from '@logtrace/shared';
import type { RequestIdVariables } from '../http/request-id.js';
import type { TraceVariables } from '../otel/trace-context-middleware.js';

/**
 * Hono environment of the backend app: node-server bindings (absent under
 * `app.request()` in tests), the request id, its trace context and the request's child logger.
 */
export type BackendEnv = {
  Bindings: Partial<HttpBindings>;
  Variables: RequestIdVariables & TraceVariables & { log: ServiceLogger };
};
