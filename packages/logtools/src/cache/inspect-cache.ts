import { closeSync, lstatSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import path from 'node:path';
import { decodeHeader } from './cache-entry.js';
import { ENTRY_SUFFIX, TEMP_SUFFIX } from './file-cache.js';

/** What `logtrace cache info` reports. */
export interface CacheSummary {
  readonly dir: string;
  /** Cache entries (one per log file, command and options). */
  readonly entries: number;
  /** Distinct log files indexed (device and inode). */
  readonly files: number;
  /** Bytes of log indexed: for each file, the furthest indexed end. */
  readonly bytes_indexed: number;
  /** Bytes the cache takes on disk (entries and unreadable files). */
  readonly size: number;
  /** Files in the cache directory that are not readable entries (corrupt, other format): a run ignores and replaces them. */
  readonly unreadable: number;
}

/** Reads the header of every entry in `dir` (never the payloads); an absent directory is an empty cache. */
export function inspectCache(dir: string): CacheSummary {
  const names = listNames(dir);
  const ends = new Map<string, number>();
  let entries = 0;
  let size = 0;
  let unreadable = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    const stat = lstatSync(file, { throwIfNoEntry: false });
    if (stat === undefined || !stat.isFile()) continue;
    size += stat.size;
    if (!name.endsWith(ENTRY_SUFFIX)) continue;
    try {
      const { header } = decodeHeader(readHead(file));
      const key = `${header.identity.dev}:${header.identity.ino}`;
      ends.set(key, Math.max(ends.get(key) ?? 0, header.identity.end));
      entries++;
    } catch {
      unreadable++;
    }
  }
  return { dir, entries, files: ends.size, bytes_indexed: [...ends.values()].reduce((a, b) => a + b, 0), size, unreadable };
}

/** Removes every cache file (entries and unfinished temporary files) from `dir`; returns how many. Other files are left alone. */
export function clearCache(dir: string): number {
  let removed = 0;
  for (const name of listNames(dir)) {
    if (!name.endsWith(ENTRY_SUFFIX) && !name.endsWith(TEMP_SUFFIX)) continue;
    rmSync(path.join(dir, name), { force: true, recursive: true });
    removed++;
  }
  return removed;
}

function listNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The first 64 KiB of a file: an entry's header is far smaller. */
function readHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
