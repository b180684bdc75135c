import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { newId as defaultNewId } from '@logtrace/shared';
import { describeClientError, reasonPhrase, type ClientRejection } from './describe-client-error.js';
import { incomingState } from './incoming-state.js';

/** A request refused before it reached the app, with the id its answer carries. */
export type RefusedRequest = ClientRejection & { readonly requestId: string };

/** Options of handleClientErrors. */
export interface ClientErrorOptions {
  /** Makes the id of a refused request's answer (default: a random UUID v4). */
  readonly newId?: () => string;
  /**
   * Called for each request refused before the app saw it (parser errors, header
   * overflow, headers timeout) — to log it. A request the app is already handling and
   * that the request timeout cuts off is not reported here: its handler sees
   * `incomingState(req).cutOff` and logs what the client got.
   */
  readonly onRefused?: (refused: RefusedRequest) => void;
}

/**
 * The server's `clientError` listener. Node's own answer to a request its parser
 * refuses (bad header bytes, CRLF injection, CL+TE, a bad or repeated Content-Length,
 * headers over 16 KiB) or to the headers/request timeout is a bare status line: no
 * request id, no body, nothing logged. This one answers the same status with our JSON
 * error body (`error`, `error_code`, `request_id`), `X-Request-ID` and
 * `Connection: close`, reports it through `onRefused`, then closes the connection as
 * Node does. A connection error (reset, broken pipe) just closes it.
 */
export function handleClientErrors(options: ClientErrorOptions = {}): (err: Error, socket: Duplex) => void {
  const newId = options.newId ?? defaultNewId;
  const answered = new WeakSet<Duplex>();
  return function onClientError(err, socket) {
    // A parser left in its error state reports every later chunk again.
    if (answered.has(socket)) return;
    answered.add(socket);
    const rejection = describeClientError(err);
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
    if (rejection === undefined || !socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    const state = inFlight === undefined ? undefined : incomingState(inFlight.req);
    const requestId = state?.requestId ?? newId();
    const body: Record<string, string> = { error: rejection.message, error_code: rejection.errorCode, request_id: requestId };
    const head = [
      `HTTP/1.1 ${rejection.status} ${reasonPhrase(rejection.status)}`,
      'Content-Type: application/json; charset=utf-8',
      `X-Request-ID: ${requestId}`,
    ];
    if (state?.clientRequestId !== undefined) {
      body['client_request_id'] = state.clientRequestId;
      head.push(`X-Client-Request-ID: ${state.clientRequestId}`);
    }
    const json = JSON.stringify(body);
    head.push(`Content-Length: ${Buffer.byteLength(json)}`, 'Connection: close');
    if (state === undefined) options.onRefused?.({ ...rejection, requestId });
    else state.cutOff = rejection;
    socket.end(`${head.join('\r\n')}\r\n\r\n${json}`);
    // Node destroys at once; ending first lets the answer reach a client still sending,
    // which then closes. One that does not is cut off a second later.
    const timer = setTimeout(() => socket.destroy(), 1000);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}
