import { describe, expect, it } from 'vitest';
import {
  deriveSpanId,
  deriveTraceId,
  formatTraceparent,
  isSpanId,
  isTraceId,
  newSpanId,
  newTraceId,
  parseTraceparent,
} from './trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it('reads a version 00 header with its sampled flag and a well-formed tracestate', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`, 'rojo=00f067aa0ba902b7, congo=t61rcWkgMzE')).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
      tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: false });
  });

  it.each([
    ['another version', `01-${TRACE}-${SPAN}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['upper case', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['trailing data', `00-${TRACE}-${SPAN}-01-extra`],
    ['control characters', `00-${TRACE}-${SPAN}-0\n`],
    ['a log-injection attempt', `00-${TRACE}-${SPAN}-01\n{"event":"fake"}`],
    ['empty', ''],
    ['not a string', ['a', 'b']],
  ])('ignores %s', (_label, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('drops a malformed tracestate but keeps the traceparent', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`, 'Bad Key=1')).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`, 'a=1,'.repeat(40))).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
  });
});

describe('ids', () => {
  it('formats what it parses', () => {
    expect(formatTraceparent(TRACE, SPAN, true)).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(parseTraceparent(formatTraceparent(TRACE, SPAN, false))?.sampled).toBe(false);
  });

  it('makes valid random ids', () => {
    expect(isTraceId(newTraceId())).toBe(true);
    expect(isSpanId(newSpanId())).toBe(true);
    expect(newSpanId()).not.toBe(newSpanId());
  });

  it('derives the same ids from the same inputs', () => {
    expect(deriveTraceId('0B6F4C1E-5D2A-4C7B-9E1F-2A3B4C5D6E7F')).toBe('0b6f4c1e5d2a4c7b9e1f2a3b4c5d6e7f');
    expect(isTraceId(deriveTraceId('not-a-uuid'))).toBe(true);
    expect(deriveSpanId(TRACE, 'a')).toBe(deriveSpanId(TRACE, 'a'));
    expect(deriveSpanId(TRACE, 'a')).not.toBe(deriveSpanId(TRACE, 'b'));
    expect(isSpanId(deriveSpanId(TRACE, 'a'))).toBe(true);
  });
});
