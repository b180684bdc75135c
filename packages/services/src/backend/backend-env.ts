import type { HttpBindings } from '@hono/node-server';
import type { ServiceLogger } from '@logtrace/shared';
import type { RequestIdVariables } from '../http/request-id.js';

/**
 * Hono environment of the backend app: node-server bindings (absent under
 * `app.request()` in tests), the request id and the request's child logger.
 */
export type BackendEnv = {
  Bindings: Partial<HttpBindings>;
  Variables: RequestIdVariables & { log: ServiceLogger };
};
