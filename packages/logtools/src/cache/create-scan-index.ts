import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../cli/cli-io.js';
import type { ParsedArgs } from '../cli/command-spec.js';
import { readCommonArgs } from '../cli/common-options.js';
import { VERSION } from '../cli/version.js';
import type { ScanIndex } from '../engine/scan-index.js';
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
  const logDirs = common.files === undefined ? [common.dir] : [];
  if (logDirs.some((d) => isInside(dir, d))) {
    note(`cache: off (${dir} is inside the log directory ${common.dir})`);
    return undefined;
  }
  return new FileCache({ dir, version: buildVersion(), note });
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
