import type { Options } from 'yargs';
import { countOption } from '../cli/common-options.js';
import type { ParsedArgs } from '../cli/command-spec.js';
import { UsageError } from '../logtrace-error.js';
import type { FollowSettings } from './follow-logs.js';

/** Default reorder window, ms. */
export const DEFAULT_WINDOW_MS = 500;
/** Default poll interval while fs.watch works, ms. */
export const DEFAULT_POLL_MS = 1000;

/** The options of how to follow (tail, and perf, errors and trace with -f). */
export const FOLLOW_SETTINGS_OPTIONS: Readonly<Record<string, Options>> = {
  'window-ms': {
    type: 'number',
    default: DEFAULT_WINDOW_MS,
    describe: 'Follow: hold each line until this long (ms) after its time, so that lines of other files come out in time order',
  },
  'poll-ms': {
    type: 'number',
    default: DEFAULT_POLL_MS,
    describe: 'Follow: look at the files at least this often (ms), besides file-system notifications',
  },
  watch: { type: 'boolean', default: true, describe: `Follow: use file-system notifications (--no-watch polls every 250 ms)` },
};

/** `-f`/`--follow` and how to follow, for perf, errors and trace. */
export const FOLLOW_OPTIONS: Readonly<Record<string, Options>> = {
  follow: { type: 'boolean', alias: 'f', default: false, describe: 'Keep reading the logs as they grow (Ctrl-C ends)' },
  ...FOLLOW_SETTINGS_OPTIONS,
};

/** How to follow, from the command line. */
export function readFollowSettings(args: ParsedArgs): FollowSettings {
  const windowMs = countOption(args, 'window-ms', DEFAULT_WINDOW_MS);
  const pollMs = countOption(args, 'poll-ms', DEFAULT_POLL_MS);
  if (pollMs === 0) throw new UsageError('--poll-ms: must be at least 1');
  return { windowMs, pollMs, watch: args['watch'] !== false };
}

/** Whether `-f`/`--follow` was given; following has no end, so `--until` is refused with it. */
export function wantsFollow(args: ParsedArgs): boolean {
  const follow = args['follow'] === true;
  if (follow && args['until'] !== undefined) throw new UsageError('--until cannot be used with --follow: following has no end');
  return follow;
}
