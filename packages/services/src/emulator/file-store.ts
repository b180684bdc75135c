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
  /** Output and temp files kept; the oldest are forgotten beyond this (input files are kept). */
  readonly maxFiles: number;
}

/**
 * Creates an in-memory file store. Memory stays bounded by `maxFiles`; a forgotten file
 * answers 404 on /view like one deleted from disk, and the counters never go back.
 */
export function createFileStore(options: FileStoreOptions): FileStore {
  const files = new Map<string, StoredFile>();
  const counters = new Map<string, number>();
  const key = (type: FolderType, subfolder: string, filename: string): string => `${type}\0${subfolder}\0${filename}`;
  return {
    put(type, subfolder, filename, bytes, viewDelayMs = 0) {
      const k = key(type, subfolder, filename);
      files.delete(k);
      files.set(k, { bytes, viewDelayMs });
      const match = /^(.*)_(\d{5,})_\.[^.]+$/.exec(filename);
      if (match !== null) {
        const ck = key(type, subfolder, match[1] as string);
        counters.set(ck, Math.max(counters.get(ck) ?? 0, Number(match[2])));
      }
      if (type === 'input') return;
      let generated = 0;
      for (const existing of files.keys()) if (!existing.startsWith('input\0')) generated += 1;
      for (const existing of files.keys()) {
        if (generated <= options.maxFiles) break;
        if (existing.startsWith('input\0')) continue;
        files.delete(existing);
        generated -= 1;
      }
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
