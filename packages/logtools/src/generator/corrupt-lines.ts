import { isUtf8 } from 'node:buffer';
import type { Random } from './create-random.js';

/** The kinds of bad line the generator writes into JSON-lines files. */
export const CORRUPT_KINDS = [
  'blank',
  'whitespace',
  'torn',
  'glued',
  'lone_cr',
  'not_object',
  'no_time',
  'no_level',
  'invalid_utf8',
  'binary',
  'nul_line',
] as const;

/** One of CORRUPT_KINDS. */
export type CorruptKind = (typeof CORRUPT_KINDS)[number];

/** A bad line (without its newline) and the skip reason a reader must give it. */
export interface CorruptLine {
  readonly bytes: Buffer;
  /** The reason; for a glued line, the reason of each of its objects. */
  readonly reason: string;
  /** Objects back to back (`{…}{…}`): the reader reads each as a line and counts the line as glued. */
  readonly glued?: readonly string[];
}

const T = '2026-11-28T05:03:21.123Z';

/**
 * Makes a bad line of the given kind. Torn and glued lines hold event names and ids
 * like real lines do, so byte prefilters pick them up and must reject them. The
 * expected reason is decided here, independently of the reader.
 */
export function corruptLine(kind: CorruptKind, rng: Random): CorruptLine {
  const real = () =>
    `{"level":"INFO","time":"${T}","service":"gpu_server","request_id":"${rng.uuid()}","event":"comfyui_complete","duration_ms":${rng.int(1000, 90_000)},"msg":"ComfyUI finished the prompt"}`;
  const text = (s: string, reason: string): CorruptLine => ({ bytes: Buffer.from(s, 'utf8'), reason });
  switch (kind) {
    case 'blank':
      return text('', 'blank');
    case 'whitespace':
      return text(' \t  ', 'blank');
    case 'torn': {
      const line = real();
      return text(line.slice(0, rng.int(40, line.length - 20)), 'invalid_json');
    }
    case 'glued':
      // Two objects a reader recovers, neither with a time: the simulation's answers stay as they are.
      return {
        ...text(
          `${real().replace(`"time":"${T}",`, '')}{"level":"ERROR","event":"gpu_error","error_code":"ECONNREFUSED","msg":"x"}`,
          'no_time',
        ),
        glued: ['no_time', 'no_time'],
      };
    case 'lone_cr':
      return text(`{"level":"ERROR","time":"${T}","event":"error_comfyui","msg":"x"}\rgarbage`, 'invalid_json');
    case 'not_object':
      return text(rng.pick(['42', '"comfyui_complete"', '[1,2,3]', 'null', 'true']), 'not_object');
    case 'no_time':
      return text('{"level":"ERROR","event":"comfyui_complete","duration_ms":5,"msg":"no time"}', 'no_time');
    case 'no_level':
      return text(`{"time":"${T}","event":"gpu_error","msg":"no level"}`, 'no_level');
    case 'invalid_utf8':
      return {
        bytes: Buffer.concat([
          Buffer.from(`{"level":"ERROR","time":"${T}","event":"gpu_error","msg":"`),
          Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
          Buffer.from('"}'),
        ]),
        reason: 'invalid_utf8',
      };
    case 'binary': {
      const bytes = Buffer.alloc(rng.int(40, 200));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(1, 255);
      for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) bytes[i] = 0x0b;
      bytes[0] = 0x80; // never whitespace or a NUL at the start
      return { bytes, reason: isUtf8(bytes) ? 'invalid_json' : 'invalid_utf8' };
    }
    case 'nul_line':
      return { bytes: Buffer.alloc(rng.int(1, 64)), reason: 'nul_padding' };
  }
}

/** A line longer than the reader's 1 MiB cap (it still holds an event name). */
export function oversizedLine(): CorruptLine {
  const filler = 'x'.repeat(1_200_000);
  return { bytes: Buffer.from(`{"level":"ERROR","time":"${T}","event":"comfyui_complete","msg":"${filler}"}`), reason: 'oversized' };
}
