/**
 * How a container runtime or journald wrapped each JSON line of a log:
 * - `cri`: Kubernetes' CRI format, `2026-12-03T10:00:00.123456789Z stdout F {json}`
 *   (`P` marks a partial line continued by the next one);
 * - `docker`: `docker logs -t`, `2026-12-03T10:00:00.123456789Z {json}`;
 * - `docker-json`: Docker's json-file driver, `{"log":"{json}\n","stream":"stdout","time":"…"}`
 *   (a `log` without its `\n` is continued by the next record);
 * - `journald`: `journalctl -o json`, the line in `MESSAGE`, the time in
 *   `__REALTIME_TIMESTAMP` (µs since the epoch).
 */
export type Wrapper = 'cri' | 'docker' | 'docker-json' | 'journald';

/** One wrapper line taken apart: the producer's text and the runtime's time for it. */
export interface UnwrappedLine {
  readonly text: string;
  /** The runtime's time: an ISO string, or epoch ms. */
  readonly time: string | number | undefined;
  /** The text goes on in the next wrapper line. */
  readonly partial: boolean;
}

const RFC3339 = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})`;
const CRI_LINE = new RegExp(`^(${RFC3339}) (stdout|stderr) ([PF])(?: (.*))?$`, 's');
const DOCKER_LINE = new RegExp(`^(${RFC3339}) (.*)$`, 's');

/** Takes one line of a wrapped log apart; undefined when it is not in the wrapper's form. */
export function unwrapLine(wrapper: Wrapper, line: string): UnwrappedLine | undefined {
  switch (wrapper) {
    case 'cri': {
      const m = CRI_LINE.exec(line);
      return m === null ? undefined : { text: m[4] ?? '', time: m[1], partial: m[3] === 'P' };
    }
    case 'docker': {
      const m = DOCKER_LINE.exec(line);
      return m === null ? undefined : { text: m[2] ?? '', time: m[1], partial: false };
    }
    case 'docker-json': {
      const record = parseObject(line);
      const log = record?.['log'];
      if (typeof log !== 'string' || typeof record?.['stream'] !== 'string') return undefined;
      const time = record?.['time'];
      return { text: log.replace(/\r?\n$/, ''), time: typeof time === 'string' ? time : undefined, partial: !log.endsWith('\n') };
    }
    case 'journald': {
      const record = parseObject(line);
      if (record === undefined || !('__REALTIME_TIMESTAMP' in record)) return undefined;
      const message = record['MESSAGE'];
      // journald writes a message that is not valid UTF-8 as an array of bytes.
      const text =
        typeof message === 'string'
          ? message
          : Array.isArray(message) && message.every((b) => typeof b === 'number')
            ? Buffer.from(message as number[]).toString('utf8')
            : undefined;
      if (text === undefined) return undefined;
      const micros = Number(record['__REALTIME_TIMESTAMP']);
      return { text, time: Number.isFinite(micros) && micros > 0 ? micros / 1000 : undefined, partial: false };
    }
  }
}

/**
 * The wrapper of a log from its first lines (blank ones left out): the one most of them
 * have, with a JSON object inside, when that is at least half of them; undefined for
 * plain JSON lines (or text).
 */
export function detectWrapper(lines: readonly string[]): Wrapper | undefined {
  const counts = new Map<Wrapper, number>();
  for (const line of lines) {
    const wrapper = wrapperOf(line);
    if (wrapper !== undefined) counts.set(wrapper, (counts.get(wrapper) ?? 0) + 1);
  }
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  return best !== undefined && best[1] * 2 >= lines.length ? best[0] : undefined;
}

/** The wrapper whose form `line` has, holding a JSON object (a timestamped text line is no wrapped log). */
function wrapperOf(line: string): Wrapper | undefined {
  for (const wrapper of WRAPPERS) {
    const unwrapped = unwrapLine(wrapper, line);
    if (unwrapped !== undefined && unwrapped.text.trimStart().startsWith('{')) return wrapper;
  }
  return undefined;
}

const WRAPPERS: readonly Wrapper[] = ['cri', 'docker', 'docker-json', 'journald'];

function parseObject(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
