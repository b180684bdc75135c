/** Why the HTTP server refused a connection's request before (or while) the app ran. */
export interface ClientRejection {
  /** Status of the answer written to the socket. */
  readonly status: 400 | 408 | 413 | 431;
  /** Stable machine code of the answer and the log line. */
  readonly errorCode: 'bad_request' | 'request_timeout' | 'chunk_extensions_too_large' | 'headers_too_large';
  /** Our own sentence for the caller and the log; never request bytes. */
  readonly message: string;
  /** Node's parser code (`HPE_INVALID_HEADER_TOKEN`, ...), when the parser refused it. */
  readonly parseError?: string;
}

const REASON_PHRASES = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
} as const;

/** The reason phrase of a rejection status, for the status line. */
export function reasonPhrase(status: ClientRejection['status']): string {
  return REASON_PHRASES[status];
}

/**
 * Maps an error of Node's `clientError` event to the answer the client gets, as Node
 * itself would pick it (431 for a header overflow, 408 for the request timeout, 400 for
 * any other parser error); undefined for a connection error (reset, broken pipe) that
 * no one could read an answer to. Reads only `code` and llhttp's fixed `reason` text,
 * never `rawPacket` (the request's bytes). Pure.
 */
export function describeClientError(err: unknown): ClientRejection | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return undefined;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, errorCode: 'request_timeout', message: 'the request was not received in time' };
  }
  if (!/^HPE_[A-Z_]{1,60}$/.test(code)) return undefined;
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, errorCode: 'headers_too_large', message: 'the request headers are too large', parseError: code };
  }
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') {
    return { status: 413, errorCode: 'chunk_extensions_too_large', message: 'the chunk extensions are too large', parseError: code };
  }
  const reason = (err as { reason?: unknown }).reason;
  // llhttp's reasons are constant sentences ("Invalid header token"); anything else is not shown.
  const why = typeof reason === 'string' && /^[A-Za-z0-9 ,.'_-]{1,100}$/.test(reason) ? `: ${reason}` : '';
  return { status: 400, errorCode: 'bad_request', message: `the request is not valid HTTP/1.1${why}`, parseError: code };
}
