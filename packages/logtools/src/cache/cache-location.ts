import path from 'node:path';

/**
 * Where the cache lives: `$LOGTRACE_CACHE_DIR`, else `$XDG_CACHE_HOME/logtrace`, else
 * `~/.cache/logtrace` (HOME); undefined when none is set (the cache is then off).
 * Relative values are ignored, as the XDG spec asks.
 */
export function cacheDirOf(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const given = env['LOGTRACE_CACHE_DIR'];
  if (given !== undefined && path.isAbsolute(given)) return given;
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && path.isAbsolute(xdg)) return path.join(xdg, 'logtrace');
  const home = env['HOME'];
  if (home !== undefined && path.isAbsolute(home)) return path.join(home, '.cache', 'logtrace');
  return undefined;
}

/** True when `dir` is `logDir` or inside it: the cache is never kept among the logs it describes. */
export function isInside(dir: string, logDir: string): boolean {
  const rel = path.relative(path.resolve(logDir), path.resolve(dir));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
