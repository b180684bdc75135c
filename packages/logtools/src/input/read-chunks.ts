import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** 4 MiB: big reads keep the per-call cost negligible and the byte search fast. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Streams a file's bytes in large chunks, never the whole file: plain files with two
 * reused buffers (the next read runs while the caller scans the current chunk), gzip
 * files through zlib. A plain file is read up to the size it had when opened, so a
 * file that grows meanwhile ends cleanly. Each yielded chunk is only valid until the
 * caller asks for the one after next; copy what must outlive that.
 */
export async function* readChunks(path: string, gz: boolean, chunkBytes = CHUNK_BYTES): AsyncGenerator<Buffer> {
  if (gz) {
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    // pipeline passes a read error (ENOENT, EACCES) on to gunzip, and destroying gunzip
    // (a consumer that stops early) closes the file.
    pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), gunzip, () => undefined);
    for await (const chunk of gunzip) yield chunk as Buffer;
    return;
  }
  const handle = await open(path, 'r');
  let pending: Promise<{ bytesRead: number; buffer: Buffer }> | undefined;
  try {
    const { size } = await handle.stat();
    if (size === 0) return;
    const buffers = [Buffer.allocUnsafe(Math.min(chunkBytes, size)), Buffer.allocUnsafe(Math.min(chunkBytes, size))];
    let left = size;
    let index = 0;
    const readInto = (buf: Buffer) => handle.read(buf, 0, Math.min(buf.length, left), null);
    let next = readInto(buffers[0] as Buffer);
    pending = next;
    for (;;) {
      const { bytesRead, buffer } = await next;
      pending = undefined;
      if (bytesRead === 0) return;
      left -= bytesRead;
      index ^= 1;
      if (left > 0) {
        next = readInto(buffers[index] as Buffer);
        pending = next;
      }
      yield buffer.subarray(0, bytesRead);
      if (left <= 0) return;
    }
  } finally {
    // A consumer that stops early must not leave a read running on a closed handle.
    if (pending !== undefined) await pending.catch(() => undefined);
    await handle.close();
  }
}
