import { createHash } from 'node:crypto';
import { fstatSync, readSync } from 'node:fs';

/** Bytes hashed at a file's head and just before its indexed end. */
export const PROBE_BYTES = 4096;

/** How a log file is recognised: its device and inode, and hashes of its first bytes and of the bytes before the indexed end. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly headLength: number;
  readonly headHash: string;
  readonly end: number;
  readonly tailStart: number;
  readonly tailHash: string;
}

/** Device and inode of an open file. */
export function deviceAndInode(fd: number): { dev: number; ino: number } {
  const { dev, ino } = fstatSync(fd);
  return { dev, ino };
}

/** The identity of an open file indexed up to `end` (bytes). */
export function identityOf(fd: number, end: number): FileIdentity {
  const { dev, ino } = deviceAndInode(fd);
  const headLength = Math.min(PROBE_BYTES, end);
  const tailStart = Math.max(0, end - PROBE_BYTES);
  return { dev, ino, headLength, headHash: hashRange(fd, 0, headLength), end, tailStart, tailHash: hashRange(fd, tailStart, end) };
}

/** Why an open file is not the one `identity` describes (grown at the end is still the same), or undefined when it is. */
export function mismatchOf(fd: number, size: number, identity: FileIdentity): string | undefined {
  const { dev, ino } = deviceAndInode(fd);
  if (dev !== identity.dev || ino !== identity.ino) return 'another file';
  if (size < identity.end) return `shorter than indexed (${size} < ${identity.end} bytes): truncated, or another file on a reused inode`;
  if (hashRange(fd, 0, identity.headLength) !== identity.headHash) return 'its first bytes changed: replaced or rewritten';
  if (hashRange(fd, identity.tailStart, identity.end) !== identity.tailHash) return 'the bytes before the indexed end changed: rewritten';
  return undefined;
}

/** SHA-256 (hex) of bytes [start, end) of an open file; a short read hashes what it got, so it cannot match. */
export function hashRange(fd: number, start: number, end: number): string {
  const buf = Buffer.alloc(end - start);
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, start + got);
    if (n === 0) break;
    got += n;
  }
  return createHash('sha256').update(buf.subarray(0, got)).update(String(got)).digest('hex');
}
