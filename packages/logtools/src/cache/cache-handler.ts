import type { CliIo } from '../cli/cli-io.js';
import type { ParsedArgs } from '../cli/command-spec.js';
import { writeJson } from '../cli/command-context.js';
import { EXIT_CODES, UsageError } from '../logtrace-error.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { cacheDirOf } from './cache-location.js';
import { clearCache, inspectCache, type CacheSummary } from './inspect-cache.js';

/** Runs `cache info` or `cache clear` and returns the exit code. */
export function runCacheCommand(args: ParsedArgs, io: CliIo): number {
  const action = args['action'];
  const dir = cacheDirOf(io.env);
  if (dir === undefined) throw new UsageError('no cache directory: set LOGTRACE_CACHE_DIR, XDG_CACHE_HOME or HOME to an absolute path');
  const json = args['json'] === true;
  if (action === 'info') {
    const summary = inspectCache(dir);
    if (json) writeJson(io, summary);
    else io.stdout.write(renderCacheSummary(summary));
    return EXIT_CODES.ok;
  }
  if (action === 'clear') {
    const removed = clearCache(dir);
    if (json) writeJson(io, { dir, removed });
    else io.stdout.write(`Removed ${removed} cache file${removed === 1 ? '' : 's'} from ${escapeTerminal(dir)}\n`);
    return EXIT_CODES.ok;
  }
  throw new UsageError(`cache: expected info or clear, got ${escapeTerminal(String(action))}`);
}

/** `cache info` as text. */
export function renderCacheSummary(s: CacheSummary): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const lines = [
    `Cache: ${escapeTerminal(s.dir)}`,
    `Files indexed: ${s.files} (${s.entries} entr${s.entries === 1 ? 'y' : 'ies'}: one per file, command and options)`,
    `Bytes indexed: ${s.bytes_indexed} (${mb(s.bytes_indexed)})`,
    `Size on disk: ${s.size} (${mb(s.size)}${s.bytes_indexed > 0 ? `, ${((100 * s.size) / s.bytes_indexed).toFixed(2)} % of the bytes indexed` : ''})`,
  ];
  if (s.unreadable > 0) lines.push(`Unreadable files: ${s.unreadable} (ignored and replaced by the next run)`);
  return `${lines.join('\n')}\n`;
}
