/** ComfyUI's three file folders. */
export type FolderType = 'output' | 'input' | 'temp';

/** One stored file. */
export interface StoredFile {
  readonly bytes: Uint8Array;
  /** Answer /view for this file only after this many milliseconds (fault `slow_view`). */
  readonly viewDelayMs: number;
}

/** The emulator's input, output and temp folders, kept in memory. */
export interface FileStore {
  put(type: FolderType, subfolder: string, filename: string, bytes: Uint8Array, viewDelayMs?: number): void;
  get(type: FolderType, subfolder: string, filename: string): StoredFile | undefined;
  /** File names directly in a folder (not in subfolders), sorted. */
  list(type: FolderType): string[];
  /** The next `_NNNNN_` counter for a prefix: one past the highest existing, as ComfyUI counts. */
  nextCounter(type: FolderType, subfolder: string, prefix: string): number;
}

/** Options for createFileStore. */
export interface FileStoreOptions {
  /** Files kept per kind: output and temp together, input apart; the oldest are forgotten beyond this. */
  readonly maxFiles: number;
  /** Bytes of input files (uploads) kept in total (default 256 MiB); the oldest are forgotten beyond this. */
  readonly maxInputBytes?: number;
}

/** Default bound on the bytes of uploaded input files: 256 MiB. */
export const DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024;

/**
 * Creates an in-memory file store. Memory stays bounded: at most `maxFiles` output and
 * temp files, and at most `maxFiles` input files holding `maxInputBytes` together (the
 * newest file is always kept). A forgotten file answers 404 on /view and fails
 * LoadImage's validation like one deleted from disk; the counters never go back.
 */
export function createFileStore(options: FileStoreOptions): FileStore {
  const maxInputBytes = options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const files = new Map<string, StoredFile>();
  const counters = new Map<string, number>();
  let inputBytes = 0;
  const key = (type: FolderType, subfolder: string, filename: string): string => `${type}\0${subfolder}\0${filename}`;
  const isInput = (k: string): boolean => k.startsWith('input\0');
  const forget = (k: string): void => {
    const file = files.get(k);
    if (file !== undefined && isInput(k)) inputBytes -= file.bytes.byteLength;
    files.delete(k);
  };
  /** Forgets the oldest files of one kind, never the newest, while `over()` says so. */
  const evict = (input: boolean, newest: string, over: (count: number) => boolean): void => {
    let count = 0;
    for (const k of files.keys()) if (isInput(k) === input) count += 1;
    for (const k of [...files.keys()]) {
      if (!over(count)) break;
      if (isInput(k) !== input || k === newest) continue;
      forget(k);
      count -= 1;
    }
  };
  return {
    put(type, subfolder, filename, bytes, viewDelayMs = 0) {
      const k = key(type, subfolder, filename);
      forget(k);
      files.set(k, { bytes, viewDelayMs });
      if (type === 'input') inputBytes += bytes.byteLength;
      const match = /^(.*)_(\d{5,})_\.[^.]+$/.exec(filename);
      if (match !== null) {
        const ck = key(type, subfolder, match[1] as string);
        counters.set(ck, Math.max(counters.get(ck) ?? 0, Number(match[2])));
      }
      if (type === 'input') evict(true, k, (count) => count > options.maxFiles || inputBytes > maxInputBytes);
      else evict(false, k, (count) => count > options.maxFiles);
    },
    get: (type, subfolder, filename) => files.get(key(type, subfolder, filename)),
    list(type) {
      const prefix = `${type}\0\0`;
      return [...files.keys()]
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length))
        .sort();
    },
    nextCounter: (type, subfolder, prefix) => (counters.get(key(type, subfolder, prefix)) ?? 0) + 1,
  };
}
