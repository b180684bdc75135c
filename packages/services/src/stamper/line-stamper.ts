import { formatStamp } from '@logtrace/shared/schema';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Options for createLineStamper. */
export interface LineStamperOptions {
  /** Longest line kept before it is cut and written as it is, in bytes (default 1 MiB). */
  readonly maxLineBytes?: number;
}

/** Turns a byte stream into stamped lines; see createLineStamper. */
export interface LineStamper {
  /** Feeds bytes received at `now` (epoch ms); returns the lines they completed. */
  push(chunk: Uint8Array, now: number): Buffer[];
  /** End of input: returns the unfinished last line, if any, so it is never lost. */
  end(now: number): Buffer[];
}

/**
 * Prefixes every line of a byte stream with the ISO-8601 UTC time it was received and
 * one space (`2026-11-28T05:03:21.123Z got prompt\n`). A `\r` inside a line is a
 * progress-bar redraw: only the text after the last `\r` is kept, so a tqdm bar is
 * reduced to its final state; `\r\n` is a plain line end. Works on bytes, so a UTF-8
 * character split between chunks or invalid UTF-8 passes through unchanged.
 */
export function createLineStamper(options: LineStamperOptions = {}): LineStamper {
  const maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const finish = (tail: Buffer, now: number): Buffer => {
    const line = pendingBytes === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    return stamp(lastRedraw(line), now);
  };

  return {
    push(chunk, now) {
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const out: Buffer[] = [];
      let start = 0;
      for (let nl = bytes.indexOf(NEWLINE, start); nl !== -1; nl = bytes.indexOf(NEWLINE, start)) {
        out.push(finish(bytes.subarray(start, nl), now));
        start = nl + 1;
      }
      if (start < bytes.length) {
        const rest = Buffer.from(bytes.subarray(start));
        pending.push(rest);
        pendingBytes += rest.length;
        if (pendingBytes >= maxLineBytes) out.push(finish(Buffer.alloc(0), now));
      }
      return out;
    },
    end(now) {
      return pendingBytes === 0 ? [] : [finish(Buffer.alloc(0), now)];
    },
  };
}

function lastRedraw(line: Buffer): Buffer {
  let end = line.length;
  if (end > 0 && line[end - 1] === CARRIAGE_RETURN) end -= 1;
  const body = line.subarray(0, end);
  const cr = body.lastIndexOf(CARRIAGE_RETURN);
  if (cr === -1) return body;
  const last = body.subarray(cr + 1);
  // A bar that ends with "\r" and nothing after it keeps its previous state.
  if (last.length > 0) return last;
  const previous = body.subarray(0, cr);
  const before = previous.lastIndexOf(CARRIAGE_RETURN);
  return before === -1 ? previous : previous.subarray(before + 1);
}

function stamp(line: Buffer, now: number): Buffer {
  return Buffer.concat([Buffer.from(formatStamp(now)), line, Buffer.from('\n')]);
}
