// The built emulator under upload abuse: chunked bodies over the 100 MB cap (no
// Content-Length) are refused with 413 while streaming, and uploads that pass are kept
// only up to EMULATOR_MAX_INPUT_BYTES, so the process's memory stays bounded.
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, emulatorUrl, freePort, rssKib, spawnService, type ServiceChild } from '../support/service-process.js';

const MiB = 1024 * 1024;
const children: ServiceChild[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** A multipart upload of `mib` MiB streamed without Content-Length. */
function chunkedUpload(url: string, name: string, mib: number): Promise<Response> {
  const boundary = 'logtraceBoundary';
  const encoder = new TextEncoder();
  let sent = 0;
  const chunk = new Uint8Array(MiB).fill(0x41);
  const body = new ReadableStream<Uint8Array>({
    start: (c) => c.enqueue(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${name}"\r\n\r\n`)),
    pull(c) {
      if (sent >= mib) {
        c.enqueue(encoder.encode(`\r\n--${boundary}--\r\n`));
        c.close();
        return;
      }
      sent += 1;
      c.enqueue(chunk);
    },
  });
  const init = { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body, duplex: 'half' };
  return fetch(`${url}/upload/image`, init as RequestInit);
}

describe('emulator memory under upload abuse', () => {
  it('refuses 110 MB chunked uploads with 413 and keeps at most EMULATOR_MAX_INPUT_BYTES of uploads', async () => {
    const port = await freePort();
    const child = spawnService(BIN.emulator, { PORT: String(port), EMULATOR_MAX_INPUT_BYTES: String(64 * MiB) });
    children.push(child);
    const url = await emulatorUrl(child);
    const rssMib = (): number => Math.round((rssKib(child.pid) ?? 0) / 1024);
    const seen: Record<string, number> = { start: rssMib() };
    for (let i = 0; i < 2; i += 1) {
      const res = await chunkedUpload(url, `huge-${i}.png`, 110);
      expect(res.status).toBe(413);
      await res.arrayBuffer();
    }
    seen['after 2 x 110 MiB refused'] = rssMib();
    for (let i = 1; i <= 30; i += 1) {
      const res = await chunkedUpload(url, `big-${i}.png`, 10);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      if (i % 10 === 0) seen[`after ${i} x 10 MiB`] = rssMib();
    }
    // The newest six (60 MiB) are kept, older ones forgotten.
    expect((await fetch(`${url}/view?filename=big-30.png&type=input`)).status).toBe(200);
    expect((await fetch(`${url}/view?filename=big-1.png&type=input`)).status).toBe(404);
    // Kept: 64 MiB, whatever went in; memory levels off instead of growing by 200 MiB
    // over the last 20 uploads (before the bound it grew by ~20 MiB per upload).
    console.log(`emulator RSS (MiB): ${JSON.stringify(seen)}`);
    expect(seen['after 30 x 10 MiB']! - seen['after 10 x 10 MiB']!).toBeLessThan(100);
    expect(seen['after 30 x 10 MiB']!).toBeLessThan(seen['start']! + 400);
  });
});
