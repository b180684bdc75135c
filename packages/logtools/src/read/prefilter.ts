import { LEVEL_RANK, normalizeLevel, type Level } from '@logtrace/shared/schema';
import { LEVEL_WORDS } from '../kernel/kernel-layout.js';
import type { KernelSelection } from '../kernel/scan-kernel.js';

/**
 * Which lines of a JSON-lines file a command decodes: the scan kernel searches the raw
 * bytes and only those lines are parsed. A prefilter may pick extra lines (they are
 * parsed and checked exactly) but must never miss one that matters; it is tested
 * against a parse-every-line reference. Undefined where a prefilter is optional means
 * every line (`--strict`).
 */
export type Prefilter = KernelSelection;

/**
 * Candidate lines are those containing any of `needles` as bytes (event names, ids).
 * Exact for any producer that writes those strings without JSON escapes, which every
 * JSON serializer does for ASCII text.
 */
export function createNeedlePrefilter(needles: readonly string[]): Prefilter {
  return { kind: 'needles', needles };
}

/**
 * Candidate lines are those whose `"level"` or `"levelname"` value may mean `min` or
 * above, for all three producers: our `"level":"ERROR"`, Python's `"level": "CRITICAL"`
 * (spaces, WARNING/CRITICAL), pino's `"level":50`, and any case or alias that
 * normalizeLevel accepts. The value right after the key is read without parsing the
 * line; a string value with a backslash escape and any number that is not a plain
 * integer are always candidates. Duplicate keys are all checked (JSON.parse keeps the last).
 */
export function createLevelPrefilter(min: Level): Prefilter {
  const minRank = LEVEL_RANK[min];
  const levelTokens = LEVEL_WORDS.filter((w) => {
    const level = normalizeLevel(w);
    return level !== undefined && LEVEL_RANK[level] >= minRank;
  });
  return { kind: 'level', levelTokens, minRank };
}
