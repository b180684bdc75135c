import { readChunks } from './dist/input/read-chunks.js';
import { LineBlocker } from './dist/input/line-blocker.js';
import { createNeedlePrefilter } from './dist/input/prefilter.js';
import { decodeJsonLine } from './dist/input/decode-json-line.js';
const files = ['/tmp/lt/big/backend.log', '/tmp/lt/big/gpu_server.log', '/tmp/lt/big/telegram_bot.log'];
const pf = createNeedlePrefilter(['comfyui_complete', 'response_sent', 'gpu_response', 'image_retrieved']);
async function pass(mode) {
  const t = performance.now(); let n = 0, bytes = 0;
  for (const f of files) {
    const b = new LineBlocker({ block(bl) {
      if (mode === 'split') return;
      pf.forEachCandidate(bl.buf, bl.start, bl.end, (s, e) => { n++; if (mode === 'decode') decodeJsonLine(bl.buf, s, e, { service: 'x', first: false, tail: false }); if (mode==='parse') JSON.parse(bl.buf.toString('utf8', s, e)); if (mode==='tostring') bl.buf.toString('utf8', s, e); });
    }, oversized() {} });
    for await (const c of readChunks(f, false)) { bytes += c.length; if (mode !== 'read') b.push(c); }
    b.end();
  }
  const d = (performance.now() - t) / 1000;
  console.log(mode.padEnd(9), d.toFixed(2), 's', (bytes / 1e6 / d).toFixed(0), 'MB/s', n);
}
for (const m of ['read', 'split', 'needle', 'tostring', 'decode']) await pass(m);
