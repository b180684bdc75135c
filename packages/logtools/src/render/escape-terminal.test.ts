import { describe, expect, it } from 'vitest';
import { escapeAndCut, escapeAndCutStart, escapeTerminal } from './escape-terminal.js';

describe('escaping text from a log for a terminal', () => {
  it('shows control characters, escapes and bidi overrides as visible escapes', () => {
    expect(escapeTerminal('a\x1b[2Jb\u202ec\n')).toBe('a\\x1b[2Jb\\u202ec\\x0a');
  });

  it('cuts long text at its end, and long paths at their start so the file name stays', () => {
    const file = `/${'deep/'.repeat(30)}terminal-escapes.log`;
    expect(escapeAndCut('abcdef', 4)).toBe('abc…');
    expect(escapeAndCutStart(file, 40)).toBe(`…${file.slice(-39)}`);
    expect(escapeAndCutStart(file, 40)).toMatch(/terminal-escapes\.log$/);
    expect(escapeAndCutStart('short.log', 40)).toBe('short.log');
  });
});
