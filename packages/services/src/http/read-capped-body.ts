/**
 * Reads a whole body stream into memory, up to `maxBytes` bytes. Returns the bytes, or
 * `undefined` when the body is larger (the rest is then cancelled, so the connection
 * is released). A failing stream (connection reset, aborted signal) rejects with the
 * stream's error, so the caller can tell a timeout from a reset.
 */
export async function readCappedBody(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | undefined> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
