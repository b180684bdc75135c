import type { Level, NormalizedRecord, TimeZone } from '@logtrace/shared/schema';
import { describeComfyuiIssue } from '../comfyui/describe-comfyui-issue.js';
import { ComfyuiEntryParser, type ComfyuiEntry } from '../comfyui/parse-comfyui-entries.js';
import { toComfyuiLines } from '../comfyui/to-comfyui-line.js';
import { toEvent } from '../core/to-event.js';
import { recordHost } from '../core/record-host.js';
import { issueFields } from '../errors/scan-errors.js';
import { decodeJsonLine } from '../read/decode-json-line.js';
import { decodeGluedLine } from '../read/decode-glued-line.js';
import { FileStats } from '../read/file-stats.js';
import type { LineBlock } from '../read/line-blocker.js';
import type { Wrapper } from '../read/unwrap-line.js';
import { WrappedLines } from '../read/wrapped-lines.js';

/** One line (a record) or ComfyUI entry read while following, as tail and the `-f` consumers get it. */
export interface FollowItem {
  /** Epoch ms; NaN for an unstamped comfyui.log entry. */
  readonly time: number;
  readonly service: string;
  readonly level: Level;
  /** The one-line form's fields (toEvent of a record; issueFields or the text of a ComfyUI entry); attribution adds ids. */
  readonly fields: Record<string, unknown>;
  readonly record?: NormalizedRecord | undefined;
  readonly entry?: ComfyuiEntry | undefined;
}

/** Zones of times written without one: JSON `time`s (`--tz`) and comfyui.log stamps (`--comfyui-tz`). */
export interface FollowZones {
  readonly timeZone: TimeZone;
  readonly comfyuiTimeZone: TimeZone;
}

/** What a followed log is: JSON lines of a service (maybe wrapped by a runtime), or ComfyUI's text. */
export interface LiveSourceKind {
  readonly kind: 'json' | 'comfyui';
  readonly service: string;
  readonly wrapper?: Wrapper | undefined;
  /** The host its records are on when they name none (its directory's, when several are followed). */
  readonly host?: string | undefined;
}

/**
 * Turns the whole lines of a followed file into FollowItems with the readers every
 * command uses: decodeJsonLine (JSON.parse + normalizeRecord) or WrappedLines for
 * JSON lines, toComfyuiLines and ComfyuiEntryParser for comfyui.log. Bad lines are
 * counted in `stats`. A ComfyUI block (traceback, validation report) ends with the
 * next entry or, while following, when no line came for a while (flushIdle).
 */
export class LiveSource {
  /** Lines read and lines skipped, for the notes at the end. */
  readonly stats: FileStats;
  private readonly parser: ComfyuiEntryParser | undefined;
  private wrapped: { file: number; lines: WrappedLines } | undefined;
  private lastLine = 0;
  /** No ComfyUI block can be open: nothing came since the last flush. */
  private flushed = true;

  constructor(
    readonly source: LiveSourceKind,
    path: string,
    private readonly zones: FollowZones | undefined,
    private readonly emit: (item: FollowItem) => void,
  ) {
    this.stats = new FileStats(path);
    this.parser = source.kind === 'comfyui' ? new ComfyuiEntryParser((entry) => this.emitEntry(entry)) : undefined;
  }

  /** Lines of file `file` (FileTail's numbering) arrived at `now`. */
  block(block: LineBlock, file: number, now: number): void {
    this.lastLine = now;
    this.flushed = false;
    let lineNo = block.firstLine;
    for (let s = block.start; s < block.end; lineNo++) {
      const nl = block.buf.indexOf(0x0a, s);
      const e = nl === -1 || nl >= block.end ? block.end : nl + 1;
      this.stats.lines++;
      this.line(block.buf, s, e, lineNo, file, block.tail && e === block.end);
      s = e;
    }
  }

