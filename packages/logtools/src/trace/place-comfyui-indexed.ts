import { createHash } from 'node:crypto';
import type { PostAttemptList } from '../comfyui/post-attempt-list.js';
import type { TimeWindow } from '../core/time-window.js';
import type { ScanIndex } from '../engine/scan-index.js';
import { readWholeFileIndexed } from '../engine/whole-file-index.js';
import type { FileStats } from '../read/file-stats.js';
import type { InputSet } from '../read/list-inputs.js';
import type { LocatedRecord, PlacedComfyuiEntry } from './stitch-trace.js';

/** What the comfyui.log entries a trace keeps depend on, besides comfyui.log itself. */
export interface PlacementInputs {
  readonly records: ReadonlyMap<string, LocatedRecord>;
  readonly posts: PostAttemptList;
  readonly dequeued: ReadonlySet<string>;
  readonly window: TimeWindow;
  readonly strict: boolean;
  /** The zone comfyui.log's zone-less stamps are read in. */
  readonly comfyuiZone: string;
}

/**
 * The comfyui.log entries of a trace (`place` reads comfyui.log and attributes them):
 * from the index when comfyui.log is one unchanged file and everything the placement
 * depends on — the trace's records, every POST attempt, the dequeued prompts, the
 * window — is as when it was kept (a SHA-256 of them is the spec), else placed again.
 */
export async function placeComfyuiIndexed(
  inputs: InputSet,
  index: ScanIndex | undefined,
  given: PlacementInputs,
  stats: FileStats[],
  place: (stats: FileStats[]) => Promise<PlacedComfyuiEntry[]>,
): Promise<PlacedComfyuiEntry[]> {
  const sources = inputs.sources.filter((s) => s.kind === 'comfyui');
  const source = sources.length === 1 ? sources[0] : undefined;
  if (index === undefined || source === undefined) return place(stats);
  // Its entries carry the directory's host when several directories are read: kept apart from the same file read alone.
  const spec = {
    strict: given.strict,
    zone: given.comfyuiZone,
    placement: placementDigest(given),
    ...(source.host === undefined ? {} : { directoryHost: source.host }),
  };
  return readWholeFileIndexed(index, 'trace-comfyui', spec, source, stats, place);
}

function placementDigest({ records, posts, dequeued, window }: Omit<PlacementInputs, 'strict' | 'comfyuiZone'>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([...records.values()].sort((a, b) => a.order - b.order || a.part - b.part)));
  hash.update(JSON.stringify([String(window.since), String(window.until), [...dequeued].sort()]));
  const arrays = posts.toArrays();
  for (const array of [arrays.times, arrays.orders, arrays.hashes, arrays.accepted]) {
    hash.update(String(array.length));
    hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }
  return hash.digest('hex');
}
