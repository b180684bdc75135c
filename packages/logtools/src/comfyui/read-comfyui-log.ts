import type { TimeZone } from '@logtrace/shared/schema';
import { FileStats } from '../read/file-stats.js';
import { LineBlocker } from '../read/line-blocker.js';
import type { InputFile, LogSource } from '../read/list-inputs.js';
import { CHUNK_BYTES, describeReadError, readChunks } from '../read/read-chunks.js';
import { ComfyuiEntryParser, type ComfyuiEntry } from './parse-comfyui-entries.js';
import { isGluedProgress, mayBeGluedProgress, toComfyuiLines } from './to-comfyui-line.js';
import { classifyText, splitComfyuiLine, STAND_IN_TEXT, stampTimeOf, type LineText } from './plain-comfyui-line.js';

const NL = 0x0a;
const CR = 0x0d;

/**
 * Decides, while no block is open, whether a line that would be a plain `other`
 * entry, a `got prompt`, a `Prompt executed in …` or a progress bar is decoded (see
 * classifyText); every other line always is. A line not wanted is passed over, or,
 * with `keepsState`, given to the parser with a stand-in text of the same kind (got
 * prompt, executed and progress lines change the parser's and the attributor's state).
 */
export interface PlainLineFilter {
  /** A block of whole lines, bytes[start, end), is about to be read. */
  block(bytes: Buffer, start: number, end: number): void;
  /** Whether the line bytes[lineStart, end) of the current block is needed as it is. */
  wants(bytes: Buffer, lineStart: number, end: number): boolean;
  readonly keepsState: boolean;
}

/** Decodes every line. */
export const KEEP_PLAIN: PlainLineFilter = Object.freeze({ block: () => undefined, wants: () => true, keepsState: true });

/** Passes over plain, got prompt, executed and progress lines: what remains can start a problem (for errors). */
export const PROBLEMS_ONLY: PlainLineFilter = Object.freeze({ block: () => undefined, wants: () => false, keepsState: false });

/**
 * Streams ComfyUI's plain-text log (a rotation set, oldest first) and calls `onEntry`
 * for each entry, in order. Lines are decoded lossily (it is human text); only
 * oversized lines are skipped. One FileStats per file is appended to `stats`.
 * `plain` is asked, whenever no block is open, whether a line is needed: commands
 * that want only some entries pass over most lines of a busy log without decoding them.
 * Stamps without a zone (ComfyUI-Manager's) are wall-clock times in `zone` (default UTC).
 */
export async function readComfyuiLog(
  source: LogSource,
  stats: FileStats[],
  onEntry: (entry: ComfyuiEntry) => void,
  plain: PlainLineFilter = KEEP_PLAIN,
  zone?: TimeZone,
): Promise<void> {
  const parser = new ComfyuiEntryParser(onEntry);
  for (const file of source.files) {
    for await (const _ of readFileInto(file, parser, stats, plain, zone));
  }
  parser.end();
}

/** readComfyuiLog as a stream of per-chunk batches, for consumers that merge several logs. */
export async function* readComfyuiLogBatches(source: LogSource, stats: FileStats[], zone?: TimeZone): AsyncGenerator<ComfyuiEntry[]> {
  let batch: ComfyuiEntry[] = [];
  const parser = new ComfyuiEntryParser((entry) => batch.push(entry));
  for (const file of source.files) {
    for await (const _ of readFileInto(file, parser, stats, KEEP_PLAIN, zone)) {
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
    }
  }
  parser.end();
  if (batch.length > 0) yield batch;
}

/** Feeds one file's lines to the parser, pausing (yielding) after each chunk. */
async function* readFileInto(
  file: InputFile,
  parser: ComfyuiEntryParser,
  stats: FileStats[],
  plain: PlainLineFilter,
  zone: TimeZone | undefined,
): AsyncGenerator<void> {
  const fileStats = new FileStats(file.path);
  stats.push(fileStats);
  const text: LineText = { start: 0, end: 0, stampStart: 0, stampEnd: -1 };
  const blocker = new LineBlocker({
    block(block) {
      plain.block(block.buf, block.start, block.end);
      let line = block.firstLine;
      let s = block.start;
      // The next `\r` of the block, found once for all the lines before it (most have none).
      let nextCr = -1;
      while (s < block.end) {
        const nl = block.buf.indexOf(NL, s);
        const e = nl === -1 || nl >= block.end ? block.end : nl + 1;
        let start = s;
        while (start < e && block.buf[start] === 0) start++;
        const end = block.buf[e - 1] === NL ? e - 1 : e;
        if (nextCr !== block.end && nextCr < start) {
          const cr = block.buf.indexOf(CR, start);
          nextCr = cr === -1 || cr >= block.end ? block.end : cr;
        }
        const textClass = splitComfyuiLine(block.buf, start, end, text, nextCr) ? classifyText(block.buf, text.start, text.end) : undefined;
        const glued =
          textClass === 'progress' &&
          mayBeGluedProgress(block.buf, text.start, text.end) &&
          isGluedProgress(block.buf.toString('utf8', text.start, text.end));
        if (textClass === undefined || glued) {
          for (const entry of toComfyuiLines(block.buf.toString('utf8', start, e), line, zone)) parser.push(entry);
        } else {
          const kind = parser.isIdle() ? textClass : 'special';
          if (kind === 'special' || plain.wants(block.buf, start, end)) {
            parser.push({ text: block.buf.toString('utf8', text.start, text.end), time: stampTimeOf(block.buf, text, zone), line });
          } else if (kind !== 'plain' && plain.keepsState) {
            // A progress bar's time changes no state, and a stand-in is never shown.
            parser.push({ text: STAND_IN_TEXT[kind], time: kind === 'progress' ? undefined : stampTimeOf(block.buf, text, zone), line });
          }
        }
        line++;
        s = e;
      }
    },
    oversized(line, head) {
      fileStats.skip('oversized', line, head, 0, head.length);
    },
  });
  try {
    for await (const chunk of readChunks(file, CHUNK_BYTES)) {
      blocker.push(chunk);
      fileStats.lines = blocker.lines;
      yield;
    }
  } catch (error) {
    fileStats.error = describeReadError(error);
  }
  blocker.end();
  fileStats.lines = blocker.lines;
}
