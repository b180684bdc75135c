import { readSync } from 'node:fs';
import { decodeJsonLine } from '../read/decode-json-line.js';
import type { InputSet } from '../read/list-inputs.js';

/** Bytes read from the end of each current JSON-lines file to find its last record. */
const TAIL_BYTES = 64 * 1024;

/**
 * The time of the latest record among the last lines of each JSON-lines log (epoch ms),
 * or undefined when none has one: `logtrace serve` reads relative windows (`since=1h`)
 * back from it, so a directory copied from yesterday's incident still shows its last day.
 */
export function latestRecordTime(inputs: InputSet): number | undefined {
  let latest: number | undefined;
  for (const source of inputs.sources) {
    const file = source.files[source.files.length - 1];
    if (source.kind !== 'json' || file === undefined || file.gz || file.fd === undefined || file.size === undefined) continue;
    const length = Math.min(TAIL_BYTES, file.size);
    const buf = Buffer.alloc(length);
    const read = readSync(file.fd, buf, 0, length, file.size - length);
    let end = read;
    // Last line first; the first (partial) line of the tail is never decoded.
    while (end > 0) {
      const start = buf.lastIndexOf(0x0a, end - 2) + 1;
      if (start === 0 && file.size > length) break;
      const decoded = decodeJsonLine(buf, start, end, { service: source.service, first: start === 0, tail: false });
      if (decoded.ok) {
        if (latest === undefined || decoded.record.time > latest) latest = decoded.record.time;
        break;
      }
      end = start;
    }
  }
  return latest;
}
