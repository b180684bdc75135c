// A stand-in for the GPU server in backend tests: a real node:http listener on
// 127.0.0.1 port 0 whose answer each test scripts (image, error, garbage, hang, reset).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in received. */
export interface ReceivedCall {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The parsed JSON body. */
  readonly body: unknown;
  /** Resolves when the backend closed this request's connection before an answer was complete. */
  readonly closedEarly: Promise<void>;
}

/** How the stand-in answers one call. */
export type Behavior = (call: ReceivedCall, res: ServerResponse) => void | Promise<void>;

/** The running stand-in. */
export interface GpuStandIn {
  /** Base URL, as GPU_SERVER_URL. */
  readonly url: string;
  readonly calls: ReceivedCall[];
  /** Sets how the following calls are answered. */
  respond(behavior: Behavior): void;
  /** Resolves with the next call as soon as it arrives (before it is answered). */
  nextCall(): Promise<ReceivedCall>;
  /** TCP connections accepted so far (a client that reads every body reuses one). */
  connections(): number;
  close(): Promise<void>;
}

/** A tiny valid PNG (1×1), as the GPU server would return from ComfyUI. */
export const PNG_BYTES = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** The generation id every scripted answer uses. */
export const GENERATION_ID = '9d2b7f8e-1c3a-4e5b-8f60-7a1b2c3d4e5f';

/** The contract's success body for this request id, as the stand-in sends it. */
export function imageBody(requestId: unknown): Record<string, unknown> {
  return {
    request_id: requestId,
    generation_id: GENERATION_ID,
    prompt_id: 'b49fd87e-cf7d-4335-81f7-52fb0ecb2a89',
    image: {
      filename: 'ComfyUI_00001_.png',
      content_type: 'image/png',
      size_bytes: PNG_BYTES.byteLength,
      base64: PNG_BYTES.toString('base64'),
    },
  };
}

/** Answers 200 with the contract's success body, echoing the call's X-Request-ID. */
export function answerImage(): Behavior {
  return (call, res) => sendJson(res, 200, imageBody(call.headers['x-request-id']));
}

/** Answers with this status and JSON body. */
export function answerJson(status: number, body: unknown): Behavior {
  return (_call, res) => sendJson(res, status, body);
}

/** Answers with this status and raw text. */
export function answerText(status: number, text: string, contentType = 'text/html'): Behavior {
  return (_call, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(text);
  };
}

/** Never answers (until the backend gives up or the stand-in closes). */
export function hang(): Behavior {
  return () => undefined;
}

/** Destroys the connection without an answer (the backend sees a reset / socket error). */
export function resetConnection(): Behavior {
  return (_call, res) => {
    res.socket?.destroy();
  };
}

/** Waits for `gate`, then answers as `then`. */
export function afterGate(gate: Promise<unknown>, then: Behavior): Behavior {
  return async (call, res) => {
    await gate;
    await then(call, res);
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts a stand-in GPU server on 127.0.0.1 port 0, answering with an image by default. */
export async function startGpuStandIn(): Promise<GpuStandIn> {
  let behavior: Behavior = answerImage();
  const calls: ReceivedCall[] = [];
  let waiters: Array<(call: ReceivedCall) => void> = [];
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const closedEarly = new Promise<void>((resolve) => {
        res.on('close', () => {
          if (!res.writableFinished) resolve();
        });
      });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      const call: ReceivedCall = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, closedEarly };
      calls.push(call);
      for (const wake of waiters.splice(0)) wake(call);
      void Promise.resolve(behavior(call, res)).catch(() => res.destroy());
    });
  });
  let connections = 0;
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    calls,
    respond(next) {
      behavior = next;
    },
    nextCall: () => new Promise((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        waiters = [];
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens (a port just released), for ECONNREFUSED. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
