import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkRecord, createLogger } from '@logtrace/shared';
import type { RefusedRequest } from './handle-client-errors.js';
import { logRefusedRequests } from './log-refused-requests.js';

let lines: Array<Record<string, unknown>> = [];
const logger = createLogger({
  service: 'backend',
  logDir: '.',
  destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
});
const refused = (i: number): RefusedRequest => ({
  requestId: `0b6f4c1e-2f0a-4c47-9a53-${String(i).padStart(12, '0')}`,
  status: 400,
  errorCode: 'bad_request',
  message: 'the request is not valid HTTP/1.1: Invalid header token',
  parseError: 'HPE_INVALID_HEADER_TOKEN',
});

beforeEach(() => {
  lines = [];
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => vi.useRealTimers());

describe('logRefusedRequests', () => {
  it('writes request_rejected in the catalog format: our code and message, the parser code', () => {
    logRefusedRequests(logger)(refused(1));
    expect(lines).toHaveLength(1);
    expect(checkRecord(lines[0])).toEqual([]);
    expect(lines[0]).toMatchObject({
      level: 'WARN',
      event: 'request_rejected',
      request_id: refused(1).requestId,
      status: 400,
      error_code: 'bad_request',
      errors: [{ field: 'request', message: refused(1).message }],
      parse_error: 'HPE_INVALID_HEADER_TOKEN',
    });
  });

  it('writes at most perSecond per window, then the last refusal of the window with the count of the others', () => {
    const log = logRefusedRequests(logger, { perSecond: 3, now: Date.now });
    for (let i = 0; i < 10; i += 1) log(refused(i));
    expect(lines.map((l) => l['request_id'])).toEqual([0, 1, 2].map((i) => refused(i).requestId));
    vi.advanceTimersByTime(1000);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({ request_id: refused(9).requestId, suppressed: 6 });
    // A new window starts afresh.
    log(refused(10));
    expect(lines).toHaveLength(5);
    expect(lines[4]).not.toHaveProperty('suppressed');
  });

  it('a refusal in the next window writes the pending count first, so the order stays by time', () => {
    const log = logRefusedRequests(logger, { perSecond: 1, now: Date.now });
    log(refused(1));
    log(refused(2));
    log(refused(3));
    vi.setSystemTime(1500);
    log(refused(4));
    expect(lines.map((l) => [l['request_id'], l['suppressed']])).toEqual([
      [refused(1).requestId, undefined],
      [refused(3).requestId, 1],
      [refused(4).requestId, undefined],
    ]);
    vi.advanceTimersByTime(5000);
    expect(lines).toHaveLength(3);
  });
});
