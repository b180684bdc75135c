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
const resolved = new Map<string, TimeZone>();

/**
 * Reads a zone as `--tz` takes it: `UTC` (or `Z`), a fixed offset `±HH:MM` (`±HHMM`,
 * `±HH`), or an IANA name the runtime knows. Undefined when it is none of these.
 */
export function resolveTimeZone(spec: string): TimeZone | undefined {
  const known = resolved.get(spec);
  if (known !== undefined) return known;
  const zone = createTimeZone(spec);
  if (zone !== undefined) resolved.set(spec, zone);
  return zone;
}

function createTimeZone(spec: string): TimeZone | undefined {
  if (spec === 'UTC' || spec === 'utc' || spec === 'Z') return UTC_ZONE;
  const fixed = FIXED_OFFSET.exec(spec);
  if (fixed !== null) {
    const hours = Number(fixed[2]);
    const minutes = Number(fixed[3] ?? '0');
    if (hours > 23 || minutes > 59) return undefined;
    const offset = (fixed[1] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
    if (offset === 0) return Object.freeze({ ...UTC_ZONE, name: spec });
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
  return createIanaZone(spec, format);
}

/** Zone offsets change on a quarter of an hour of wall-clock time at the finest, so one offset serves each quarter. */
const QUARTER_HOUR_MS = 900_000;
const DAY_MS = 86_400_000;
const MAX_CACHED = 200_000;

function createIanaZone(name: string, format: Intl.DateTimeFormat): TimeZone {
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
  const offsetOfWall = (wall: number): number => {
    const before = offsetAt(wall - DAY_MS);
    const after = offsetAt(wall + DAY_MS);
    // The larger offset gives the earlier instant; it holds when the zone is at that offset then.
    for (const offset of before >= after ? [before, after] : [after, before]) if (offsetAt(wall - offset) === offset) return offset;
    return before;
  };
  const cache = new Map<number, number>();
  const fromWallClock = (wallMs: number): number => {
    if (!Number.isFinite(wallMs)) return wallMs;
    const quarter = Math.floor(wallMs / QUARTER_HOUR_MS);
    let offset = cache.get(quarter);
    if (offset === undefined) {
      if (cache.size >= MAX_CACHED) cache.clear();
      offset = offsetOfWall(quarter * QUARTER_HOUR_MS);
      cache.set(quarter, offset);
    }
    return wallMs - offset;
  };
  // A zone that is UTC all year (Etc/UTC, GMT) costs nothing, like UTC itself.
  const utc =
    name !== 'UTC' && ['Etc/UTC', 'Etc/GMT', 'GMT', 'UCT', 'Etc/UCT', 'Universal', 'Zulu', 'Etc/Universal', 'Etc/Zulu'].includes(name);
  return Object.freeze({ name, utc, fromWallClock: utc ? UTC_ZONE.fromWallClock : fromWallClock });
}

/**
 * The zone of this machine for a process environment: `TZ` when it names a zone
 * resolveTimeZone reads (a leading `:` dropped), else the runtime's own zone, else UTC.
 */
export function machineTimeZone(env: Readonly<Record<string, string | undefined>>): TimeZone {
  const tz = env['TZ']?.replace(/^:/, '');
  if (tz !== undefined && tz !== '') {
    const zone = resolveTimeZone(tz);
    if (zone !== undefined) return zone;
  }
  const own = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (own === undefined ? undefined : resolveTimeZone(own)) ?? UTC_ZONE;
}
