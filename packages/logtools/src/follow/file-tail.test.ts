import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTail, RETIRE_AFTER_MS, type TailStart } from './file-tail.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'logtrace-file-tail-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A FileTail on `name` that collects lines (with the file they came from), tail flags and notes. */
function follow(name: string, start: TailStart = { at: 'start' }) {
  const lines: string[] = [];
  const notes: string[] = [];
  const tail = new FileTail(
    path.join(dir, name),
    name,
    {
      block(block, file) {
        const text = block.buf.toString('utf8', block.start, block.end);
        for (const line of text.split('\n').filter((l) => l !== '')) lines.push(`${file}:${line}${block.tail ? ' (tail)' : ''}`);
      },
      oversized: () => undefined,
      note: (text) => notes.push(text),
    },
    start,
    0,
  );
  return { tail, lines, notes };
}

describe('FileTail', () => {
  it('starts at the start of the last line when asked to start at the end, so a torn line is read whole', () => {
    const log = path.join(dir, 'a.log');
    writeFileSync(log, 'old 1\nold 2\ntorn');
    const { tail, lines } = follow('a.log', { at: 'end' });
    tail.poll(1);
    expect(lines).toEqual([]);
    appendFileSync(log, ' line\nnew\n');
    tail.poll(2);
    expect(lines).toEqual(['0:torn line', '0:new']);
    tail.close();
  });

  it('starts at a listed size without a descriptor, at the start of the line it falls in', () => {
    const log = path.join(dir, 'a.log');
    writeFileSync(log, 'read before\nhalf');
    const { tail, lines } = follow('a.log', { at: 'position', position: 'read before\nha'.length });
    appendFileSync(log, ' done\n');
    tail.poll(1);
    expect(lines).toEqual(['0:half done']);
    tail.close();
  });

  it('reads a renamed-away file to its end, then the new one, and lets the old one go after RETIRE_AFTER_MS', () => {
    const log = path.join(dir, 'a.log');
    writeFileSync(log, '1\n');
    const { tail, lines, notes } = follow('a.log');
    tail.poll(0);
    appendFileSync(log, '2\n');
    renameSync(log, `${log}.1`);
    appendFileSync(`${log}.1`, '3\nunfinished');
    writeFileSync(log, 'new 1\n');
    tail.poll(10);
    expect(lines).toEqual(['0:1', '0:2', '0:3', '1:new 1']);
    expect(notes).toEqual(['a.log was rotated: following the new file from its start']);
    // The old writer still writes a little, then the old file is let go with its last line.
    appendFileSync(`${log}.1`, ' still\n');
    tail.poll(20);
    tail.poll(20 + RETIRE_AFTER_MS);
    expect(lines).toEqual(['0:1', '0:2', '0:3', '1:new 1', '0:unfinished still']);
    expect(tail.active).toBe(true);
    tail.close();
  });

  it('reads a truncated file again from 0, dropping the unfinished line of the old content', () => {
    const log = path.join(dir, 'a.log');
    writeFileSync(log, 'a\nb\nhalf');
    const { tail, lines, notes } = follow('a.log');
    tail.poll(0);
    truncateSync(log, 0);
    appendFileSync(log, 'c\n');
    tail.poll(1);
    expect(lines).toEqual(['0:a', '0:b', '1:c']);
    expect(notes).toEqual(['a.log was truncated (copytruncate?): reading it again from the start']);
    tail.close();
  });

  it('says when a file was deleted and not created again, and gives its unfinished last line', () => {
    const log = path.join(dir, 'a.log');
    writeFileSync(log, 'x\ny');
    const { tail, lines, notes } = follow('a.log');
    tail.poll(0);
    unlinkSync(log);
    tail.poll(1);
    tail.poll(1 + RETIRE_AFTER_MS);
    expect(lines).toEqual(['0:x', '0:y (tail)']);
    expect(notes).toEqual(['a.log was deleted (or renamed away and not created again): read to its end']);
    expect(tail.active).toBe(false);
  });
});
