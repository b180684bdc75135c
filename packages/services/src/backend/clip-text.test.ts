import { describe, expect, it } from 'vitest';
import { clipText } from './clip-text.js';

describe('clipText', () => {
  it('keeps short text and cuts long text with an ellipsis inside the limit', () => {
    expect(clipText('abc', 3)).toBe('abc');
    expect(clipText('abcdefgh', 6)).toBe('abc...');
  });

  it('never splits a surrogate pair', () => {
    expect(clipText('ab😀cdefg', 6)).toBe('ab...');
  });

  it('replaces control characters only when asked', () => {
    expect(clipText('a\nb\u009b', 10, { replaceControls: true })).toBe('a?b?');
    expect(clipText('a\nb', 10)).toBe('a\nb');
  });
});
