import { describe, expect, it } from 'vitest';
import { BadEntryError, decodeEntry, decodeHeader, encodeEntry, stableSpecKey } from './cache-entry.js';

const identity = { dev: 1, ino: 2, headLength: 10, headHash: 'h', end: 300, tailStart: 0, tailHash: 't' };
const stats = { lines: 3, skipped: 1, glued: 0, reasons: { invalid_json: 1 }, samples: [], error: undefined };
const segments = [
  { start: 0, end: 100, result: { stats, parts: { durations: new Float64Array([1.5, 2, 3]), ids: ['a', 'b', 'c'] } } },
  { start: 100, end: 300, result: { stats, parts: { durations: new Float64Array([4]), ids: ['d'] } } },
];
const header = {
  version: '1.2.3',
  kind: 'perf',
  spec: stableSpecKey({ strict: false }),
  service: 'backend',
  gz: false,
  path: '/x',
  identity,
};

describe('cache entries', () => {
  it('give back the segments they were written with, typed arrays included', () => {
    const entry = decodeEntry(encodeEntry(header, segments), '1.2.3');
    expect(entry.segments).toEqual(segments);
    expect(entry.header).toMatchObject({ ...header, format: 1, segments: 2 });
  });

  it.each([
    ['another version', (b: Buffer) => b, '9.9.9', /another logtrace version/],
    [
      'a flipped byte in the payload',
      (b: Buffer) => Buffer.concat([b.subarray(0, -1), Buffer.from([(b.at(-1) ?? 0) ^ 1])]),
      '1.2.3',
      /corrupt/,
    ],
    ['a cut payload', (b: Buffer) => b.subarray(0, b.length - 5), '1.2.3', /cut short/],
    ['a cut header', (b: Buffer) => b.subarray(0, 30), '1.2.3', /cut short in its header/],
    ['another file', () => Buffer.from('{"not":"an entry"}'), '1.2.3', /not a logtrace cache file/],
  ])('refuse %s', (_name, damage, version, message) => {
    const bytes = damage(encodeEntry(header, segments));
    expect(() => decodeEntry(bytes, version)).toThrow(BadEntryError);
    expect(() => decodeEntry(bytes, version)).toThrow(message);
  });

  it('refuse segments that do not cover the indexed bytes', () => {
    const gap = [segments[0]!, { ...segments[1]!, start: 120 }];
    expect(() => decodeEntry(encodeEntry(header, gap), '1.2.3')).toThrow(/do not cover/);
    const short = [segments[0]!];
    expect(() => decodeEntry(encodeEntry(header, short), '1.2.3')).toThrow(/do not cover/);
  });

  it('have a header readable without the payload', () => {
    const bytes = encodeEntry(header, segments);
    const { header: read, payloadStart } = decodeHeader(bytes.subarray(0, 12 + bytes.readUInt32LE(8)));
    expect(read.identity).toEqual(identity);
    expect(payloadStart).toBe(12 + bytes.readUInt32LE(8));
  });
});

describe('stableSpecKey', () => {
  it('tells open window ends from missing ones and from each other', () => {
    const keys = [
      stableSpecKey({ since: -Infinity, until: Infinity }),
      stableSpecKey({ since: Infinity, until: -Infinity }),
      stableSpecKey({ since: null, until: null }),
      stableSpecKey({}),
      stableSpecKey({ since: 0, until: 1 }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(stableSpecKey({ a: [1, 'x'], b: { c: true } })).toBe(stableSpecKey({ a: [1, 'x'], b: { c: true } }));
  });
});
