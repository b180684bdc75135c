import { closeSync, createReadStream, fstatSync, openSync, read } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { describeFsError, type InputFile } from './list-inputs.js';

/** 4 MiB: big reads keep the per-call cost negligible and the byte search fast. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Streams a file's bytes in large chunks, never the whole file: plain files with two
 * reused buffers (the next read runs while the caller scans the current chunk), gzip
 * files through zlib (inflateFile). A file is read up to the size it had when listed
 * (or, without a listing, opened), so a file that grows meanwhile ends cleanly; one
 * that shrinks meanwhile is an error (FileShrankError). Each yielded chunk is only
 * valid until the caller asks for the one after next; copy what must outlive that.
 */
export async function* readChunks(file: InputFile, chunkBytes = CHUNK_BYTES): AsyncGenerator<Buffer> {
  if (file.gz) {
    yield* inflateFile(file);
    return;
  }
  const { fd, size, close } = openForRead(file);
  let pending: Promise<number> | undefined;
  try {
    if (size === 0) return;
    const buffers = [Buffer.allocUnsafe(Math.min(chunkBytes, size)), Buffer.allocUnsafe(Math.min(chunkBytes, size))];
    let position = 0;
    let index = 0;
    const readInto = (buf: Buffer) => readAt(fd, buf, Math.min(buf.length, size - position), position);
    let next = readInto(buffers[0] as Buffer);
    pending = next;
    for (;;) {
      const bytesRead = await next;
      pending = undefined;
      if (bytesRead === 0) throw new FileShrankError(position, size);
      const buffer = buffers[index] as Buffer;
      position += bytesRead;
      index ^= 1;
      if (position < size) {
        next = readInto(buffers[index] as Buffer);
        pending = next;
      }
      yield buffer.subarray(0, bytesRead);
      if (position >= size) break;
    }
    checkNotShrunk(fd, size);
  } finally {
    // A consumer that stops early must not leave a read running on a closed file.
    if (pending !== undefined) await pending.catch(() => undefined);
    close();
  }
}

/**
 * A gzip file's inflated bytes, in chunks of up to 256 KiB. A read or gzip error
 * (truncated, corrupt) is thrown after the bytes inflated before it.
 */
export async function* inflateFile(file: InputFile): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  // A listed file is read from its descriptor up to its listed size, by positional
  // reads that never close it (an fs read stream closes its descriptor when pipeline
  // destroys it after a gzip error, and the command would close it a second time).
  // pipeline passes a read error on to gunzip, and destroying gunzip (a consumer that
  // stops early) ends the read.
  const source =
    file.fd === undefined ? createReadStream(file.path, { highWaterMark: 1024 * 1024 }) : Readable.from(readRange(file.fd, file.size ?? 0));
  pipeline(source, gunzip, () => undefined);
  for await (const chunk of gunzip) yield chunk as Buffer;
}

/** Bytes [0, size) of an open file, 1 MiB at a time; a file that ends sooner was truncated meanwhile. */
async function* readRange(fd: number, size: number): AsyncGenerator<Buffer> {
  for (let position = 0; position < size;) {
    const buffer = Buffer.allocUnsafe(Math.min(1024 * 1024, size - position));
    const n = await readAt(fd, buffer, buffer.length, position);
    if (n === 0) throw new FileShrankError(position, size);
    position += n;
    yield buffer.subarray(0, n);
  }
}

/** A plain file open for reading: the listed descriptor (left open) or a new one, and the size to read up to. */
export function openForRead(file: InputFile): { fd: number; size: number; close: () => void } {
  if (file.fd !== undefined) return { fd: file.fd, size: file.size ?? fstatSync(file.fd).size, close: () => undefined };
  const fd = openSync(file.path, 'r');
  try {
    return { fd, size: fstatSync(fd).size, close: () => closeSync(fd) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * After a read up to `end`: a file now shorter was truncated while it was read (e.g. by
 * logrotate's copytruncate), so the bytes read may mix old and new content.
 */
export function checkNotShrunk(fd: number, end: number): void {
  const now = fstatSync(fd).size;
  if (now < end) throw new FileShrankError(now, end);
}

/** A file that became shorter while it was read (truncated, e.g. by logrotate's copytruncate). */
export class FileShrankError extends Error {
  constructor(
    /** Bytes it has now (or where the read found its end). */
    readonly now: number,
    /** Bytes it had when listed. */
    readonly expected: number,
  ) {
    super(`truncated while being read (${now} of ${expected} bytes left; rotated with copytruncate?)`);
    this.name = 'FileShrankError';
  }
}

function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, length, position, (error, bytesRead) => (error === null ? resolve(bytesRead) : reject(error)));
  });
}

/** A one-line reason for a read that failed (file system or gzip). */
export function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ERR_PADDING_1') {
    return `corrupt gzip data: ${(error as Error).message}`;
  }
  if (typeof code === 'string' && code.startsWith('Z_')) return `gzip error: ${(error as Error).message}`;
  return describeFsError(error);
}
