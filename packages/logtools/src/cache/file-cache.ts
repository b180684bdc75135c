import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { IndexedFile, ScanIndex, ScannedSegment } from '../engine/scan-index.js';
import type { JobSpec } from '../engine/scan-job.js';
import { BadEntryError, decodeEntry, encodeEntry, stableSpecKey } from './cache-entry.js';
import { deviceAndInode, hashRange, identityOf, mismatchOf, PROBE_BYTES } from './file-identity.js';

/** Cache files end with this; `cache clear` removes only these (and unfinished temporary ones). */
export const ENTRY_SUFFIX = '.ltc';
export const TEMP_SUFFIX = '.ltc-tmp';

/**
 * Past this many segments a file is read whole again (one run adds a segment per
 * append): the partial results of one file stay a handful to load and merge.
 */
export const MAX_SEGMENTS = 32;

/** Options of a FileCache. */
export interface FileCacheOptions {
  readonly dir: string;
  /** logtrace's version: entries of another version are not reused. */
  readonly version: string;
  /** Says why an entry was not used or not written (`--verbose`); never fatal. */
  readonly note: (text: string) => void;
  /** Bytes the cache may take: past them the entries used least recently are removed (the one just written stays). */
  readonly maxBytes: number;
}

/**
 * The scan index kept on disk: one file per (log file, command, options), named by a
 * hash of the job's kind and spec, the file's service, device and inode. Each holds the
 * file's identity (head and end hashes) and its segments' partial results (v8
 * serialization, checksummed). Written to a temporary file and renamed, so a reader
 * sees a whole entry or none; every failure to read or write one falls back to
 * reading the log file.
 */
export class FileCache implements ScanIndex {
  private dirReady = false;
  /** Each file's first bytes' hash when the run first looked at it, by descriptor: a file rewritten meanwhile is not saved. */
  private readonly heads = new Map<number, { length: number; hash: string }>();

  constructor(private readonly options: FileCacheOptions) {}

  load(kind: string, spec: JobSpec, file: IndexedFile): readonly ScannedSegment<unknown>[] {
    const { input } = file;
    if (input.fd === undefined || input.size === undefined) return [];
    let name = '';
    try {
      this.rememberHead(input.fd, input.size);
      name = this.entryPath(kind, spec, file);
      const bytes = readFileSync(name);
      const entry = decodeEntry(bytes, this.options.version);
      const { header } = entry;
      if (header.kind !== kind || header.spec !== stableSpecKey(spec) || header.service !== file.service || header.gz !== input.gz)
        throw new BadEntryError('written for another command, options or service');
      if (header.segments > MAX_SEGMENTS) throw new BadEntryError(`${header.segments} segments: reading the file whole to start afresh`);
      const mismatch = mismatchOf(input.fd, input.size, header.identity);
      if (mismatch !== undefined) throw new BadEntryError(`the log file is not what was indexed: ${mismatch}`);
      if (input.gz && input.size !== header.identity.end) throw new BadEntryError('a .gz file that changed size');
      touch(name);
      return entry.segments;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.say(input.path, name, 'not reused', error, 'reading the file whole');
      return [];
    }
  }

  save(kind: string, spec: JobSpec, file: IndexedFile, segments: readonly ScannedSegment<unknown>[]): void {
    const { input } = file;
    const last = segments[segments.length - 1];
    if (input.fd === undefined || last === undefined) return;
    let name = '';
    let temp: string | undefined;
    try {
      name = this.entryPath(kind, spec, file);
      this.checkUnchanged(input.fd, last.end);
      const bytes = encodeEntry(
        {
          version: this.options.version,
          kind,
          spec: stableSpecKey(spec),
          service: file.service,
          gz: input.gz,
          path: input.path,
          identity: identityOf(input.fd, last.end),
        },
        segments,
      );
      this.ensureDir();
      temp = `${name}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`;
      const fd = openSync(temp, 'wx', 0o600);
      try {
        for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, name);
      temp = undefined;
      this.pruneQuietly(name);
    } catch (error) {
      this.say(input.path, name, 'not written', error, 'the answer is not affected');
    } finally {
      if (temp !== undefined) rmSync(temp, { force: true });
    }
  }

  private pruneQuietly(keep: string): void {
    try {
      this.prune(keep);
    } catch {
      // another run pruning or clearing at the same time: the next run prunes again
    }
  }

  /** Removes the entries used least recently (modification time: written, or reused) while the cache is over maxBytes; keeps `keep`. */
  private prune(keep: string): void {
    const found = readdirSync(this.options.dir).flatMap((n) => {
      if (!n.endsWith(ENTRY_SUFFIX)) return [];
      const file = path.join(this.options.dir, n);
      const stat = statSync(file, { throwIfNoEntry: false });
      return stat === undefined ? [] : [{ file, size: stat.size, used: stat.mtimeMs }];
    });
    let total = found.reduce((sum, e) => sum + e.size, 0);
    for (const entry of found.sort((a, b) => a.used - b.used)) {
      if (total <= this.options.maxBytes) break;
      if (entry.file === keep) continue;
      rmSync(entry.file, { force: true, recursive: true });
      total -= entry.size;
    }
  }

  private rememberHead(fd: number, size: number): void {
    if (this.heads.has(fd)) return;
    const length = Math.min(PROBE_BYTES, size);
    this.heads.set(fd, { length, hash: hashRange(fd, 0, length) });
  }

  /** Throws when the file is now shorter than what was read, or its first bytes changed since load (rewritten while it was read). */
  private checkUnchanged(fd: number, end: number): void {
    if (fstatSync(fd).size < end) throw new BadEntryError('the file shrank while it was read');
    const head = this.heads.get(fd);
    if (head !== undefined && hashRange(fd, 0, head.length) !== head.hash)
      throw new BadEntryError('the file was rewritten while it was read');
  }

  private entryPath(kind: string, spec: JobSpec, file: IndexedFile): string {
    const { dev, ino } = deviceAndInode(file.input.fd ?? -1);
    const key = [kind, stableSpecKey(spec), file.service, String(file.input.gz), String(dev), String(ino)].join('\0');
    return path.join(this.options.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}${ENTRY_SUFFIX}`);
  }

  private ensureDir(): void {
    if (this.dirReady) return;
    mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    this.dirReady = true;
  }

  private say(logPath: string, entry: string, what: string, error: unknown, outcome: string): void {
    const reason = error instanceof BadEntryError ? error.message : describeIoError(error);
    this.options.note(`cache: ${logPath}: entry ${what} (${entry === '' ? 'no entry' : entry}: ${reason}); ${outcome}`);
  }
}

/** Marks an entry as just used (its modification time), so pruning keeps it; a failure only makes it older. */
function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // a read-only cache: nothing is pruned there either
  }
}

/** An I/O error as a short phrase (code and message, no stack). */
export function describeIoError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === undefined ? error.message : `${code}: ${error.message.replace(/^\w+: /, '')}`;
  }
  return String(error);
}
