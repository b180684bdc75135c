import { LEVEL_RANK, normalizeLevel, type Level } from '@logtrace/shared/schema';

/**
 * Finds the lines of a block that may matter to a command, by searching the raw
 * bytes, so that only those lines are decoded and JSON-parsed. A prefilter may
 * return extra lines (they are parsed and checked exactly) but must never miss one
 * that matters; it is tested against a parse-every-line reference.
 */
export interface Prefilter {
  /**
   * Calls `visit(lineStart, lineEnd)` once for each candidate line of `buf[start, end)`
   * (whole lines; `end` is just past a `\n` or the end of the data), in ascending order.
   */
  forEachCandidate(buf: Buffer, start: number, end: number, visit: (lineStart: number, lineEnd: number) => void): void;
}

const NL = 0x0a;

function lineStartOf(buf: Buffer, pos: number, start: number): number {
  if (pos === start) return start;
  const nl = buf.lastIndexOf(NL, pos - 1);
  return nl < start ? start : nl + 1;
}

function lineEndOf(buf: Buffer, pos: number, end: number): number {
  const nl = buf.indexOf(NL, pos);
  return nl === -1 || nl >= end ? end : nl + 1;
}

/**
 * Candidate lines are those containing any of `needles` as bytes (event names, ids).
 * Exact for any producer that writes those strings without JSON escapes, which every
 * JSON serializer does for ASCII text.
 */
export function createNeedlePrefilter(needles: readonly string[]): Prefilter {
  const patterns = [...new Set(needles)].filter((n) => n !== '').map((n) => Buffer.from(n, 'utf8'));
  return {
    forEachCandidate(buf, start, end, visit) {
      const next = patterns.map((p) => find(buf, p, start, end));
      for (;;) {
        let pos = Infinity;
        for (const p of next) if (p < pos) pos = p;
        if (pos === Infinity) return;
        const lineEnd = lineEndOf(buf, pos, end);
        visit(lineStartOf(buf, pos, start), lineEnd);
        for (let i = 0; i < next.length; i++) {
          if ((next[i] ?? Infinity) < lineEnd) next[i] = find(buf, patterns[i] as Buffer, lineEnd, end);
        }
      }
    },
  };
}

function find(buf: Buffer, pattern: Buffer, from: number, end: number): number {
  if (from >= end) return Infinity;
  const at = buf.indexOf(pattern, from);
  return at === -1 || at + pattern.length > end ? Infinity : at;
}

const LEVEL_KEY = Buffer.from('"level');
const NAME_SUFFIX = Buffer.from('name"');
const MAX_TOKEN = 24;

/**
 * Candidate lines are those whose `"level"` or `"levelname"` value may mean `min` or
 * above, for all three producers: our `"level":"ERROR"`, Python's `"level": "CRITICAL"`
 * (spaces, WARNING/CRITICAL), pino's `"level":50`, and any case or alias that
 * normalizeLevel accepts. The key is found by a byte search; the value token right
 * after it is read without parsing the line. A string value with a backslash escape
 * is always a candidate. Duplicate keys are all checked (JSON.parse keeps the last).
 */
export function createLevelPrefilter(min: Level): Prefilter {
  const minRank = LEVEL_RANK[min];
  const known = knownLevelTokens();
  const mayReach = (buf: Buffer, at: number, end: number): boolean => {
    const c = buf[at];
    if (c === 0x22) {
      let p = at + 1;
      while (p < end && p - at <= MAX_TOKEN && buf[p] !== 0x22) {
        if (buf[p] === 0x5c) return true;
        p++;
      }
      if (buf[p] !== 0x22) return true;
      return stringRank(buf, at + 1, p, known) >= minRank;
    }
    if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) return numberRank(buf, at, end) >= minRank;
    return false;
  };
  return {
    forEachCandidate(buf, start, end, visit) {
      let lastLineEnd = start;
      let pos = buf.indexOf(LEVEL_KEY, start);
      while (pos !== -1 && pos < end) {
        const after = valueAfterKey(buf, pos + LEVEL_KEY.length, end);
        if (after !== -1 && pos >= lastLineEnd && mayReach(buf, after, end)) {
          lastLineEnd = lineEndOf(buf, pos, end);
          visit(lineStartOf(buf, pos, start), lastLineEnd);
          pos = buf.indexOf(LEVEL_KEY, lastLineEnd);
        } else {
          pos = buf.indexOf(LEVEL_KEY, pos + LEVEL_KEY.length);
        }
      }
    },
  };
}

