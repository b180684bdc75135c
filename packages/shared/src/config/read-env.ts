/** A configuration problem that stops a service from starting; lists every problem at once. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Typed readers for environment variables that collect problems instead of throwing. */
export interface EnvReader {
  string(name: string, fallback: string, options?: { pattern?: RegExp; hint?: string }): string;
  optionalString(name: string): string | undefined;
  int(name: string, fallback: number, options?: { min?: number; max?: number }): number;
  port(name: string, fallback: number): number;
  bool(name: string, fallback: boolean): boolean;
  /** An http(s) base URL (no credentials, query or fragment), trailing slashes removed. */
  url(name: string, fallback: string): string;
  oneOf<const T extends string>(name: string, fallback: T, allowed: readonly T[]): T;
  /** Adds a problem found by the caller's own checks (e.g. one that must not echo a secret). */
  problem(message: string): void;
  /** Throws a ConfigError listing every problem seen so far, if any. */
  finish(): void;
}

/**
 * Creates a reader over `env` (pass `process.env` from main, a literal in tests).
 * Empty values count as unset.
 */
export function createEnvReader(env: Readonly<Record<string, string | undefined>>): EnvReader {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const reader: EnvReader = {
    string(name, fallback, options) {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (options?.pattern !== undefined && !options.pattern.test(value)) {
        problems.push(`${name}: expected ${options.hint ?? String(options.pattern)}, got ${JSON.stringify(value)}`);
        return fallback;
      }
      return value;
    },
    optionalString: (name) => raw(name),
    int(name, fallback, options) {
      const value = raw(name);
      if (value === undefined) return fallback;
      const min = options?.min ?? Number.MIN_SAFE_INTEGER;
      const max = options?.max ?? Number.MAX_SAFE_INTEGER;
      const n = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        problems.push(`${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
        return fallback;
      }
      return n;
    },
    port: (name, fallback) => reader.int(name, fallback, { min: 0, max: 65535 }),
    bool(name, fallback) {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      problems.push(`${name}: expected true or false, got ${JSON.stringify(value)}`);
      return fallback;
    },
    url(name, fallback) {
      const value = raw(name);
      if (value === undefined) return fallback;
      const parsed = URL.canParse(value) ? new URL(value) : undefined;
      if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
        problems.push(`${name}: expected an http(s) URL, got ${JSON.stringify(hideUserinfo(value))}`);
        return fallback;
      }
      // fetch refuses such URLs anyway, and the URL is logged (service_start, /health).
      if (parsed.username !== '' || parsed.password !== '') {
        problems.push(`${name}: must not contain credentials (they would be logged)`);
        return fallback;
      }
      if (parsed.search !== '' || parsed.hash !== '') {
        problems.push(`${name}: expected a base URL without query or fragment`);
        return fallback;
      }
      return value.replace(/\/+$/, '');
    },
    oneOf(name, fallback, allowed) {
      const value = raw(name);
      if (value === undefined) return fallback;
      const match = allowed.find((a) => a === value);
      if (match === undefined) {
        problems.push(`${name}: expected one of ${allowed.join('|')}, got ${JSON.stringify(value)}`);
        return fallback;
      }
      return match;
    },
    problem(message) {
      problems.push(message);
    },
    finish() {
      if (problems.length > 0) throw new ConfigError([...problems]);
    },
  };
  return reader;
}

// `scheme://user:pass@host` → `scheme://…@host`, so a malformed URL is shown without its secret.
function hideUserinfo(value: string): string {
  return value.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, '$1…@');
}
