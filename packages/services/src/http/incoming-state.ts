import type { IncomingMessage } from 'node:http';
import type { ClientRejection } from './describe-client-error.js';

/** What the server knows about one request beyond Node's object. */
export interface IncomingState {
  /** The id the requestId middleware gave it. */
  requestId?: string;
  /** The caller's own id, when the requestId middleware kept one. */
  clientRequestId?: string;
  /** Set when the server cut the request off (request timeout) and answered it itself. */
  cutOff?: ClientRejection;
}

const states = new WeakMap<IncomingMessage, IncomingState>();

/**
 * The mutable state of a Node request, shared by the requestId middleware (which
 * records the id), the server's clientError handler (which answers a request cut off
 * by the request timeout with that id and records it) and the handlers (which log
 * what the client got). Undefined input (no Node request: `app.request()` in tests)
 * gives a fresh throwaway state.
 */
export function incomingState(incoming: IncomingMessage | undefined): IncomingState {
  if (incoming === undefined) return {};
  let state = states.get(incoming);
  if (state === undefined) {
    state = {};
    states.set(incoming, state);
  }
  return state;
}
