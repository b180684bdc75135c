import type { SkipReason } from './decode-json-line.js';

/** At most this many bad-line samples are kept per file. */
export const MAX_SAMPLES = 10;
/** Bytes of a bad line kept in a sample. */
export const SAMPLE_BYTES = 120;

/** One skipped line, for the report. */
export interface SkipSample {
  readonly line: number;
  readonly reason: SkipReason;
  /** The line's first bytes, decoded lossily; escape it before printing. */
  readonly excerpt: string;
}

/** What reading one file gave: line count, skipped lines by reason, a read error. */
export class FileStats {
  /** Lines in the file (every `\n`-terminated line plus an unterminated last one). */
  lines = 0;
  /** Lines examined and skipped (each unusable object of a glued line counts as one). */
  skipped = 0;
  /** Lines holding JSON objects written back to back (a lost newline), read as separate records. */
  glued = 0;
  /** Skipped lines by reason. */
  readonly reasons: Partial<Record<SkipReason, number>> = {};
  /** The first few skipped lines. */
  readonly samples: SkipSample[] = [];
  /** Set when the file could not be read to the end (message says why). */
  error: string | undefined;

  constructor(
    /** The file's path as given or found. */
    readonly path: string,
  ) {}

  /** Counts one skipped line; `buf[start, end)` is the line, kept as a sample while there is room. */
  skip(reason: SkipReason, line: number, buf?: Buffer, start = 0, end = 0): void {
    this.skipped++;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    if (this.samples.length < MAX_SAMPLES) {
      const excerpt = buf === undefined ? '' : buf.toString('utf8', start, Math.min(end, start + SAMPLE_BYTES));
      this.samples.push({ line, reason, excerpt: excerpt.replace(/\r?\n$/, '') });
    }
  }
}

/** The `input` object of every `--json` output (see README, "--json shapes"). */
export interface InputSummary {
  /** Number of files read. */
  readonly files: number;
  /** Lines in those files. */
  readonly lines: number;
  /** Lines examined and skipped (all bad lines with `--strict`); each unusable object of a glued line counts as one. */
  readonly skipped: number;
  /** Lines holding JSON objects written back to back (a lost newline: `{…}{…}`), each object read as a line of its own. */
  readonly glued: number;
  /** The same per file, with skip reasons and any read error. */
  readonly by_file: readonly {
    readonly path: string;
    readonly lines: number;
    readonly skipped: number;
    readonly glued: number;
    readonly reasons: Partial<Record<SkipReason, number>>;
    readonly error: string | null;
  }[];
}

/** Folds per-file stats into the `input` summary. */
export function summarizeInput(stats: readonly FileStats[]): InputSummary {
  let lines = 0;
  let skipped = 0;
  let glued = 0;
  for (const s of stats) {
    lines += s.lines;
    skipped += s.skipped;
    glued += s.glued;
  }
  return {
    files: stats.length,
    lines,
    skipped,
    glued,
    by_file: stats.map((s) => ({
      path: s.path,
      lines: s.lines,
      skipped: s.skipped,
      glued: s.glued,
      reasons: { ...s.reasons },
      error: s.error ?? null,
    })),
  };
}
