import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { ComfyuiConsole } from './comfyui-console.js';
import { isRecord } from './node-catalog.js';
import { pyTypeName } from './python-error.js';
import { formatPyJson } from './python-format.js';

/** What ComfyUI answers a client's feature flags with (comfy_api/feature_flags.py). */
export const SERVER_FEATURES = Object.freeze({ supports_preview_metadata: true, max_upload_size: 100 * 1024 * 1024 });

/** The sending side of ComfyUI's PromptServer, as the executor and the queue use it. */
export interface SocketSender {
  /**
   * ComfyUI's `send_sync(event, data, sid)`: `sid` null or undefined sends to every
   * socket; any other value only to the socket registered under it (nothing when none
   * is, e.g. a client id that is not a string).
   */
  send(event: string, data: Readonly<Record<string, unknown>>, sid: unknown): void;
  /** ComfyUI's `server.client_id` and `last_node_id` of the running prompt (the resend on reconnect). */
  setRunning(clientId: unknown, lastNodeId: string | null): void;
}

/** ComfyUI's websocket registry (server.py:188-246). */
export interface SocketHub extends SocketSender {
  /** Serves one accepted socket; `clientId` is the `?clientId=` query value. */
  accept(ws: WebSocket, clientId: string | null): void;
  /** Sockets registered (sids). */
  count(): number;
  /** The process died: every connection drops without a close frame. */
  dropAll(): void;
  /** The server stops: every socket is closed (1001 going away). */
  closeAll(): void;
}

/** What the hub needs. */
export interface SocketHubDeps {
  readonly console: ComfyuiConsole;
  /** Prompts running or pending, for the `status` sent on connect. */
  queueRemaining(): number;
  /** A session id for a client without `clientId` (ComfyUI: `uuid4().hex`). */
  newSid?(): string;
}

/**
 * Creates the hub. It behaves as ComfyUI 0.3.64 does, quirks included: a second socket
 * with the same clientId replaces the first for routing without closing it, and when
 * either closes the sid is forgotten; the first text message may be `feature_flags`,
 * answered with SERVER_FEATURES; anything else a client sends is ignored, with
 * ComfyUI's warning for text that is not JSON.
 */
export function createSocketHub(deps: SocketHubDeps): SocketHub {
  const sockets = new Map<string, WebSocket>();
  const all = new Set<WebSocket>();
  const newSid = deps.newSid ?? (() => randomUUID().replace(/-/g, ''));
  let running: { clientId: unknown; lastNodeId: string | null } = { clientId: null, lastNodeId: null };

  const sendTo = (ws: WebSocket, text: string): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(text);
    else deps.console.log('send error: Cannot write to closing transport');
  };
  const hub: SocketHub = {
    send(event, data, sid) {
      const text = formatPyJson({ type: event, data });
      if (sid === null || sid === undefined) {
        for (const ws of [...sockets.values()]) sendTo(ws, text);
        return;
      }
      const ws = typeof sid === 'string' ? sockets.get(sid) : undefined;
      if (ws !== undefined) sendTo(ws, text);
    },
    setRunning(clientId, lastNodeId) {
      running = { clientId, lastNodeId };
    },
    accept(ws, clientId) {
      all.add(ws);
      const sid = clientId === null || clientId === '' ? newSid() : clientId;
      // "Reusing existing session, remove old": the old socket stays open but gets nothing.
      sockets.delete(sid);
      sockets.set(sid, ws);
      hub.send('status', { status: { exec_info: { queue_remaining: deps.queueRemaining() } }, sid }, sid);
      if (running.clientId === sid && running.lastNodeId !== null) hub.send('executing', { node: running.lastNodeId }, sid);
      let first = true;
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const text = data.toString();
        let message: unknown;
        try {
          message = JSON.parse(text) as unknown;
        } catch {
          deps.console.log(`Invalid JSON received from client ${sid}: ${text}`);
          return;
        }
        if (!isRecord(message)) {
          deps.console.log(`Error processing WebSocket message: '${pyTypeName(message)}' object has no attribute 'get'`);
          return;
        }
        if (first && message['type'] === 'feature_flags') hub.send('feature_flags', SERVER_FEATURES, sid);
        first = false;
      });
      ws.on('error', () => undefined);
      ws.on('close', () => {
        all.delete(ws);
        // ComfyUI pops the sid whichever socket holds it now.
        sockets.delete(sid);
      });
    },
    count: () => sockets.size,
    dropAll() {
      for (const ws of all) ws.terminate();
      all.clear();
      sockets.clear();
    },
    closeAll() {
      for (const ws of all) ws.close(1001);
      sockets.clear();
    },
  };
  return hub;
}
