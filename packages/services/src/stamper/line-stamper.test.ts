import { describe, expect, it } from 'vitest';
import { createLineStamper } from './line-stamper.js';

const T0 = Date.UTC(2026, 10, 28, 5, 3, 21, 123);
const text = (buffers: Buffer[]) => buffers.map((b) => b.toString('utf8')).join('');

describe('createLineStamper', () => {
  it('prefixes each complete line with the time it was received', () => {
    const stamper = createLineStamper();
    expect(text(stamper.push(Buffer.from('got prompt\nPrompt executed in 0.01 seconds\n'), T0))).toBe(
      '2026-11-28T05:03:21.123Z got prompt\n2026-11-28T05:03:21.123Z Prompt executed in 0.01 seconds\n',
    );
  });

  it('joins a line split across chunks and stamps it when it ends', () => {
    const stamper = createLineStamper();
    expect(stamper.push(Buffer.from('got pr'), T0)).toEqual([]);
    expect(text(stamper.push(Buffer.from('ompt\n'), T0 + 5))).toBe('2026-11-28T05:03:21.128Z got prompt\n');
  });

  it('keeps blank lines (the traceback terminator)', () => {
    const stamper = createLineStamper();
    expect(text(stamper.push(Buffer.from('a\n\nb\n'), T0))).toBe(
      '2026-11-28T05:03:21.123Z a\n2026-11-28T05:03:21.123Z \n2026-11-28T05:03:21.123Z b\n',
    );
  });

  it('reduces a carriage-return progress bar to its final state', () => {
    const stamper = createLineStamper();
    stamper.push(Buffer.from('  0%|          | 0/20 [00:00<?, ?it/s]\r 50%|█████     | 10/20'), T0);
    const out = stamper.push(Buffer.from(' [00:00<00:00]\r100%|██████████| 20/20 [00:01<00:00, 12.71it/s]\n'), T0);
    expect(text(out)).toBe('2026-11-28T05:03:21.123Z 100%|██████████| 20/20 [00:01<00:00, 12.71it/s]\n');
  });

  it('treats CRLF as a line end and keeps the state before a trailing redraw', () => {
    const stamper = createLineStamper();
    expect(text(stamper.push(Buffer.from('crlf line\r\n50%\r\n'), T0))).toBe(
      '2026-11-28T05:03:21.123Z crlf line\n2026-11-28T05:03:21.123Z 50%\n',
    );
    expect(text(stamper.push(Buffer.from('10%\r20%\r\r\n'), T0))).toBe('2026-11-28T05:03:21.123Z 20%\n');
  });

  it('passes a UTF-8 character split between chunks and invalid bytes through unchanged', () => {
    const stamper = createLineStamper();
    const bytes = Buffer.from('██ done\n');
    stamper.push(bytes.subarray(0, 2), T0);
    const out = Buffer.concat([...stamper.push(bytes.subarray(2), T0), ...stamper.push(Buffer.from([0xc3, 0x28, 0x0a]), T0)]);
    expect(out.subarray(25, 25 + bytes.length).equals(bytes)).toBe(true);
    expect(out.subarray(out.length - 3).equals(Buffer.from([0xc3, 0x28, 0x0a]))).toBe(true);
  });

  it('never loses the last line at end of input', () => {
    const stamper = createLineStamper();
    stamper.push(Buffer.from('Stopped server'), T0);
    expect(text(stamper.end(T0 + 1))).toBe('2026-11-28T05:03:21.124Z Stopped server\n');
    expect(stamper.end(T0 + 2)).toEqual([]);
  });

  it('cuts a line longer than the limit instead of growing without bound', () => {
    const stamper = createLineStamper({ maxLineBytes: 10 });
    const out = stamper.push(Buffer.from('0123456789abc'), T0);
    expect(text(out)).toBe('2026-11-28T05:03:21.123Z 0123456789abc\n');
  });
});
