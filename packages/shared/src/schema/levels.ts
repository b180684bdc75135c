/** Log levels written by logtrace services, lowest first. */
export const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;

/** One of the five upper-case level names of the log format. */
export type Level = (typeof LEVELS)[number];

/** Numeric rank of each level, on pino's scale (higher is more severe). */
export const LEVEL_RANK: Readonly<Record<Level, number>> = Object.freeze({
  DEBUG: 20,
  INFO: 30,
  WARN: 40,
  ERROR: 50,
  FATAL: 60,
});

/** Other producers' spellings of the levels (lower case; compared in any case), and the level each means. */
export const LEVEL_ALIASES: ReadonlyMap<string, Level> = new Map<string, Level>([
  ['trace', 'DEBUG'],
  ['debug', 'DEBUG'],
  ['info', 'INFO'],
  ['information', 'INFO'],
  ['notice', 'INFO'],
  ['warn', 'WARN'],
  ['warning', 'WARN'],
  ['error', 'ERROR'],
  ['err', 'ERROR'],
  ['fatal', 'FATAL'],
  ['critical', 'FATAL'],
  ['crit', 'FATAL'],
  ['alert', 'FATAL'],
  ['emerg', 'FATAL'],
  ['emergency', 'FATAL'],
]);

/** True when `value` is exactly one of the five level names. */
export function isLevel(value: unknown): value is Level {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value);
}

/**
 * Reads a level written by any supported producer: our upper-case names, Python's
 * `WARNING`/`CRITICAL`, lower-case names, or pino's numbers (10 trace … 60 fatal).
 * Returns undefined for anything else.
 */
export function normalizeLevel(value: unknown): Level | undefined {
  if (typeof value === 'string') {
    if (isLevel(value)) return value;
    return LEVEL_ALIASES.get(value.toLowerCase());
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (value >= 60) return 'FATAL';
    if (value >= 50) return 'ERROR';
    if (value >= 40) return 'WARN';
    if (value >= 30) return 'INFO';
    if (value >= 0) return 'DEBUG';
  }
  return undefined;
}

/** True when level `a` is at least as severe as level `b`. */
export function isAtLeast(a: Level, b: Level): boolean {
  return LEVEL_RANK[a] >= LEVEL_RANK[b];
}
