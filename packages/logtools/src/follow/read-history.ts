import type { NormalizedRecord } from '@logtrace/shared/schema';
import { readComfyuiLog } from '../comfyui/read-comfyui-log.js';
import type { FileStats } from '../read/file-stats.js';
import { FileStats as Stats } from '../read/file-stats.js';
import type { InputSet } from '../read/list-inputs.js';
import type { Prefilter } from '../read/prefilter.js';
import { scanJsonFile } from '../read/scan-json-file.js';
import { entryItem, recordItem, type FollowItem, type FollowZones } from './live-source.js';

/**
 * Reads what the logs hold before following (`--since`, perf's rolling window): every
 * file of every source, rotations and `.gz` included, up to the size it had when
 * listed, with the readers of the other commands (the scan kernel, then
 * decodeJsonLine, for JSON lines; readComfyuiLog for comfyui.log). `keep` chooses
 * the records; ComfyUI entries are kept when `entries` is true and their time (if
 * any) is at or after `since`. Following then goes on from the listed sizes.
 */
export async function readHistory(
  inputs: InputSet,
  options: {
    readonly since: number;
    readonly prefilter?: Prefilter | undefined;
    readonly keep?: (record: NormalizedRecord) => boolean;
    readonly entries: boolean;
    readonly zones: FollowZones;
  },
  stats: FileStats[],
  take: (item: FollowItem) => void,
): Promise<void> {
  for (const source of inputs.sources) {
    if (source.kind === 'comfyui') {
      if (!options.entries) continue;
      await readComfyuiLog(
        source,
        stats,
        (entry) => {
          if (entry.time === undefined || entry.time >= options.since) take(entryItem(entry, source.host));
        },
        undefined,
        options.zones.comfyuiTimeZone,
      );
      continue;
    }
    for (const file of source.files) {
      const fileStats = new Stats(file.path);
      stats.push(fileStats);
      await scanJsonFile(
        file,
        { prefilter: options.prefilter, service: source.service, wrapper: source.wrapper, timeZone: options.zones.timeZone },
        fileStats,
        (record) => {
          if (record.time >= options.since && (options.keep?.(record) ?? true)) take(recordItem(record, source.host));
        },
      );
    }
  }
}
