import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../cli/cli-io.js';
import type { ParsedArgs } from '../cli/command-spec.js';
import { readCommonArgs } from '../cli/common-options.js';
import { VERSION } from '../cli/version.js';
import type { ScanIndex } from '../engine/scan-index.js';
import { UsageError } from '../logtrace-error.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { cacheDirOf, isInside } from './cache-location.js';
import { FileCache } from './file-cache.js';

/**
 * The scan index a command uses: the cache in cacheDirOf(env), unless `--no-cache`, no
 * location is known, or that location is in the log directory. With `--verbose`, says
 * on stderr why the cache is off and why an entry was not used or written.
 */
export function createScanIndex(args: ParsedArgs, io: CliIo): ScanIndex | undefined {
  const verbose = args['verbose'] === true;
  const note = (text: string) => {
    if (verbose) io.stderr.write(`logtrace: ${escapeTerminal(text)}\n`);
  };
  if (args['cache'] === false) return undefined;
  const dir = cacheDirOf(io.env);
  if (dir === undefined) {
    note('cache: off (none of LOGTRACE_CACHE_DIR, XDG_CACHE_HOME, HOME is set to an absolute path)');
    return undefined;
  }
  const common = readCommonArgs(args, io);
  const logDirs = common.files === undefined ? common.dirs : [];
  const inside = logDirs.find((d) => isInside(dir, d));
  if (inside !== undefined) {
    note(`cache: off (${dir} is inside the log directory ${inside})`);
    return undefined;
  }
  return new FileCache({ dir, version: `${buildVersion()} ${machineZoneKey()}`, note, maxBytes: cacheMaxBytes(io.env) });
}

/**
 * The machine's zone, as TZ and the offsets it gives: zone-less times are read in it
 * (`--tz local`, the default), so what one zone read is not reused under another.
 */
function machineZoneKey(): string {
  const offsets = [2000, 2026].flatMap((year) => [0, 6].map((month) => new Date(Date.UTC(year, month, 1)).getTimezoneOffset()));
  return `tz=${process.env['TZ'] ?? ''}:${offsets.join(',')}`;
}

/** Default of LOGTRACE_CACHE_MAX_MB: about 5 % of 10 GB of logs, with room for many traces. */
export const DEFAULT_CACHE_MAX_MB = 512;

/** LOGTRACE_CACHE_MAX_MB (a number > 0, in MB of 10^6 bytes), else the default; anything else is a usage error. */
export function cacheMaxBytes(env: Readonly<Record<string, string | undefined>>): number {
  const given = env['LOGTRACE_CACHE_MAX_MB'];
  if (given === undefined || given === '') return DEFAULT_CACHE_MAX_MB * 1e6;
  const mb = Number(given);
  if (!Number.isFinite(mb) || mb <= 0)
    throw new UsageError(`LOGTRACE_CACHE_MAX_MB: expected a number of megabytes > 0, got "${escapeTerminal(given)}"`);
  return mb * 1e6;
}

/**
 * logtrace's version and the running build's (its module file's size and time): a
 * rebuilt logtrace, whose partial results may be laid out differently, reuses nothing
 * an earlier build wrote, even under the same version number.
 */
export function buildVersion(): string {
  try {
    const { size, mtimeMs } = statSync(fileURLToPath(import.meta.url));
    return `${VERSION}+${size}.${Math.floor(mtimeMs)}`;
  } catch {
    return VERSION;
  }
}
