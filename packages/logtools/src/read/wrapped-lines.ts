import type { TimeZone } from '@logtrace/shared/schema';
import { decodeJsonLine } from './decode-json-line.js';
import type { FileStats } from './file-stats.js';
import type { JsonLineSink } from './read-json-lines.js';
import { unwrapLine, type Wrapper } from './unwrap-line.js';

/**
 * Reads the lines of a log a container runtime or journald wrapped (unwrapLine): joins
 * the pieces of a split line, decodes the producer's JSON line the reference way
 * (decodeJsonLine) and hands each record to the sink; the runtime's time stands in
 * for a record that has none. A line not in the wrapper's form is read as a plain JSON
 * line. Unusable lines are counted in `stats` as usual, at their first wrapper line.
 */
export class WrappedLines {
  private pending = '';
  private pendingLine = 0;

  constructor(
    private readonly wrapper: Wrapper,
    private readonly service: string,
    private readonly stats: FileStats,
    private readonly sink: JsonLineSink,
    private readonly timeZone?: TimeZone,
  ) {}

  /** Takes the wrapper line bytes[s, e) (no `\n`), line `lineNo` of the file. */
  line(bytes: Buffer, s: number, e: number, lineNo: number, tail: boolean): void {
    const unwrapped = unwrapLine(this.wrapper, bytes.toString('utf8', s, e).replace(/\r$/, ''));
    if (unwrapped === undefined) {
      this.decode(bytes.subarray(s, e), lineNo, tail, undefined);
      return;
    }
    if (this.pending === '') this.pendingLine = lineNo;
    this.pending += unwrapped.text;
    if (unwrapped.partial && !tail) return;
    const text = this.pending;
    this.pending = '';
    this.decode(Buffer.from(text), this.pendingLine, tail, unwrapped.time);
  }

  /** Ends the file: a split line whose last piece never came is `truncated`. */
  end(): void {
    if (this.pending === '') return;
    this.stats.skip('truncated', this.pendingLine, Buffer.from(this.pending), 0, this.pending.length);
    this.pending = '';
  }

  private decode(raw: Buffer, lineNo: number, tail: boolean, runtimeTime: string | number | undefined): void {
    const context = { service: this.service, first: lineNo === 1, tail, timeZone: this.timeZone };
    let bytes = raw;
    let decoded = decodeJsonLine(bytes, 0, bytes.length, context);
    if (!decoded.ok && decoded.reason === 'no_time' && runtimeTime !== undefined) {
      bytes = withTime(raw, runtimeTime);
      decoded = decodeJsonLine(bytes, 0, bytes.length, context);
    }
    if (decoded.ok) this.sink.record(decoded.record, lineNo, bytes, 0);
    else this.stats.skip(decoded.reason, lineNo, raw, 0, raw.length);
  }
}

/** The JSON object `raw` with `time` added first (a later `time` key of its own still wins, as JSON.parse reads duplicates). */
function withTime(raw: Buffer, time: string | number): Buffer {
  const text = raw.toString('utf8').trimStart();
  const rest = text.slice(1).trimStart();
  return Buffer.from(`{"time":${JSON.stringify(time)}${rest.startsWith('}') ? '' : ','}${rest}`);
}
