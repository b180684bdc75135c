// Compares two JSON values by structure: same keys, same value types, recursively. Ids,
// timestamps and other values may differ. `null` matches anything (ComfyUI fills some
// fields with null on one device and a number on another).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function kind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return value === null ? 'null' : typeof value;
}

/**
 * Lists where `actual` differs in shape from `expected` (empty when they match).
 * Objects keyed by prompt ids (history) are compared as lists of values; arrays of
 * equal length element by element, otherwise every element against the first expected
 * one; an empty array matches any array.
 */
export function shapeDifferences(expected: unknown, actual: unknown, path = '$'): string[] {
  const [a, b] = [kind(expected), kind(actual)];
  if (a === 'null' || b === 'null') return [];
  if (a !== b) return [`${path}: expected ${a}, got ${b}`];
  if (a === 'array') {
    const [x, y] = [expected as unknown[], actual as unknown[]];
    if (x.length === 0 || y.length === 0) return [];
    if (x.length === y.length) return x.flatMap((item, i) => shapeDifferences(item, y[i], `${path}[${i}]`));
    return y.flatMap((item, i) => shapeDifferences(x[0], item, `${path}[${i}]`));
  }
  if (a !== 'object') return [];
  const [x, y] = [expected as Record<string, unknown>, actual as Record<string, unknown>];
  const [kx, ky] = [Object.keys(x), Object.keys(y)];
  if (kx.length > 0 && ky.length > 0 && kx.every((k) => UUID.test(k)) && ky.every((k) => UUID.test(k))) {
    return shapeDifferences(Object.values(x), Object.values(y), `${path}{ids}`);
  }
  const missing = kx.filter((k) => !Object.hasOwn(y, k)).map((k) => `${path}.${k}: missing`);
  const extra = ky.filter((k) => !Object.hasOwn(x, k)).map((k) => `${path}.${k}: unexpected`);
  return [...missing, ...extra, ...kx.filter((k) => Object.hasOwn(y, k)).flatMap((k) => shapeDifferences(x[k], y[k], `${path}.${k}`))];
}

/**
 * Kinds of ComfyUI console lines, in order: the banner up to the GUI address counts as
 * one `banner`; known lines get their own kind; runs of other lines (traceback frames,
 * multi-line exception texts, loader output) count as one `other`.
 */
export function consoleLineKinds(text: string): string[] {
  const kinds: string[] = [];
  const lines = text.replace(/\n$/, '').split('\n');
  let inBanner = true;
  for (const line of lines) {
    if (inBanner) {
      if (line.startsWith('To see the GUI go to: ')) {
        kinds.push('banner');
        inBanner = false;
      }
      continue;
    }
    const kind = KINDS.find(([re]) => re.test(line))?.[1] ?? 'other';
    if (kind === 'other' && kinds[kinds.length - 1] === 'other') continue;
    kinds.push(kind);
  }
  return kinds;
}

const KINDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^got prompt$/, 'got prompt'],
  [/^Failed to validate prompt for output \S+:$/, 'validation: output'],
  [/^\* .+:$/, 'validation: node'],
  [/^ {2}- .+: /, 'validation: reason'],
  [/^Output will be ignored$/, 'validation: ignored'],
  [/^invalid prompt: \{/, 'invalid prompt'],
  [/^Error handling request$/, 'error handling request'],
  [/^!!! Exception during processing ?!!!/, 'exception'],
  [/^Traceback \(most recent call last\):$/, 'traceback'],
  [/^During handling of the above exception, another exception occurred:$/, 'chained exception'],
  [/^Got an OOM, unloading all loaded models\.$/, 'oom'],
  [/^Processing interrupted$/, 'interrupted'],
  [/^Interrupting prompt \S+$/, 'interrupting'],
  [/^Prompt \S+ is not currently running, skipping interrupt$/, 'interrupt skipped'],
  [/^Global interrupt \(no prompt_id specified\)$/, 'global interrupt'],
  [/^Prompt executed in (?:\d+\.\d\d seconds|\d\d:\d\d:\d\d)$/, 'executed'],
  [/^Stopped server$/, 'stopped'],
  [/^$/, 'blank'],
];
