import { summarizeTraceback } from '../core/summarize-traceback.js';

/** What errors groups a record's error by, when the record carries an error object or a traceback. */
export interface RecordError {
  /** The exception's class (`ValueError`, `TypeError`), or null when nothing names it. */
  readonly type: string | null;
  /** Its message. */
  readonly message: string;
  /** Where it was raised: `file:line in function`, or null without a frame. */
  readonly lastFrame: string | null;
  /** The traceback or stack, line by line. */
  readonly traceback: readonly string[] | null;
}

/** A record's error fields (NormalizedRecord or FastLine). */
export interface RecordErrorFields {
  readonly error: string | undefined;
  readonly error_type: string | undefined;
  readonly stack: string | undefined;
  readonly msg: string;
}

const PYTHON_TRACEBACK = 'Traceback (most recent call last):';
// V8's stack frames: `    at fn (file:line:col)` or `    at file:line:col`.
const JS_FRAME = /^\s+at (?:(.+?) \()?(.+?):(\d+)(?::\d+)?\)?$/;
// A stack's first line: `TypeError: message`.
const JS_HEADLINE = /^([A-Za-z_$][\w$.]*?(?:Error|Exception)?): ?(.*)$/;

/**
 * The exception a record carries: a Python traceback (python-json-logger's `exc_info`,
 * structlog's `exception`), a JavaScript stack (pino's `err.stack`), or at least an
 * error class (`err.type`, `error_type`); undefined when there is none. The message is
 * the record's `error` text when it has one, else the traceback's.
 */
export function describeRecordError(fields: RecordErrorFields): RecordError | undefined {
  const { stack } = fields;
  if (stack !== undefined && stack.includes(PYTHON_TRACEBACK)) {
    const lines = stack.replace(/\n+$/, '').split('\n');
    const summary = summarizeTraceback(lines, fields.error ?? fields.msg);
    return {
      type: fields.error_type ?? summary.type,
      message: fields.error ?? summary.message,
      lastFrame: summary.lastFrame,
      traceback: lines,
    };
  }
  if (stack !== undefined && stack.trim() !== '') {
    const lines = stack.replace(/\n+$/, '').split('\n');
    const headline = JS_HEADLINE.exec(lines[0] ?? '');
    const frame = lines.map((l) => JS_FRAME.exec(l)).find((m) => m !== null);
    const lastFrame =
      frame === undefined || frame === null ? null : `${frame[2]}:${frame[3]}${frame[1] === undefined ? '' : ` in ${frame[1]}`}`;
    return {
      type: fields.error_type ?? (frame === undefined ? null : (headline?.[1] ?? null)),
      message: fields.error ?? headline?.[2] ?? lines[0] ?? '',
      lastFrame,
      traceback: lines,
    };
  }
  if (fields.error_type !== undefined)
    return { type: fields.error_type, message: fields.error ?? fields.msg, lastFrame: null, traceback: null };
  return undefined;
}
