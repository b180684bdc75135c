import type { Level } from '@logtrace/shared/schema';

/** The three producers the generator imitates (docs/log-format.md "Other producers"). */
export type ProducerStyle = 'ours' | 'python' | 'pino';

/** One JSON-lines event before it is written in some producer's style. */
export interface LogEvent {
  /** Epoch ms. */
  readonly time: number;
  readonly level: Level;
  readonly service: string;
  readonly event: string;
  readonly msg: string;
  /** Ids and event fields, in the order they are written. */
  readonly fields: Readonly<Record<string, unknown>>;
}

const PYTHON_LEVEL: Readonly<Record<Level, string>> = { DEBUG: 'DEBUG', INFO: 'INFO', WARN: 'WARNING', ERROR: 'ERROR', FATAL: 'CRITICAL' };
const PINO_LEVEL: Readonly<Record<Level, number>> = { DEBUG: 20, INFO: 30, WARN: 40, ERROR: 50, FATAL: 60 };

/**
 * Writes an event as one line (no newline) the way a producer would: ours (pino with
 * our formatters: upper-case level, ISO time, `service`), Python `json.dumps`
 * (`"timestamp"` without zone and with microseconds, `WARNING`/`CRITICAL`, `": "` and
 * `", "`, `message`, non-ASCII escaped), or pino defaults (numeric level, epoch-ms
 * time, `name`, `hostname`). With `namedByFile`, the service is left out (the reader
 * takes it from the file name). `hostname` is the machine pino writes (default
 * `gpu-host-1`); ours writes it only when given (older logs of our services have none).
 */
export function formatRecord(style: ProducerStyle, e: LogEvent, pid: number, namedByFile = false, hostname?: string): string {
  switch (style) {
    case 'ours': {
      // Built as text: this runs for every line of a gigabyte benchmark directory.
      const service = namedByFile ? '' : `,"service":${json(e.service)}`;
      const host = hostname === undefined ? '' : `,"hostname":${json(hostname)}`;
      return `{"level":"${e.level}","time":"${iso(e.time)}"${service},"pid":${pid}${host}${members(e.fields)},"event":${json(e.event)},"msg":${json(e.msg)}}`;
    }
    case 'python': {
      const obj: Record<string, unknown> = { timestamp: pythonTime(e.time), level: PYTHON_LEVEL[e.level] };
      if (!namedByFile) obj['service'] = e.service;
      Object.assign(obj, { event: e.event }, e.fields, { message: e.msg });
      return pythonDumps(obj);
    }
    case 'pino': {
      const name = namedByFile ? '' : `,"name":${json(e.service)}`;
      return `{"level":${PINO_LEVEL[e.level]},"time":${e.time},"pid":${pid},"hostname":${json(hostname ?? 'gpu-host-1')}${name}${members(e.fields)},"event":${json(e.event)},"msg":${json(e.msg)}}`;
    }
  }
}

/** `,"key":value` for each defined field, as JSON.stringify would write them. */
function members(fields: Readonly<Record<string, unknown>>): string {
  let out = '';
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) out += `,${json(key)}:${json(value)}`;
  }
  return out;
}

const PLAIN = /^[^"\\\u0000-\u001f\u007f-\uffff]*$/;

/** JSON.stringify, with a shortcut for plain strings and numbers. */
function json(value: unknown): string {
  if (typeof value === 'string' && PLAIN.test(value)) return `"${value}"`;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? 'null';
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Python's `datetime.utcnow().isoformat()`: no zone, microseconds. */
function pythonTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000`;
}

/** json.dumps with default separators and ensure_ascii. */
export function pythonDumps(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    return (JSON.stringify(value) ?? 'null').replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return `[${value.map(pythonDumps).join(', ')}]`;
  const items = Object.entries(value).map(([k, v]) => `${pythonDumps(k)}: ${pythonDumps(v)}`);
  return `{${items.join(', ')}}`;
}
