import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ComfyuiConsole } from './comfyui-console.js';
import type { SocketHub } from './create-socket-hub.js';
import { asAiohttpReads, findOriginMismatch, type HostLookup } from './find-origin-mismatch.js';

/** What the emulator's websocket endpoint needs. */
export interface ComfyuiSocketOptions {
  readonly hub: SocketHub;
  readonly console: ComfyuiConsole;
  /** False: answer upgrades 404, as a ComfyUI without `/ws` (or a proxy that drops upgrades) would. */
  readonly enabled: boolean;
  /** The resolver of the Host/Origin check (default: the system's). */
  readonly lookup?: HostLookup;
}

/** aiohttp's WebSocketResponse limit (max_msg_size): a larger client message closes the socket with 1009. */
const MAX_CLIENT_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * Serves ComfyUI's websocket on an HTTP server: upgrades of `/ws` and `/api/ws`, after
 * the same Host/Origin check as the HTTP routes (403 and ComfyUI's warning line on a
 * mismatch); other paths answer aiohttp's 404. Returns a function that detaches it.
 */
export function attachComfyuiSocket(server: Server, options: ComfyuiSocketOptions): () => void {
  // aiohttp offers permessage-deflate like ws does; the GPU server's client declines it.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES, perMessageDeflate: true });
  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    let mismatch;
    try {
      mismatch = await findOriginMismatch(asAiohttpReads(req.headers.host), asAiohttpReads(req.headers.origin), options.lookup);
    } catch {
      // Where Python's urllib raises on the headers, aiohttp answers its plain 500.
      refuse(
        socket,
        500,
        'Internal Server Error',
        '500 Internal Server Error\n\nServer got itself in trouble',
        'text/plain; charset=utf-8',
      );
      return;
    }
    if (socket.destroyed) return;
    if (mismatch !== undefined) {
      options.console.log(`WARNING: request with non matching host and origin ${mismatch.host} != ${mismatch.origin}, returning 403`);
      refuse(socket, 403, 'Forbidden', '', 'application/octet-stream');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    if (!options.enabled || (url.pathname !== '/ws' && url.pathname !== '/api/ws')) {
      refuse(socket, 404, 'Not Found', '404: Not Found', 'text/plain; charset=utf-8');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => options.hub.accept(ws, url.searchParams.get('clientId')));
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => undefined);
    void upgrade(req, socket, head);
  };
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
    wss.close();
  };
}

// An HTTP answer written on the raw socket of an upgrade request, then the socket is closed.
function refuse(socket: Duplex, status: number, reason: string, body: string, contentType: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