/** Position of the value after `"level` + (`"` | `name"`) + `:`, or -1 if this is not that key. */
function valueAfterKey(buf: Buffer, at: number, end: number): number {
  let p = at;
  if (buf[p] === 0x22) p += 1;
  else if (buf.compare(NAME_SUFFIX, 0, NAME_SUFFIX.length, p, p + NAME_SUFFIX.length) === 0) p += NAME_SUFFIX.length;
  else return -1;
  p = skipSpace(buf, p, end);
  if (buf[p] !== 0x3a) return -1;
  return skipSpace(buf, p + 1, end);
}

function skipSpace(buf: Buffer, at: number, end: number): number {
  let p = at;
  while (p < end && (buf[p] === 0x20 || buf[p] === 0x09 || buf[p] === 0x0d)) p++;
  return p;
}

interface KnownToken {
  readonly bytes: Buffer;
  readonly rank: number;
}

/**
 * The level spellings the three producers write, with their rank computed by the
 * shared normalizeLevel, keyed by length and first and last byte so the common case
 * needs no string. Anything else falls back to normalizeLevel itself.
 */
function knownLevelTokens(): Map<number, KnownToken[]> {
  const spellings = ['DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'FATAL', 'CRITICAL', 'TRACE'];
  const map = new Map<number, KnownToken[]>();
  for (const word of spellings.flatMap((w) => [w, w.toLowerCase(), w[0] + w.slice(1).toLowerCase()])) {
    const bytes = Buffer.from(word, 'latin1');
    const key = tokenKey(bytes, 0, bytes.length);
    const list = map.get(key) ?? [];
    list.push({ bytes, rank: rankOf(normalizeLevel(word)) });
    map.set(key, list);
  }
  return map;
}

function tokenKey(buf: Buffer, start: number, end: number): number {
  return ((end - start) << 16) | ((buf[start] ?? 0) << 8) | (buf[end - 1] ?? 0);
}

function stringRank(buf: Buffer, start: number, end: number, known: Map<number, KnownToken[]>): number {
  const list = known.get(tokenKey(buf, start, end));
  if (list !== undefined) {
    for (const token of list) {
      let same = true;
      for (let i = 1; i < token.bytes.length - 1 && same; i++) same = buf[start + i] === token.bytes[i];
      if (same) return token.rank;
    }
  }
  return rankOf(normalizeLevel(buf.toString('latin1', start, end)));
}

function numberRank(buf: Buffer, at: number, end: number): number {
  let p = at;
  let value = 0;
  while (p < end && p - at < 6 && (buf[p] ?? 0) >= 0x30 && (buf[p] ?? 0) <= 0x39) value = value * 10 + ((buf[p++] ?? 0) - 0x30);
  const c = buf[p];
  if (p > at && c !== 0x2e && c !== 0x65 && c !== 0x45 && !(c !== undefined && c >= 0x30 && c <= 0x39)) {
    return rankOf(normalizeLevel(value));
  }
  let q = at + 1;
  while (q < end && q - at <= MAX_TOKEN && isNumberByte(buf[q])) q++;
  return rankOf(normalizeLevel(Number(buf.toString('latin1', at, q))));
}

function isNumberByte(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d);
}

function rankOf(level: Level | undefined): number {
  return level === undefined ? -1 : LEVEL_RANK[level];
}
