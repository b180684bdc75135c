// Minimal HTTP/1.1 clients over raw sockets: header values fetch refuses to send, and slow clients.
import net from 'node:net';

/** A raw HTTP response. */
export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Sends `head` (request line and header lines, joined with CRLF by this function) plus
 * an optional body over a new connection with `Connection: close`, and reads the
 * whole answer.
 */
export function rawRequest(url: string, head: readonly string[], body = ''): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const lines = [...head, `Host: ${hostname}:${port}`, 'Connection: close'];
  if (body !== '') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return rawExchange(url, Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'utf8'));
}

/**
 * Sends `bytes` exactly as given over a new connection and reads the answer until the
 * server closes the connection (rejects if it resets it).
 */
export function rawExchange(url: string, bytes: Uint8Array): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(parseRawResponse(Buffer.concat(chunks).toString('latin1'))));
    // write, not end: a half-closed socket reads as a client that went away.
    socket.write(bytes);
  });
}

function parseRawResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  const lines = text.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(lines[0]?.split(' ')[1]), headers, body: text.slice(split + 4) };
}

/** What a slow raw client saw: the answer's bytes and when the server closed the socket. */
export interface Dribbled {
  readonly answer: string;
  readonly closedAfterMs: number;
}

/**
 * A slow client: connects to 127.0.0.1:port, writes `first`, then `drip()` every
 * `everyMs` until the server closes the socket (or `giveUpMs` pass, then it closes
 * itself; a test sees that in `closedAfterMs`).
 */
export function dribble(port: number, first: string, drip: () => string, everyMs: number, giveUpMs: number): Promise<Dribbled> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const timer = setInterval(() => socket.write(drip()), everyMs);
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
    socket.write(first);
  });
}
