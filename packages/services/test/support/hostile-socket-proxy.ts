// A man in the middle for ComfyUI's websocket: it forwards HTTP to an emulator unchanged,
// and on /ws relays the emulator's messages to the client with hostile frames mixed in.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** A running proxy. */
export interface HostileProxy {
  readonly url: string;
  /** Hostile frames sent so far. */
  sent(): number;
  close(): Promise<void>;
}

/** A string no log line may ever contain: it only travels inside hostile frames. */
export const HOSTILE_MARKER = 'HOSTILE-7f3a';

/**
 * Frames a broken or malicious peer could send; forged ones name `id`, a prompt under way,
 * so that only their shape tells them apart.
 */
export function hostileFrames(id: string): Array<string | Buffer> {
  return [
    'not json at all',
    `{"type": "execution_start", "data": {"prompt_id": "${id}", "timestamp": "${HOSTILE_MARKER}"}}`,
    `{"type": "executing", "data": {"prompt_id": "${id}", "node": {"evil": "${HOSTILE_MARKER}"}}}`,
    `{"type": "execution_cached", "data": {"prompt_id": "${id}", "nodes": [1, "${HOSTILE_MARKER}\\u001b[2J"]}}`,
    `{"type": "progress", "data": {"prompt_id": "${id}", "node": "2", "value": -1, "max": "${HOSTILE_MARKER}"}}`,
    `{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": "${HOSTILE_MARKER}"}}}}`,
    `{"type": "${HOSTILE_MARKER}", "data": {}}`,
    `[{"type": "executing"}]`,
    `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    `{"type": "executed", "data": {"prompt_id": "${id}", "output": "${HOSTILE_MARKER}${'x'.repeat(2 * 1024 * 1024)}"}}`,
    Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 2]), Buffer.from(HOSTILE_MARKER)]),
  ];
}

/** Starts the proxy on 127.0.0.1 in front of `upstream` (an emulator's base URL). */
export async function startHostileProxy(upstream: string): Promise<HostileProxy> {
  const target = new URL(upstream);
  let sent = 0;
  const server: Server = createServer((req, res) => {
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (client) => {
      const upstreamSocket = new WebSocket(`ws://${target.host}${req.url ?? '/ws'}`, { perMessageDeflate: false });
      let promptId = 'no-prompt-yet';
      let frames: Array<string | Buffer> = [];
      const sendHostile = (): void => {
        if (frames.length === 0) frames = hostileFrames(promptId);
        const frame = frames.shift() as string | Buffer;
        client.send(frame, { binary: Buffer.isBuffer(frame) });
        sent += 1;
      };
      upstreamSocket.on('message', (data, isBinary) => {
        const seen = isBinary ? undefined : /"prompt_id": "([^"]+)"/.exec(data.toString())?.[1];
        if (seen !== undefined) promptId = seen;
        sendHostile();
        client.send(data, { binary: isBinary });
      });
      upstreamSocket.on('close', () => client.close());
      upstreamSocket.on('error', () => client.terminate());
      client.on('close', () => upstreamSocket.close());
      client.on('error', () => upstreamSocket.terminate());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent: () => sent,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
