import { createTimeWindow, type TimeWindow } from '../core/time-window.js';
import { EXIT_CODES } from '../logtrace-error.js';
import { FileStats, summarizeInput, type InputSummary } from '../read/file-stats.js';
import { closeInputs, listInputs, type InputSet } from '../read/list-inputs.js';
import { createColors, shouldUseColor, type Colors } from '../render/colors.js';
import { renderInputNotes } from '../render/render-input-notes.js';
import type { CliIo } from './cli-io.js';
import type { ParsedArgs } from './command-spec.js';
import { readCommonArgs, type CommonArgs } from './common-options.js';
import type { ThreadChoice } from '../engine/scan-pool.js';

/** What every command works with once its inputs are open. */
export interface CommandContext {
  readonly common: CommonArgs;
  readonly inputs: InputSet;
  readonly window: TimeWindow;
  readonly colors: Colors;
  /** Terminal width for wrapping (160 when not a terminal). */
  readonly width: number;
  /** One entry per file read, filled while scanning (first, one per unreadable file, with its error). */
  readonly stats: FileStats[];
  /** How many threads scan large inputs. */
  readonly threads: ThreadChoice;
}

/**
 * Reads the common options, finds and opens the input files, and runs `body` with them
 * (step one of every command; the files are closed when it ends); `threads` from chooseThreads.
 */
export async function withInputs<T>(
  args: ParsedArgs,
  io: CliIo,
  threads: ThreadChoice,
  body: (ctx: CommandContext) => Promise<T>,
): Promise<T> {
  const common = readCommonArgs(args, io);
  const window = createTimeWindow(common.since, common.until, io.now());
  const inputs = await listInputs({ dir: common.dirs, files: common.files });
  try {
    const colors = createColors(shouldUseColor({ isTTY: io.stdout.isTTY, env: io.env, colorFlag: common.color, json: common.json }));
    const stats = inputs.unreadable.map(({ path, reason }) => Object.assign(new FileStats(path), { error: reason }));
    return await body({ common, inputs, window, colors, width: io.stdout.columns ?? 160, stats, threads });
  } finally {
    closeInputs(inputs);
  }
}

/** The `input` of a command's `--json` answer: what was read (summarizeInput), and the files ignored, with why, when there are any. */
export function describeInput(ctx: CommandContext): InputSummary & { readonly ignored?: InputSet['ignored'] } {
  const summary = summarizeInput(ctx.stats);
  return ctx.inputs.ignored.length === 0 ? summary : { ...summary, ignored: ctx.inputs.ignored };
}

/** Writes one JSON document on stdout. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${escapeJsonText(JSON.stringify(value))}\n`);
}

// JSON.stringify leaves DEL, C1 controls, bidi controls and U+2028/9 raw; as \u escapes
// they mean the same to a JSON reader and cannot reorder or break a terminal line.
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** Escapes, in serialized JSON text, the characters JSON.stringify leaves raw that a terminal would interpret. */
export function escapeJsonText(json: string): string {
  return json.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The last step of every command: stderr notes about the input (skipped lines, read
 * errors, ignored files, glued lines; for text output, and read errors always), and the exit code:
 * 2 if a file could not be read to the end, else 1 if nothing was found or `--strict`
 * saw an unusable line, else 0.
 */
export function finishCommand(ctx: CommandContext, io: CliIo, found: boolean): number {
  const input = summarizeInput(ctx.stats);
  const stderrColors = createColors(shouldUseColor({ isTTY: io.stderr.isTTY, env: io.env, colorFlag: ctx.common.color, json: false }));
  const notes = ctx.common.json
    ? renderInputNotes({ ...input, skipped: 0, glued: 0 }, [], [], stderrColors, ctx.common.strict)
    : renderInputNotes(input, ctx.stats, ctx.inputs.ignored, stderrColors, ctx.common.strict);
  if (notes !== '') io.stderr.write(notes);
  if (input.by_file.some((f) => f.error !== null)) return EXIT_CODES.usage;
  if (!found || (ctx.common.strict && input.skipped > 0)) return EXIT_CODES.notFound;
  return EXIT_CODES.ok;
}
