import { once } from 'node:events';
import { isIP } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { CliIo } from '../cli/cli-io.js';
import type { ParsedArgs } from '../cli/command-spec.js';
import { countOption, optionalString, readCommonArgs } from '../cli/common-options.js';
import { parseDuration } from '../core/parse-duration.js';
import { withScanThreads } from '../engine/scan-pool.js';
import { EXIT_CODES, UsageError } from '../logtrace-error.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { createServeApp } from './create-serve-app.js';
import { ViewLoader } from './view-loader.js';
import { loadWebAssets } from './web-assets.js';

/** serve's arguments, checked. */
export interface ServeArgs {
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly maxWindowMs: number;
  /** How often /api/events looks at the files, ms. */
  readonly liveMs: number;
}

/** How long SIGINT/SIGTERM wait for requests in flight before closing every connection, ms. */
const CLOSE_GRACE_MS = 2000;

/** Reads and checks serve's arguments, every rule at once: a non-loopback host needs a token of at least 16 characters. */
export function readServeArgs(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>): ServeArgs {
  const host = optionalString(args, 'host') ?? '127.0.0.1';
  const port = countOption(args, 'port', 8089);
  const token = optionalString(args, 'token') ?? (env['LOGTRACE_TOKEN'] || undefined);
  const maxWindowMs = parseDuration(optionalString(args, 'max-window') ?? '7d', '--max-window');
  const liveMs = parseDuration(optionalString(args, 'live') ?? '2s', '--live');
  const problems: string[] = [];
  if (port > 65535) problems.push(`--port: expected 0–65535, got ${port}`);
  if (isIP(host) === 0 && host !== 'localhost') problems.push(`--host: expected an IP address or localhost, got "${host}"`);
  if (!isLoopback(host) && token === undefined) {
    problems.push(`--host ${host} is reachable from other machines: give a token (--token or LOGTRACE_TOKEN)`);
  }
  if (token !== undefined && token.length < 16) problems.push('--token: at least 16 characters');
  if (maxWindowMs <= 0) problems.push('--max-window: must be longer than 0');
  if (liveMs < 100 || liveMs > 3_600_000) problems.push('--live: expected 100ms to 1h');
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return { host, port, token, maxWindowMs, liveMs };
}

/** True for an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The Host header values a browser sends for the listen address (loopback: also localhost and 127.0.0.1). */
export function acceptedHosts(host: string, port: number): string[] {
  const names = isLoopback(host)
    ? ['localhost', '127.0.0.1', '[::1]', host.includes(':') ? `[${host}]` : host]
    : [host.includes(':') ? `[${host}]` : host];
  return [...new Set(names)].map((name) => `${name}:${port}`.toLowerCase());
}

/**
 * `logtrace serve`: listens, prints the URL, and serves until SIGINT or SIGTERM (then
 * stops accepting and finishes what is in flight); the scanning threads live as long as the server.
 */
export async function runServe(args: ParsedArgs, io: CliIo): Promise<number> {
  const serveArgs = readServeArgs(args, io.env);
  const common = readCommonArgs(args, io);
  const assets = loadWebAssets();
  return withScanThreads(io.env, async (threads) => {
    const loader = new ViewLoader({
      dir: common.dirs,
      files: common.files,
      env: io.env,
      cwd: io.cwd,
      maxWindowMs: serveArgs.maxWindowMs,
      threads,
      now: io.now,
    });
    const hosts: string[] = [];
    const onInternalError = (error: unknown) =>
      io.stderr.write(`logtrace serve: internal error: ${escapeTerminal(error instanceof Error ? error.message : String(error))}\n`);
    // Ends the live streams on SIGINT/SIGTERM: close() waits for open requests, and a live page's stream never ends by itself.
    const stopping = new AbortController();
    const app = createServeApp({
      loader,
      assets,
      guard: { hosts, token: serveArgs.token },
      onInternalError,
      liveIntervalMs: serveArgs.liveMs,
      stopping: stopping.signal,
    });
    const server: ServerType = serve({ fetch: app.fetch, hostname: serveArgs.host, port: serveArgs.port });
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]).catch(
      (error: unknown) => {
        throw new UsageError(
          `cannot listen on ${serveArgs.host}:${serveArgs.port}: ${error instanceof Error ? error.message : String(error)}`,
        );
      },
    );
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : serveArgs.port;
    hosts.push(...acceptedHosts(serveArgs.host, port));
    const shown = serveArgs.host.includes(':') ? `[${serveArgs.host}]` : serveArgs.host;
    // The token itself is never printed: it may come from the environment and end up in a terminal log.
    const hint = serveArgs.token === undefined ? '' : '  (open it once with ?token=YOUR_TOKEN; the browser keeps it in a cookie)';
    io.stdout.write(`logtrace serve: http://${shown}:${port}/${hint}\n`);
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    stopping.abort();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A browser keeps its connections (an ended live stream is reopened): cut what is left after a grace period.
    const late = setTimeout(() => {
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, CLOSE_GRACE_MS);
    await closed;
    clearTimeout(late);
    return EXIT_CODES.ok;
  });
}
