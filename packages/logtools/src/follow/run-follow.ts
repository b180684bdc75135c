import type { CliIo } from '../cli/cli-io.js';
import type { CommonArgs } from '../cli/common-options.js';
import type { FileStats } from '../read/file-stats.js';
import type { InputSet } from '../read/list-inputs.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { LogFollower, type FollowHooks, type FollowSettings } from './follow-logs.js';
import { planFollow } from './plan-follow.js';

/** What a following command gives runFollow. */
export interface FollowRun {
  readonly inputs: InputSet | undefined;
  readonly common: CommonArgs;
  readonly settings: FollowSettings;
  readonly items: FollowHooks['items'];
  readonly tick?: FollowHooks['tick'];
  /** Lines read before following, handed to the follower before it starts. */
  readonly history?: (follower: LogFollower) => Promise<void>;
  /** Ends following early (trace -f at response_sent, or its timeout). */
  readonly done?: AbortSignal;
}

/**
 * Follows the logs for a command until Ctrl-C, a closed stdout (io.stopSignal) or
 * `done`: the live file of each listed source from where the listing ended, and in a
 * directory each `*.log` created later. Notes (rotation, truncation, new and deleted
 * files) go to stderr, escaped; at the end, a note counts the lines that could not be read.
 */
export async function runFollow(run: FollowRun, io: CliIo): Promise<readonly FileStats[]> {
  const dirs = run.common.files === undefined ? run.common.dirs : undefined;
  const plan = planFollow(run.inputs, dirs, 'listed', run.common);
  const note = (text: string) => io.stderr.write(`logtrace: ${escapeTerminal(text)}\n`);
  const follower = new LogFollower(plan, run.settings, { items: run.items, note, tick: run.tick }, io.now);
  await run.history?.(follower);
  const signals = [io.stopSignal?.(), run.done].filter((s): s is AbortSignal => s !== undefined);
  const stats = await follower.run(signals.length === 0 ? new AbortController().signal : AbortSignal.any(signals));
  const skipped = stats.reduce((n, s) => n + s.skipped, 0);
  if (skipped > 0) {
    const reasons = new Map<string, number>();
    for (const s of stats) for (const [reason, n] of Object.entries(s.reasons)) reasons.set(reason, (reasons.get(reason) ?? 0) + (n ?? 0));
    const detail = [...reasons].map(([reason, n]) => `${reason} ${n}`).join(', ');
    note(`while following, skipped ${skipped} unusable ${skipped === 1 ? 'line' : 'lines'} (${detail})`);
  }
  return stats;
}