  /** A line over the cap was dropped. */
  oversized(line: number, head: Buffer): void {
    this.stats.lines++;
    this.stats.skip('oversized', line, head, 0, head.length);
  }

  /** Ends an open ComfyUI block when no line came for `idleMs`. */
  flushIdle(now: number, idleMs: number): void {
    if (this.parser === undefined || this.flushed || now - this.lastLine < idleMs) return;
    this.parser.end();
    this.flushed = true;
  }

  /** Epoch ms at which flushIdle would end an open block, or undefined. */
  idleDue(idleMs: number): number | undefined {
    return this.parser !== undefined && !this.flushed ? this.lastLine + idleMs : undefined;
  }

  /** Ends everything open (at the end of following). */
  end(): void {
    this.parser?.end();
    this.wrapped?.lines.end();
  }

  private line(buf: Buffer, s: number, e: number, lineNo: number, file: number, tail: boolean): void {
    if (this.parser !== undefined) {
      for (const line of toComfyuiLines(buf.toString('utf8', s, e), lineNo, this.zones?.comfyuiTimeZone)) this.parser.push(line);
      return;
    }
    const { service, wrapper } = this.source;
    if (wrapper !== undefined) {
      if (this.wrapped?.file !== file) {
        this.wrapped?.lines.end();
        const sink = { fast: () => undefined, record: (record: NormalizedRecord) => this.emitRecord(record) };
        this.wrapped = { file, lines: new WrappedLines(wrapper, service, this.stats, sink, this.zones?.timeZone) };
      }
      this.wrapped.lines.line(buf, s, buf[e - 1] === 0x0a ? e - 1 : e, lineNo, tail);
      return;
    }
    const context = { service, first: lineNo === 1, tail, timeZone: this.zones?.timeZone };
    const decoded = decodeJsonLine(buf, s, e, context);
    if (decoded.ok) {
      this.emitRecord(decoded.record);
      return;
    }
    // Records glued by a lost newline are recovered as the other commands do.
    const parts = decoded.reason === 'invalid_json' || decoded.reason === 'truncated' ? decodeGluedLine(buf, s, e, context) : undefined;
    if (parts === undefined) {
      if (decoded.reason !== 'blank') this.stats.skip(decoded.reason, lineNo, buf, s, e);
      return;
    }
    this.stats.glued++;
    for (const p of parts) {
      if (p.decoded.ok) this.emitRecord(p.decoded.record);
      else this.stats.skip(p.decoded.reason, lineNo, buf, p.start, p.end);
    }
  }

  private emitRecord(record: NormalizedRecord): void {
    this.emit(recordItem(record, this.source.host));
  }

  private emitEntry(entry: ComfyuiEntry): void {
    this.emit(entryItem(entry, this.source.host));
  }
}

/** A record as a FollowItem. */
export function recordItem(record: NormalizedRecord, host?: string): FollowItem {
  return {
    time: record.time,
    service: record.service,
    level: record.level,
    fields: toEvent(record, recordHost(record.extra, host)),
    record,
  };
}

/** A comfyui.log entry as a FollowItem: a problem with the fields `errors --no-group` gives it, any other entry with its text as `msg`. */
export function entryItem(entry: ComfyuiEntry, host?: string): FollowItem {
  const issue = describeComfyuiIssue(entry);
  const fields =
    issue === undefined
      ? {
          time: entry.time === undefined ? null : new Date(entry.time).toISOString(),
          service: 'comfyui',
          event: entry.kind,
          level: entry.kind === 'warning' ? 'WARN' : 'INFO',
          msg: entry.lines.map((l) => l.text).join('\n'),
          line: entry.lines[0]?.line ?? 0,
        }
      : issueFields(issue, entry, host);
  const level: Level = issue?.level ?? (entry.kind === 'warning' ? 'WARN' : 'INFO');
  return { time: entry.time ?? Number.NaN, service: 'comfyui', level, fields, entry };
}
