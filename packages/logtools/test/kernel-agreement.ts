import type { TimeZone } from '@logtrace/shared/schema';
import { expect } from 'vitest';
import { hashId } from '../src/comfyui/post-attempt-list.js';
import { decodeJsonLine } from '../src/read/decode-json-line.js';
import { FastLine } from '../src/kernel/fast-line.js';
import { MAX_LINE_BYTES } from '../src/read/line-blocker.js';
import { IN_BASE, LINE_STATUS, REC_WORDS } from '../src/kernel/kernel-layout.js';
import { ScanKernel } from '../src/kernel/scan-kernel.js';
import { recordHost } from '../src/core/record-host.js';

const EVENTS = ['comfyui_complete', 'response_sent', 'gpu_response', 'image_retrieved'];

/**
 * Runs every line through the scan kernel (every line selected) and checks, for each
 * line it parses itself (FAST), that what it reads equals what JSON.parse +
 * normalizeRecord (decodeJsonLine) give: a usable record with the same time, level,
 * duration, event, service, message, error (text, type, stack) and ids, or no record at all. Lines it
 * cannot vouch for are decoded by decodeJsonLine in logtrace too, so they need no
 * check. Lines over MAX_LINE_BYTES are left out (logtrace skips them unread).
 * Returns how many lines took each path.
 */
export function checkKernelAgainstReference(lines: readonly (string | Buffer)[], timeZone?: TimeZone): { fast: number; slow: number } {
  const kernel = new ScanKernel();
  kernel.select({ kind: 'all' });
  kernel.setEvents(EVENTS);
  const line = new FastLine(kernel, timeZone);
  const usable = lines.map((l) => (typeof l === 'string' ? Buffer.from(l) : l)).filter((l) => l.length <= MAX_LINE_BYTES);
  let fast = 0;
  let slow = 0;
  for (let from = 0; from < usable.length;) {
    // As many lines as fit in the kernel's input area, each followed by its newline.
    const batch: Buffer[] = [];
    let bytes = 0;
    while (from < usable.length && (batch.length === 0 || bytes + (usable[from]?.length ?? 0) + 1 < 4 * 1024 * 1024)) {
      const next = usable[from++] as Buffer;
      batch.push(next, Buffer.from('\n'));
      bytes += next.length + 1;
    }
    const text = Buffer.concat(batch);
    text.copy(kernel.bytes, IN_BASE);
    for (let at = IN_BASE; at < IN_BASE + text.length; at = kernel.resume) {
      const count = kernel.scan(at, IN_BASE + text.length, MAX_LINE_BYTES);
      for (let i = 0; i < count; i++) {
        const rec = kernel.outWord + i * REC_WORDS;
        if (kernel.words[rec + 3] !== LINE_STATUS.fast) {
          slow++;
          continue;
        }
        fast++;
        checkFastLine(kernel, line.at(rec), timeZone);
      }
    }
  }
  return { fast, slow };
}

function checkFastLine(kernel: ScanKernel, line: FastLine, timeZone: TimeZone | undefined): void {
  const raw = kernel.bytes.toString('utf8', line.start, line.end);
  const decoded = decodeJsonLine(kernel.bytes, line.start, line.end, { service: 'x', first: false, tail: false, timeZone });
  const value = JSON.parse(raw) as unknown;
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), raw).toBe(true);
  if (!decoded.ok) {
    expect(line.time() === undefined || line.level() === undefined, raw).toBe(true);
    return;
  }
  // Without a time or level of the keys it reads (other producers' aliases), the line is decoded as a slow one.
  if (line.time() === undefined || line.level() === undefined) return;
  const r = decoded.record;
  expect({ time: line.time(), level: line.level(), duration: line.duration(), event: EVENTS[line.eventIndex()] ?? null }, raw).toEqual({
    time: r.time,
    level: r.level,
    duration: r.duration_ms,
    event: EVENTS.includes(r.event ?? '') ? r.event : null,
  });
  expect(
    {
      service: line.service('x'),
      host: line.host('dir'),
      msg: line.msg(),
      error: line.error(),
      error_type: line.errorType(),
      stack: line.stack(),
      request_id: line.str('request_id'),
      prompt_id: line.str('prompt_id'),
      error_code: line.str('error_code'),
    },
    raw,
  ).toEqual({
    service: r.service,
    host: recordHost(r.extra, 'dir'),
    msg: r.msg,
    error: r.error,
    error_type: r.error_type,
    stack: r.stack,
    request_id: r.request_id,
    prompt_id: r.prompt_id,
    error_code: r.error_code,
  });
  expect(line.hashOf('request_id', hashId), raw).toBe(r.request_id === undefined ? undefined : hashId(r.request_id));
  if (r.request_id !== undefined) expect(line.startsWith('request_id', r.request_id.slice(0, 3)), raw).toBe(true);
}
