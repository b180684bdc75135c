import { describe, expect, it } from 'vitest';
import { createFileStore } from './file-store.js';

const bytes = (n: number): Uint8Array => new Uint8Array(n);

describe('createFileStore', () => {
  it('keeps at most maxFiles outputs and, apart, at most maxFiles inputs, forgetting the oldest', () => {
    const files = createFileStore({ maxFiles: 2 });
    for (const name of ['a_00001_.png', 'a_00002_.png', 'a_00003_.png']) files.put('output', '', name, bytes(1));
    for (const name of ['x.png', 'y.png', 'z.png']) files.put('input', '', name, bytes(1));
    expect(files.list('output')).toEqual(['a_00002_.png', 'a_00003_.png']);
    expect(files.list('input')).toEqual(['y.png', 'z.png']);
    // The counter never goes back.
    expect(files.nextCounter('output', '', 'a')).toBe(4);
  });

  it('keeps at most maxInputBytes of inputs; replacing a file counts its new size only; the newest always stays', () => {
    const files = createFileStore({ maxFiles: 100, maxInputBytes: 100 });
    files.put('input', '', 'a.png', bytes(40));
    files.put('input', '', 'b.png', bytes(40));
    files.put('input', '', 'a.png', bytes(10));
    expect(files.list('input')).toEqual(['a.png', 'b.png']);
    files.put('input', '', 'c.png', bytes(60));
    expect(files.list('input')).toEqual(['a.png', 'c.png']);
    files.put('input', '', 'huge.png', bytes(500));
    expect(files.list('input')).toEqual(['huge.png']);
    expect(files.get('input', '', 'huge.png')?.bytes.byteLength).toBe(500);
  });
});
