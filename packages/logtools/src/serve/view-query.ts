import { UsageError } from '../logtrace-error.js';

/** Query parameters as a request gives them: each name with its values. */
export type QueryValues = Readonly<Record<string, readonly string[]>>;

/** Longest value a query parameter may have, characters. */
const MAX_VALUE_LENGTH = 200;

/**
 * Checks query parameters against the names an endpoint takes (each at most once,
 * unless `repeatable`), every problem listed at once; returns the single values.
 */
export function readQuery(
  query: QueryValues,
  allowed: readonly string[],
  repeatable: readonly string[] = [],
): Readonly<Record<string, string | readonly string[]>> {
  const problems: string[] = [];
  const values: Record<string, string | readonly string[]> = {};
  for (const [name, given] of Object.entries(query)) {
    if (!allowed.includes(name)) {
      problems.push(`unknown parameter "${name.slice(0, 40)}" (this page takes ${allowed.join(', ') || 'none'})`);
      continue;
    }
    if (given.some((v) => v.length > MAX_VALUE_LENGTH)) problems.push(`${name}: longer than ${MAX_VALUE_LENGTH} characters`);
    else if (given.some((v) => v.trim() === '')) problems.push(`${name}: empty`);
    else if (repeatable.includes(name)) values[name] = given;
    else if (given.length > 1) problems.push(`${name}: given ${given.length} times, expected once`);
    else values[name] = given[0] ?? '';
  }
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return values;
}

/** Characters an id or id prefix may hold (request, generation, prompt and caller ids). */
const ID_TEXT = /^[A-Za-z0-9._:-]{1,128}$/;

/** Checks a trace id or prefix from a URL: letters, digits, `.`, `_`, `:` and `-`, 1–128 characters. */
export function checkTraceId(id: string): string {
  if (!ID_TEXT.test(id)) throw new UsageError('trace id: expected letters, digits, ".", "_", ":" or "-" (at most 128)');
  return id;
}
