import { describe, expect, it } from 'vitest';
import { describeClientError } from './describe-client-error.js';

const parserError = (code: string, reason: string): Error =>
  Object.assign(new Error(`Parse Error: ${reason}`), { code, reason, rawPacket: Buffer.from('SECRET-BYTES') });

describe('describeClientError', () => {
  it.each([
    ['HPE_INVALID_HEADER_TOKEN', 'Invalid header token', 400, 'bad_request'],
    ['HPE_INVALID_TRANSFER_ENCODING', "Transfer-Encoding can't be present with Content-Length", 400, 'bad_request'],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 'Duplicate Content-Length', 400, 'bad_request'],
    ['HPE_HEADER_OVERFLOW', 'Header overflow', 431, 'headers_too_large'],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 'Chunk extensions overflow', 413, 'chunk_extensions_too_large'],
  ])('%s → %i %s, with the parser code and never the raw bytes', (code, reason, status, errorCode) => {
    const rejection = describeClientError(parserError(code, reason));
    expect(rejection).toMatchObject({ status, errorCode, parseError: code });
    expect(JSON.stringify(rejection)).not.toContain('SECRET');
  });

  it("keeps llhttp's fixed reason in the message, but not a reason that could carry anything else", () => {
    expect(describeClientError(parserError('HPE_INVALID_METHOD', 'Invalid method encountered'))?.message).toBe(
      'the request is not valid HTTP/1.1: Invalid method encountered',
    );
    expect(describeClientError(parserError('HPE_INVALID_METHOD', 'X: "\u001b[31m'))?.message).toBe('the request is not valid HTTP/1.1');
  });

  it('the request timeout → 408', () => {
    expect(describeClientError(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }))).toEqual({
      status: 408,
      errorCode: 'request_timeout',
      message: 'the request was not received in time',
    });
  });

  it.each([['ECONNRESET'], ['EPIPE'], ['HPE_lower'], [undefined]])('a connection error (%s) gets no answer', (code) => {
    expect(describeClientError(Object.assign(new Error('x'), { code }))).toBeUndefined();
    expect(describeClientError('not an error')).toBeUndefined();
  });
});
