/**
 * A time zone for times written without one (python-json-logger's `asctime`,
 * ComfyUI-Manager's comfyui.log stamps): turns a wall-clock time into an instant.
 */
export interface TimeZone {
  /** As given: `UTC`, `+05:30`, or an IANA name such as `America/New_York`. */
  readonly name: string;
  /** True when every wall-clock time is UTC: readers then leave times as they are. */
  readonly utc: boolean;
  /**
   * Epoch ms of a wall-clock time in this zone, the wall-clock time given as the epoch
   * ms it would be in UTC. The offset is the one in force at that time (DST included).
   * A wall-clock time that happens twice (the hour repeated when clocks go back) is the
   * earlier instant; one that never happens (the hour skipped) takes the offset before
   * the change.
   */
  fromWallClock(wallMs: number): number;
}

/** UTC: wall-clock times are instants. */
export const UTC_ZONE: TimeZone = Object.freeze({ name: 'UTC', utc: true, fromWallClock: (wallMs: number) => wallMs });

const FIXED_OFFSET = /^([+-])(\d{2}):?(\d{2})?$/;
/** Names of UTC itself, read without the runtime's zone data. */
const UTC_NAMES: ReadonlySet<string> = new Set([
  'UTC',
  'utc',
  'Z',
  'UCT',
  'GMT',
  'UTC0',
  'GMT0',
  'Etc/UTC',
  'Etc/UCT',
  'Etc/GMT',
  'Etc/Universal',
  'Etc/Zulu',
  'Universal',
  'Zulu',
]);
const resolved = new Map<string, TimeZone>();

/**
 * Reads a zone as `--tz` takes it: `UTC` (or `Z`), a fixed offset `±HH:MM` (`±HHMM`,
 * `±HH`), `local` (this process's zone, LOCAL_ZONE), or an IANA name the runtime
 * knows. Undefined when it is none of these. An IANA name loads the runtime's zone
 * data (Intl.DateTimeFormat: about 120 M instructions, 30 ms, once a process).
 */
export function resolveTimeZone(spec: string): TimeZone | undefined {
  const known = resolved.get(spec);
  if (known !== undefined) return known;
  const zone = createTimeZone(spec);
  if (zone !== undefined) resolved.set(spec, zone);
  return zone;
}

function createTimeZone(spec: string): TimeZone | undefined {
  if (UTC_NAMES.has(spec)) return UTC_ZONE;
  if (spec === LOCAL_ZONE.name) return LOCAL_ZONE;
  const fixed = FIXED_OFFSET.exec(spec);
  if (fixed !== null) {
    const hours = Number(fixed[2]);
    const minutes = Number(fixed[3] ?? '0');
    if (hours > 23 || minutes > 59) return undefined;
    const offset = (fixed[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
    if (offset === 0) return UTC_ZONE;
    return Object.freeze({ name: spec, utc: false, fromWallClock: (wallMs: number) => wallMs - offset });
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: spec,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined;
  }
  const offsetAt = (instant: number): number => {
    const at = Math.floor(instant / 1000) * 1000;
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(at)) parts[part.type] = part.value;
    const year = parts['era'] === 'BC' ? 1 - Number(parts['year']) : Number(parts['year']);
    const wall = new Date(0);
    wall.setUTCFullYear(year, Number(parts['month']) - 1, Number(parts['day']));
    wall.setUTCHours(Number(parts['hour']), Number(parts['minute']), Number(parts['second']), 0);
    return wall.getTime() - at;
  };
  return Object.freeze({ name: spec, utc: false, fromWallClock: cachedByQuarterHour((wall) => offsetOfWall(wall, offsetAt)) });
}

/** Zone offsets change on a quarter of an hour of wall-clock time at the finest, so one offset serves each quarter. */
const QUARTER_HOUR_MS = 900_000;
const DAY_MS = 86_400_000;
const MAX_CACHED = 200_000;

/**
 * The offset (ms east of UTC) of a wall-clock time given as if UTC, from a zone's
 * offset at instants: the one that holds at its instant, the larger (earlier
 * instant) when both do (a repeated hour), the one before when neither (a skipped hour).
 */
function offsetOfWall(wall: number, offsetAt: (instant: number) => number): number {
  const before = offsetAt(wall - DAY_MS);
  const after = offsetAt(wall + DAY_MS);
  for (const offset of before >= after ? [before, after] : [after, before]) if (offsetAt(wall - offset) === offset) return offset;
  return before;
}

/** fromWallClock with the offset of each quarter hour of wall-clock time computed once. */
function cachedByQuarterHour(offsetOf: (wallMs: number) => number): (wallMs: number) => number {
  const cache = new Map<number, number>();
  return (wallMs) => {
    if (!Number.isFinite(wallMs)) return wallMs;
    const quarter = Math.floor(wallMs / QUARTER_HOUR_MS);
    let offset = cache.get(quarter);
    if (offset === undefined) {
      if (cache.size >= MAX_CACHED) cache.clear();
      offset = offsetOf(quarter * QUARTER_HOUR_MS);
      cache.set(quarter, offset);
    }
    return wallMs - offset;
  };
}

/** This process's offset at an instant, from Date's local time (minutes west → ms east). */
function localOffsetAt(instant: number): number {
  return -new Date(instant).getTimezoneOffset() * 60_000;
}

/**
 * This process's own zone (`TZ`, else the system's), through Date's local time: no
 * Intl, and nothing is read until a time without a zone is (Date's zone data costs
 * about 25 M instructions the first time). `utc` is true when the offset is 0 in
 * January and July of 1970, 2000 and 2026.
 */
export const LOCAL_ZONE: TimeZone = createLocalZone();

function createLocalZone(): TimeZone {
  let utc: boolean | undefined;
  const isUtc = (): boolean =>
    (utc ??= [1970, 2000, 2026].every((year) => localOffsetAt(Date.UTC(year, 0, 1)) === 0 && localOffsetAt(Date.UTC(year, 6, 1)) === 0));
  const fromOffsets = cachedByQuarterHour((wall) => offsetOfWall(wall, localOffsetAt));
  return Object.freeze({
    name: 'local',
    get utc() {
      return isUtc();
    },
    fromWallClock: (wallMs: number) => (isUtc() ? wallMs : fromOffsets(wallMs)),
  });
}

/**
 * The zone of this machine for the environment `env` of a command: LOCAL_ZONE when
 * `env.TZ` is this process's own `runtimeTz` (or both are unset), UTC for UTC's names;
 * another `TZ` (a command run in-process with an environment of its own) through
 * resolveTimeZone, LOCAL_ZONE when it names no zone.
 */
export function machineTimeZone(env: Readonly<Record<string, string | undefined>>, runtimeTz: string | undefined): TimeZone {
  const tz = env['TZ'];
  const name = tz?.replace(/^:/, '') ?? '';
  if (UTC_NAMES.has(name)) return UTC_ZONE;
  if (tz === runtimeTz || name === '') return LOCAL_ZONE;
  return resolveTimeZone(name) ?? LOCAL_ZONE;
}
