import { FileStats } from '../input/file-stats.js';
import { LineBlocker } from '../input/line-blocker.js';
import { describeFsError, type InputFile, type LogSource } from '../input/list-inputs.js';
import { CHUNK_BYTES, readChunks } from '../input/read-chunks.js';
import { ComfyuiEntryParser, type ComfyuiEntry } from './parse-comfyui-entries.js';
import { toComfyuiLine } from './to-comfyui-line.js';
import { PROBLEM_FIRST_BYTES, splitComfyuiLine, startsSpecially, type LineText } from './plain-comfyui-line.js';

const NL = 0x0a;

/**
 * Decides, while no block is open, which lines are decoded: a line passed over
 * produces no entry. Only lines that would be single entries of no interest to the
 * command may be passed over (see ENTRY_FIRST_BYTES).
 */
export interface PlainLineFilter {
  /** A block of whole lines, bytes[start, end), is about to be read. */
  block(bytes: Buffer, start: number, end: number): void;
  /** Whether the line whose text is bytes[textStart, end) (line [lineStart, end)) is needed. */
  wants(bytes: Buffer, lineStart: number, textStart: number, end: number): boolean;
}

/** Decodes every line. */
export const KEEP_PLAIN: PlainLineFilter = Object.freeze({ block: () => undefined, wants: () => true });

/** Decodes only the lines that may start a problem (for errors): exceptions, request errors, validation reports, interrupts, warnings. */
export const PROBLEMS_ONLY: PlainLineFilter = Object.freeze({
  block: () => undefined,
  wants: (bytes: Buffer, _lineStart: number, textStart: number, end: number) =>
    startsSpecially(bytes, textStart, end, PROBLEM_FIRST_BYTES) && !startsWith(bytes, textStart, end, EXECUTED),
});

const EXECUTED = Buffer.from('Prompt executed in ');

function startsWith(bytes: Buffer, start: number, end: number, prefix: Buffer): boolean {
  return end - start >= prefix.length && bytes.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;
}

/**
 * Streams ComfyUI's plain-text log (a rotation set, oldest first) and calls `onEntry`
 * for each entry, in order. Lines are decoded lossily (it is human text); only
 * oversized lines are skipped. One FileStats per file is appended to `stats`.
 * `plain` is asked, whenever no block is open, whether a line is needed: commands
 * that want only some entries pass over most lines of a busy log without decoding them.
 */
export async function readComfyuiLog(
  source: LogSource,
  stats: FileStats[],
  onEntry: (entry: ComfyuiEntry) => void,
  plain: PlainLineFilter = KEEP_PLAIN,
): Promise<void> {
  const parser = new ComfyuiEntryParser(onEntry);
  for (const file of source.files) {
    for await (const _ of readFileInto(file, parser, stats, plain));
  }
  parser.end();
}

/** readComfyuiLog as a stream of per-chunk batches, for consumers that merge several logs. */
export async function* readComfyuiLogBatches(source: LogSource, stats: FileStats[]): AsyncGenerator<ComfyuiEntry[]> {
  let batch: ComfyuiEntry[] = [];
  const parser = new ComfyuiEntryParser((entry) => batch.push(entry));
  for (const file of source.files) {
    for await (const _ of readFileInto(file, parser, stats)) {
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
async function* readFileInto(file: InputFile, parser: ComfyuiEntryParser, stats: FileStats[], plain: PlainLineFilter = KEEP_PLAIN): AsyncGenerator<void> {
  const fileStats = new FileStats(file.path);
  stats.push(fileStats);
  const text: LineText = { start: 0, end: 0, time: undefined };
  const blocker = new LineBlocker({
    block(block) {
      plain.block(block.buf, block.start, block.end);
      let line = block.firstLine;
      let s = block.start;
      while (s < block.end) {
        const nl = block.buf.indexOf(NL, s);
        const e = nl === -1 || nl >= block.end ? block.end : nl + 1;
        let start = s;
        while (start < e && block.buf[start] === 0) start++;
        const end = block.buf[e - 1] === NL ? e - 1 : e;
        if (!splitComfyuiLine(block.buf, start, end, text)) {
          parser.push(toComfyuiLine(block.buf.toString('utf8', start, e), line));
        } else if (!parser.isIdle() || plain.wants(block.buf, start, text.start, text.end)) {
          parser.push({ text: block.buf.toString('utf8', text.start, text.end), time: text.time, line });
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
    for await (const chunk of readChunks(file.path, file.gz, CHUNK_BYTES)) {
      blocker.push(chunk);
      fileStats.lines = blocker.lines;
      yield;
    }
  } catch (error) {
    fileStats.error = describeFsError(error);
  }
  blocker.end();
  fileStats.lines = blocker.lines;
}
