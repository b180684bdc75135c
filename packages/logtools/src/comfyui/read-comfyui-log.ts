import { FileStats } from '../input/file-stats.js';
import { LineBlocker } from '../input/line-blocker.js';
import type { LogSource } from '../input/list-inputs.js';
import { CHUNK_BYTES, readChunks } from '../input/read-chunks.js';
import { describeFsError } from '../input/list-inputs.js';
import { ComfyuiEntryParser, type ComfyuiEntry } from './parse-comfyui-entries.js';
import { toComfyuiLine } from './to-comfyui-line.js';

const NL = 0x0a;

/**
 * Streams ComfyUI's plain-text log (a rotation set, oldest first) and yields its
 * entries chunk by chunk. Lines are decoded lossily (it is human text); only
 * oversized lines are skipped. One FileStats per file is appended to `stats`.
 */
export async function* readComfyuiLog(
  source: LogSource,
  stats: FileStats[],
  chunkBytes = CHUNK_BYTES,
): AsyncGenerator<ComfyuiEntry[]> {
  let batch: ComfyuiEntry[] = [];
  const parser = new ComfyuiEntryParser((entry) => batch.push(entry));
  for (const file of source.files) {
    const fileStats = new FileStats(file.path);
    stats.push(fileStats);
    const blocker = new LineBlocker({
      block(block) {
        let line = block.firstLine;
        let s = block.start;
        while (s < block.end) {
          const nl = block.buf.indexOf(NL, s);
          const e = nl === -1 || nl >= block.end ? block.end : nl + 1;
          parser.push(toComfyuiLine(block.buf.toString('utf8', s, e).replace(/^\0+/, ''), line++));
          s = e;
        }
      },
      oversized(line, head) {
        fileStats.skip('oversized', line, head, 0, head.length);
      },
    });
    try {
      for await (const chunk of readChunks(file.path, file.gz, chunkBytes)) {
        blocker.push(chunk);
        fileStats.lines = blocker.lines;
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
      }
    } catch (error) {
      fileStats.error = describeFsError(error);
    }
    blocker.end();
    fileStats.lines = blocker.lines;
  }
  parser.end();
  if (batch.length > 0) yield batch;
}
