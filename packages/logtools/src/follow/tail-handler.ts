import { statSync } from 'node:fs';
import { ID_FIELDS, LEVEL_RANK, normalizeLevel } from '@logtrace/shared/schema';
import type { CliIo } from '../cli/cli-io.js';
import { escapeJsonText } from '../cli/command-context.js';
import type { ParsedArgs } from '../cli/command-spec.js';
import { optionalString, readCommonArgs } from '../cli/common-options.js';
import { createTimeWindow } from '../core/time-window.js';
import { renderErrorLine } from '../errors/render-errors.js';
import { EXIT_CODES, InputError, UsageError } from '../logtrace-error.js';
import { closeInputs, listInputs, type InputSet } from '../read/list-inputs.js';
import type { FileStats } from '../read/file-stats.js';
import { createColors, shouldUseColor } from '../render/colors.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { readFollowSettings } from './follow-options.js';
import type { FollowItem } from './live-source.js';
import { readHistory } from './read-history.js';
import { runFollow } from './run-follow.js';

/** Which lines tail shows. */
export interface TailFilter {
  readonly minRank: number;
  readonly services: ReadonlySet<string> | undefined;
  readonly id: string | undefined;
}

/** True when tail shows the item: its service and level, and with an id, one of its ids (ComfyUI's: those it was attributed to) starts with it. */
export function matchesTail(item: FollowItem, filter: TailFilter): boolean {
  if (LEVEL_RANK[item.level] < filter.minRank) return false;
  if (filter.services !== undefined && !filter.services.has(item.service)) return false;
  const id = filter.id;
  if (id === undefined) return true;
  return ID_FIELDS.some((key) => {
    const value = item.fields[key];
    return typeof value === 'string' && value.startsWith(id);
  });
}

/** `logtrace tail`: (history since --since) then every new line of every log, filtered, one line each. */
export async function tailHandler(args: ParsedArgs, io: CliIo): Promise<number> {
  const common = readCommonArgs(args, io);
  if (common.until !== undefined) throw new UsageError('--until cannot be used with tail: following has no end');
  const window = createTimeWindow(common.since, undefined, io.now());
  const levelText = optionalString(args, 'level') ?? 'debug';
  const level = normalizeLevel(levelText);
  if (level === undefined) throw new UsageError(`--level: expected debug, info, warn, error or fatal, got "${levelText}"`);
  const filter: TailFilter = {
    minRank: LEVEL_RANK[level],
    services: Array.isArray(args['service']) ? new Set(args['service'].map(String)) : undefined,
    id: optionalString(args, 'id')?.trim(),
  };
  const settings = readFollowSettings(args);
  const inputs = await listOrWait(common.dirs, common.files);
  if (inputs === undefined)
    io.stderr.write(`logtrace: no logs in ${common.dirs.map(escapeTerminal).join(', ')} yet: waiting for *.log files\n`);
  const colors = createColors(shouldUseColor({ isTTY: io.stdout.isTTY, env: io.env, colorFlag: common.color, json: common.json }));
  const format = common.json
    ? (item: FollowItem) => `${escapeJsonText(JSON.stringify(item.fields))}\n`
    : (item: FollowItem) => `${renderErrorLine(item.fields, colors)}\n`;
  const historyStats: FileStats[] = [];
  try {
    await runFollow(
      {
        inputs,
        common,
        settings,
        items(items) {
          // One write per batch: a write per line costs a system call each on a pipe.
          let text = '';
          for (const item of items) if (matchesTail(item, filter)) text += format(item);
          if (text !== '') io.stdout.write(text);
        },
        history:
          window.since === undefined || inputs === undefined
            ? undefined
            : (follower) =>
                readHistory(inputs, { since: window.since ?? 0, entries: true, zones: common }, historyStats, (item) =>
                  follower.pushHistory(item),
                ),
      },
      io,
    );
  } finally {
    if (inputs !== undefined) closeInputs(inputs);
  }
  const failed = historyStats.filter((s) => s.error !== undefined);
  for (const s of failed) io.stderr.write(`logtrace: ${s.path}: ${s.error ?? ''}\n`);
  return EXIT_CODES.ok;
}

/** The logs there are now; none yet in an existing directory is fine (tail waits for them). */
async function listOrWait(dirs: readonly string[], files: readonly string[] | undefined): Promise<InputSet | undefined> {
  try {
    return await listInputs({ dir: dirs, files });
  } catch (error) {
    if (files === undefined && error instanceof InputError && dirs.every(isDirectory) && /^no log files/.test(error.message))
      return undefined;
    throw error;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
