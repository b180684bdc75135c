import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { handleClientErrors, type ClientErrorOptions } from './handle-client-errors.js';

/** Server-side timeouts, in milliseconds. */
export interface ServerTimeouts {
  /** Time to receive the request headers (slowloris guard). */
  readonly headersTimeoutMs: number;
  /** Time to receive the whole request, headers and body. */
  readonly requestTimeoutMs: number;
  /** Idle time before a keep-alive socket is closed; longer than undici's 4 s client idle time. */
  readonly keepAliveTimeoutMs: number;
  /**
   * How often Node checks the headers and request timeouts. Node only enforces them on
   * this sweep (default 30 s), so a slow-headers client would otherwise hold its socket
   * for up to headersTimeout + 30 s.
   */
  readonly checkIntervalMs: number;
}

/** Timeouts chosen for our services: Node 20's own defaults are 60 s, 300 s, 5 s and a 30 s sweep. */
export const DEFAULT_TIMEOUTS: ServerTimeouts = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
});

/** A listening HTTP server. */
export interface RunningServer {
  readonly server: Server;
  /** The bound port (useful when asked for port 0). */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish, closes idle keep-alive
   * sockets as they become idle, and after `deadlineMs` (default 10 000) closes the rest.
   */
  stop(deadlineMs?: number): Promise<void>;
}

/** What startServer needs: a fetch handler (a Hono app) and where to listen. */
export interface StartServerOptions {
  readonly fetch: (request: Request) => Response | Promise<Response>;
  readonly host: string;
  readonly port: number;
  readonly timeouts?: ServerTimeouts;
  /**
   * Answer requests Node's HTTP parser refuses, and the headers/request timeouts, with
   * our JSON error and an id, and report them (handleClientErrors). Without it, Node's
   * bare status line (the emulator keeps that: ComfyUI's server is not ours).
   */
  readonly clientErrors?: ClientErrorOptions;
}

/** A server could not listen (port in use, permission denied, bad address). */
export class ListenError extends Error {
  constructor(host: string, port: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`cannot listen on ${host}:${port}: ${reason}`, { cause });
    this.name = 'ListenError';
  }
}

/** Serves a fetch handler with @hono/node-server on host:port and resolves once listening. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  const server = createAdaptorServer({
    fetch: options.fetch,
    serverOptions: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
  }) as Server;
  if (options.clientErrors !== undefined) server.on('clientError', handleClientErrors(options.clientErrors));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: unknown): void => reject(new ListenError(options.host, options.port, err));
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    server,
    port,
    url: `http://${hostForUrl}:${port}`,
    stop: (deadlineMs = 10_000) => stopServer(server, deadlineMs),
  };
}

function stopServer(server: Server, deadlineMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    // close() alone leaves a keep-alive socket open after its last response until the
    // client gives up; sweeping idle sockets lets close() finish as soon as work is done.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), deadlineMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
