import { describe, expect, it } from 'vitest';
import { decodeGluedLine } from './decode-glued-line.js';
import type { LineContext } from './decode-json-line.js';

const MID: LineContext = { service: 'backend', first: false, tail: false };
const rec = (event: string, msg = 'x') =>
  `{"level":"INFO","time":"2026-11-28T05:03:21.123Z","event":"${event}","msg":${JSON.stringify(msg)}}`;

/** What each object of the line became: its event, or its skip reason; undefined when the line is not glued. */
function outcome(line: string | Buffer, context: LineContext = MID): string[] | undefined {
  const buf = typeof line === 'string' ? Buffer.from(line) : line;
  return decodeGluedLine(buf, 0, buf.length, context)?.map((p) => (p.decoded.ok ? (p.decoded.record.event ?? '-') : p.decoded.reason));
}

describe('decodeGluedLine', () => {
  it.each([
    ['back to back', `${rec('a')}${rec('b')}\n`, ['a', 'b']],
    ['a space, a tab and a CR between', `${rec('a')} \t\r${rec('b')}\n`, ['a', 'b']],
    ['three, and blanks after the last', `${rec('a')}${rec('b')}${rec('c')}  \r\n`, ['a', 'b', 'c']],
    ['braces and quotes inside strings', `${rec('a', '} {"not": "an object"} \\" {')}${rec('b', '{{{')}`, ['a', 'b']],
    [
      'nested objects and arrays',
      `{"level":"INFO","time":"2026-11-28T05:03:21.123Z","event":"a","err":{"x":[{"y":1}]}}${rec('b')}`,
      ['a', 'b'],
    ],
    ['a torn last object', `${rec('a')}{"level":"INFO","ti\n`, ['a', 'invalid_json']],
    [
      'an object JSON.parse refuses beside a good one',
      `{"level":"INFO","time":"2026-11-28T05:03:21.123Z","n":NaN}${rec('b')}`,
      ['invalid_json', 'b'],
    ],
    ['an object without a time', `{"level":"INFO","event":"a"}${rec('b')}`, ['no_time', 'b']],
  ])('reads each object: %s', (_name, line, expected) => {
    expect(outcome(line)).toEqual(expected);
  });

  it('calls a torn last object truncated on the unterminated last line of a file', () => {
    expect(outcome(`${rec('a')}{"level":"INFO","ti`, { ...MID, tail: true })).toEqual(['a', 'truncated']);
  });

  it('gives each object its own bytes, the first keeping the line start (a BOM or NUL run is stripped as on any line)', () => {
    const line = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${rec('a')}${rec('b')}`)]);
    const parts = decodeGluedLine(line, 0, line.length, { ...MID, first: true }) ?? [];
    expect(parts.map((p) => line.toString('utf8', p.start, p.end))).toEqual([rec('a'), rec('b')]);
    expect(parts.every((p) => p.decoded.ok)).toBe(true);
    const nul = Buffer.from(`\0\0\0${rec('a')}${rec('b')}`);
    expect(outcome(nul)).toEqual(['a', 'b']);
  });

  it.each([
    ['one object', rec('a')],
    ['trailing garbage', `${rec('a')} x`],
    ['garbage between', `${rec('a')},${rec('b')}`],
    ['text before', `x${rec('a')}${rec('b')}`],
    ['a torn write followed by a whole record', `{"level":"INFO","ti${rec('a')}`],
    ['no object JSON.parse accepts', '{"a":}{"b":NaN}'],
    ['an array', `[${rec('a')}]`],
    ['a stray closing brace', `${rec('a')}}${rec('b')}`],
  ])('leaves the line alone when it is not objects back to back: %s', (_name, line) => {
    expect(outcome(line)).toBeUndefined();
  });
});
