import { describe, expect, it } from 'vitest';
import { LineBlocker, type LineBlock } from './line-blocker.js';

interface Seen {
  lines: { line: number; text: string; tail: boolean }[];
  oversized: number[];
  total: number;
}

function split(input: Buffer, chunkSizes: readonly number[], max = 64): Seen {
  const seen: Seen = { lines: [], oversized: [], total: 0 };
  const blocker = new LineBlocker(
    {
      block(b: LineBlock) {
        let line = b.firstLine;
        let s = b.start;
        while (s < b.end) {
          let e = b.buf.indexOf(0x0a, s);
          if (e === -1 || e >= b.end) e = b.end;
          seen.lines.push({ line, text: b.buf.toString('latin1', s, e), tail: b.tail });
          line++;
          s = e + 1;
        }
      },
      oversized(line) {
        seen.oversized.push(line);
      },
    },
    max,
  );
  let pos = 0;
  let i = 0;
  while (pos < input.length) {
    const size = chunkSizes[i++ % chunkSizes.length] ?? 1;
    // A reused buffer: the blocker must copy what it keeps.
    const chunk = Buffer.from(input.subarray(pos, pos + size));
    blocker.push(chunk);
    chunk.fill(0x58);
    pos += size;
  }
  blocker.end();
  seen.total = blocker.lines;
  return seen;
}

/** Reference: split on \n with plain string functions. */
function reference(input: Buffer, max = 64): Seen {
  const text = input.toString('latin1');
  const parts = text === '' ? [] : text.split('\n');
  const endsWithNl = text.endsWith('\n');
  if (endsWithNl) parts.pop();
  const seen: Seen = { lines: [], oversized: [], total: parts.length };
  parts.forEach((part, i) => {
    const content = part.replace(/^\0+/, '');
    const tail = !endsWithNl && i === parts.length - 1;
    if (content.length > max) seen.oversized.push(i + 1);
    else seen.lines.push({ line: i + 1, text: part, tail });
  });
  return seen;
}

function normalise(seen: Seen): Seen {
  // The blocker keeps a stripped NUL run of a pending line as a single NUL.
  return { ...seen, lines: seen.lines.map((l) => ({ ...l, text: l.text.replace(/^\0+/, '\0') })) };
}

describe('LineBlocker', () => {
  it('delivers whole lines with numbers, and an unterminated last line as tail', () => {
    const seen = split(Buffer.from('a\nbb\n\nccc'), [3]);
    expect(seen.lines).toEqual([
      { line: 1, text: 'a', tail: false },
      { line: 2, text: 'bb', tail: false },
      { line: 3, text: '', tail: false },
      { line: 4, text: 'ccc', tail: true },
    ]);
    expect(seen.total).toBe(4);
  });

  it('handles an empty input and a single newline', () => {
    expect(split(Buffer.alloc(0), [4]).total).toBe(0);
    expect(split(Buffer.from('\n'), [4]).lines).toEqual([{ line: 1, text: '', tail: false }]);
  });

  it('drops an over-long line inside a chunk and across chunks, and keeps counting', () => {
    const long = 'x'.repeat(200);
    const input = Buffer.from(`ok1\n${long}\nok3\n${long}`);
    for (const sizes of [[10_000], [7], [1, 50, 3]]) {
      const seen = split(input, sizes);
      expect(seen.oversized).toEqual([2, 4]);
      expect(seen.lines.map((l) => l.text)).toEqual(['ok1', 'ok3']);
      expect(seen.total).toBe(4);
    }
  });

  it('does not count a long NUL run (copytruncate) against the line cap', () => {
    const input = Buffer.concat([Buffer.alloc(500), Buffer.from('{"a":1}\nnext\n')]);
    for (const sizes of [[10_000], [64], [5, 100]]) {
      const seen = split(input, sizes);
      expect(seen.oversized).toEqual([]);
      expect(seen.lines[0]?.text.replace(/^\0+/, '')).toBe('{"a":1}');
      expect(seen.lines[1]?.text).toBe('next');
    }
  });

  it('keeps a multi-byte character split across chunks intact', () => {
    const input = Buffer.from('{"m":"é€😀"}\n', 'utf8');
    for (let size = 1; size < input.length; size++) {
      const lines: string[] = [];
      const blocker = new LineBlocker({
        block: (b) => lines.push(b.buf.toString('utf8', b.start, b.end - 1)),
        oversized: () => undefined,
      });
      for (let p = 0; p < input.length; p += size) blocker.push(input.subarray(p, p + size));
      blocker.end();
      expect(lines).toEqual(['{"m":"é€😀"}']);
    }
  });

  it('matches a plain split on random input cut into random chunks', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = [0x0a, 0x0a, 0x00, 0x0d, 0x41, 0x42, 0x7b, 0xc3, 0xa9, 0xff];
    for (let round = 0; round < 200; round++) {
      const bytes = Buffer.alloc(rand(400));
      for (let i = 0; i < bytes.length; i++) {
        bytes[i] = rand(10) < 6 ? 0x61 + rand(3) : (alphabet[rand(alphabet.length)] ?? 0x61);
      }
      if (rand(4) === 0) bytes.fill(0x79, 10, Math.min(bytes.length, 10 + rand(200)));
      const sizes = Array.from({ length: 5 }, () => 1 + rand(80));
      expect(normalise(split(bytes, sizes, 40))).toEqual(normalise(reference(bytes, 40)));
    }
  });
});
