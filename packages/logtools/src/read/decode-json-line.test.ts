import { describe, expect, it } from 'vitest';
import { decodeJsonLine, type LineContext } from './decode-json-line.js';

const GOOD = '{"level":"INFO","time":"2026-11-28T05:03:21.123Z","service":"backend","event":"response_sent","msg":"x"}';
const MID: LineContext = { service: 'backend', first: false, tail: false };

function decode(bytes: Buffer | string, context: LineContext = MID) {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  return decodeJsonLine(buf, 0, buf.length, context);
}

describe('decodeJsonLine', () => {
  it.each([
    ['plain', `${GOOD}\n`],
    ['CRLF', `${GOOD}\r\n`],
    ['no newline', GOOD],
    ['NUL run before the record (copytruncate)', `\0\0\0\0${GOOD}\n`],
  ])('reads a good line: %s', (_name, line) => {
    const result = decode(line);
    expect(result.ok && result.record.event).toBe('response_sent');
  });

  it('strips a BOM on the first line only', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GOOD)]);
    expect(decode(withBom, { ...MID, first: true }).ok).toBe(true);
    expect(decode(withBom, MID)).toEqual({ ok: false, reason: 'invalid_json' });
  });

  it.each([
    ['\n', 'blank'],
    ['   \t\r\n', 'blank'],
    ['\0\0\0\n', 'nul_padding'],
    ['{"level":"INFO","ti\n', 'invalid_json'],
    [`${GOOD}${GOOD}\n`, 'invalid_json'],
    [`${GOOD}\rX\n`, 'invalid_json'],
    ['NaN\n', 'invalid_json'],
    ['42\n', 'not_object'],
    ['[1,2]\n', 'not_object'],
    ['null\n', 'not_object'],
    ['{"msg":"no time","level":"INFO"}\n', 'no_time'],
    ['{"time":"2026-11-28T05:03:21.123Z","msg":"no level"}\n', 'no_level'],
    ['{"level":"INFO","msg":"\xff\xfe"}\n', 'invalid_utf8'],
  ])('skips %j as %s', (line, reason) => {
    expect(decode(line)).toEqual({ ok: false, reason });
  });

  it('calls a torn unterminated last line truncated', () => {
    expect(decode('{"level":"INFO","ti', { ...MID, tail: true })).toEqual({ ok: false, reason: 'truncated' });
  });

  it('takes the service from the file name when the line names none', () => {
    const result = decode('{"level":30,"time":1795842201123,"msg":"hi"}');
    expect(result.ok && result.record.service).toBe('backend');
  });

  it('reads only the given range of a larger buffer', () => {
    const buf = Buffer.from(`garbage\n${GOOD}\nmore`);
    const start = buf.indexOf('{');
    const end = buf.indexOf('\n', start) + 1;
    const result = decodeJsonLine(buf, start, end, MID);
    expect(result.ok).toBe(true);
  });
});
