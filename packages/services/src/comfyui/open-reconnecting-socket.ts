import WebSocket from 'ws';

/** Settings of a reconnecting websocket client; times in ms, sizes in bytes. */
export interface ReconnectingSocketOptions {
  /** `ws://` or `wss://` URL. */
  readonly url: string;
  /** Text frames larger than this are skipped unread. */
  readonly maxMessageBytes: number;
  /** A frame larger than this closes the connection (the ws library stops reading it). */
  readonly maxFrameBytes: number;
  /** Reconnection delays: the first, doubled each failure up to the last (±20 %). */
  readonly backoffMs: readonly [first: number, max: number];
  /** A ping this often; no pong (nor any frame) by the next one drops the connection. */
  readonly pingEveryMs: number;
  readonly random: () => number;
}

/** What the socket reports to its owner. */
export interface ReconnectingSocketEvents {
  /** A connection opened: the first one or a reconnection. */
  opened(): void;
  /** A text frame within the size cap. */
  text(text: string): void;
  /** A frame skipped unread. */
  skipped(reason: 'binary' | 'oversized'): void;
  /** An open connection closed (once per disconnection); a reconnection follows. */
  lost(error: string, errorCode: string): void;
  /**
   * An attempt failed before the connection opened; a retry follows. `refusal` is set
   * when the peer answered HTTP instead of upgrading (`http_<status>`, `bad_handshake`,
   * `handshake_timeout`), undefined for a network error (the peer is not there yet).
   */
  failed(refusal: string | undefined, error: string): void;
}

/** A running reconnecting socket. */
export interface ReconnectingSocket {
  /** Closes the connection and stops reconnecting; no event is reported after it. */
  close(): void;
}

/**
 * Connects to `url` and stays connected: after a close or a failed attempt it reconnects
 * with backoff, reset by the first frame of a new connection. It offers no compression
 * (a compressed frame could inflate past the cap), follows no redirect, and neither its
 * socket nor its timers keep the process alive.
 */
export function openReconnectingSocket(options: ReconnectingSocketOptions, events: ReconnectingSocketEvents): ReconnectingSocket {
  const [firstDelay, maxDelay] = options.backoffMs;
  let stopped = false;
  let failures = 0;
  let socket: WebSocket | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const scheduleRetry = (): void => {
    const delay = Math.min(maxDelay, firstDelay * 2 ** Math.min(failures, 20)) * (0.8 + 0.4 * options.random());
    failures += 1;
    retryTimer = setTimeout(connect, delay);
    retryTimer.unref();
  };

  function connect(): void {
    retryTimer = undefined;
    if (stopped) return;
    const ws = new WebSocket(options.url, {
      perMessageDeflate: false,
      maxPayload: options.maxFrameBytes,
      handshakeTimeout: 10_000,
      followRedirects: false,
    });
    socket = ws;
    let opened = false;
    let alive = true;
    let lastError: Error | undefined;
    let pinger: NodeJS.Timeout | undefined;
    ws.on('upgrade', (res) => res.socket.unref());
    ws.on('open', () => {
      opened = true;
      events.opened();
      pinger = setInterval(() => {
        if (!alive) {
          lastError = new Error(`no pong within ${options.pingEveryMs} ms`);
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, options.pingEveryMs);
      pinger.unref();
    });
    ws.on('pong', () => (alive = true));
    ws.on('message', (data, isBinary) => {
      failures = 0;
      alive = true;
      if (isBinary) events.skipped('binary');
      else if (byteLength(data) > options.maxMessageBytes) events.skipped('oversized');
      else events.text(data.toString());
    });
    ws.on('error', (err) => (lastError = err));
    ws.on('close', (code) => {
      clearInterval(pinger);
      socket = undefined;
      if (stopped) return;
      const error = lastError?.message ?? `closed by the peer (code ${code})`;
      if (opened) events.lost(error, (lastError as NodeJS.ErrnoException | undefined)?.code ?? `ws_close_${code}`);
      else events.failed(describeRefusal(lastError), error);
      scheduleRetry();
    });
  }

  connect();
  return {
    close() {
      stopped = true;
      clearTimeout(retryTimer);
      const ws = socket;
      socket = undefined;
      if (ws === undefined) return;
      ws.close(1001, 'going away');
      setTimeout(() => ws.terminate(), 1000).unref();
    },
  };
}

// An HTTP answer instead of the upgrade, or a broken handshake, means the peer (or what
// stands at its address) refuses the socket; a network error means it is not there yet.
function describeRefusal(error: Error | undefined): string | undefined {
  const message = error?.message ?? '';
  const status = /^Unexpected server response: (\d+)/.exec(message);
  if (status !== null) return `http_${status[1]}`;
  if (/^Opening handshake has timed out/.test(message)) return 'handshake_timeout';
  if (/^(Invalid|Server sent)/.test(message)) return 'bad_handshake';
  return undefined;
}

function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.byteLength, 0);
  return data.byteLength;
}
