import { FileStats } from '../input/file-stats.js';
import { LineBlocker } from '../input/line-blocker.js';
import { describeFsError, type InputFile, type LogSource } from '../input/list-inputs.js';
import { CHUNK_BYTES, readChunks } from '../input/read-chunks.js';
import { ComfyuiEntryParser, type ComfyuiEntry } from './parse-comfyui-entries.js';
import { toComfyuiLines } from './to-comfyui-line.js';

const NL = 0x0a;

/**
 * Streams ComfyUI's plain-text log (a rotation set, oldest first) and calls `onEntry`
 * for each entry, in order. Lines are decoded lossily (it is human text); only
 * oversized lines are skipped. One FileStats per file is appended to `stats`.
 */
export async function readComfyuiLog(source: LogSource, stats: FileStats[], onEntry: (entry: ComfyuiEntry) => void): Promise<void> {
  const parser = new ComfyuiEntryParser(onEntry);
  for (const file of source.files) {
    for await (const _ of readFileInto(file, parser, stats));
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
async function* readFileInto(file: InputFile, parser: ComfyuiEntryParser, stats: FileStats[]): AsyncGenerator<void> {
  const fileStats = new FileStats(file.path);
  stats.push(fileStats);
  const blocker = new LineBlocker({
    block(block) {
      let line = block.firstLine;
      let s = block.start;
      while (s < block.end) {
        const nl = block.buf.indexOf(NL, s);
        const e = nl === -1 || nl >= block.end ? block.end : nl + 1;
        let start = s;
        while (start < e && block.buf[start] === 0) start++;
        for (const entry of toComfyuiLines(block.buf.toString('utf8', start, e), line++)) parser.push(entry);
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
