import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { openReconnectingSocket, type ReconnectingSocket, type ReconnectingSocketOptions } from './open-reconnecting-socket.js';

const servers: Server[] = [];
const sockets: ReconnectingSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** An HTTP server on 127.0.0.1 whose websocket upgrades are handled by `wss` (or answered 404 without one). */
async function serve(wss?: WebSocketServer): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(404).end('404: Not Found'));
  if (wss !== undefined)
    server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
}

/** Opens a socket and records what it reports, in order. */
function open(url: string, overrides: Partial<ReconnectingSocketOptions> = {}): string[] {
  const seen: string[] = [];
  const options = {
    url,
    maxMessageBytes: 64,
    maxFrameBytes: 1024,
    backoffMs: [20, 50],
    pingEveryMs: 60_000,
    random: () => 0.5,
    ...overrides,
  } as const;
  sockets.push(
    openReconnectingSocket(options, {
      opened: () => seen.push('opened'),
      text: (text) => seen.push(`text ${text}`),
      skipped: (reason) => seen.push(`skipped ${reason}`),
      lost: (error, code) => seen.push(`lost ${code}: ${error}`),
      failed: (refusal, error) => seen.push(`failed ${String(refusal)}: ${error}`),
    }),
  );
  return seen;
}

async function until(seen: string[], count: number): Promise<void> {
  for (let i = 0; i < 400 && seen.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(seen.length, seen.join('\n')).toBeGreaterThanOrEqual(count);
}

describe('openReconnectingSocket', () => {
  it('passes text within the cap, skips binary and oversized text, and reconnects after a frame over the hard cap', async () => {
    const wss = new WebSocketServer({ noServer: true });
    let connections = 0;
    wss.on('connection', (ws) => {
      connections += 1;
      if (connections > 1) return;
      ws.send('{"type": "status"}');
      ws.send(Buffer.from([0, 0, 0, 1]), { binary: true });
      ws.send('x'.repeat(100));
      ws.send('y'.repeat(2000));
    });
    const seen = open(await serve(wss));
    await until(seen, 6);
    expect(seen.slice(0, 6)).toEqual([
      'opened',
      'text {"type": "status"}',
      'skipped binary',
      'skipped oversized',
      'lost WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: Max payload size exceeded',
      'opened',
    ]);
  });

  it('tells a refusal (an HTTP answer) from a peer not there yet, and keeps retrying both', async () => {
    const refused = open(await serve());
    const closed = open('ws://127.0.0.1:1/ws');
    await until(refused, 2);
    await until(closed, 2);
    expect(refused.slice(0, 2)).toEqual([
      'failed http_404: Unexpected server response: 404',
      'failed http_404: Unexpected server response: 404',
    ]);
    expect(closed[0]).toMatch(/^failed undefined: connect ECONNREFUSED/);
  });

  it('drops a connection whose peer stops answering pings', async () => {
    const wss = new WebSocketServer({ noServer: true, autoPong: false });
    const seen = open(await serve(wss), { pingEveryMs: 30 });
    await until(seen, 2);
    expect(seen.slice(0, 2)).toEqual(['opened', 'lost ws_close_1006: no pong within 30 ms']);
  });

  it('reports nothing and stops reconnecting once closed', async () => {
    const wss = new WebSocketServer({ noServer: true });
    const seen = open(await serve(wss));
    await until(seen, 1);
    sockets.pop()?.close();
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(seen).toEqual(['opened']);
  });
});
