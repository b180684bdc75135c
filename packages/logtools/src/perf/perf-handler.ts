import type { ScanHandler } from '../cli/define-scan-command.js';
import { describeInput, writeJson } from '../cli/command-context.js';
import { countOption, optionalString } from '../cli/common-options.js';
import { parseDuration } from '../core/parse-duration.js';
import { UsageError } from '../logtrace-error.js';
import { scanPerf } from './scan-perf.js';
import { readFollowSettings, wantsFollow } from '../follow/follow-options.js';
import type { FollowSettings } from '../follow/follow-logs.js';

/** perf's own arguments, checked. */
interface PerfArgs {
  readonly slowMs: number;
  readonly bucketMs: number;
  readonly top: number;
  readonly byNode: boolean;
  /** With -f: how to follow, the rolling window and the redraw interval (ms). */
  readonly follow: { readonly settings: FollowSettings; readonly windowMs: number; readonly intervalMs: number } | undefined;
}

/** `logtrace perf`: scan → statistics → table or JSON. */
export const perfHandler: ScanHandler<PerfArgs> = {
  prepare(args) {
    const slowMs = parseDuration(optionalString(args, 'slow') ?? '60s', '--slow');
    const bucketMs = parseDuration(optionalString(args, 'bucket') ?? '1h', '--bucket');
    const top = countOption(args, 'top', 20);
    if (bucketMs <= 0) throw new UsageError('--bucket: must be longer than 0');
    const follow = wantsFollow(args)
      ? {
          settings: readFollowSettings(args),
          windowMs: parseDuration(optionalString(args, 'window') ?? '15m', '--window'),
          intervalMs: parseDuration(optionalString(args, 'interval') ?? '2s', '--interval'),
        }
      : undefined;
    if (follow !== undefined && (follow.windowMs <= 0 || follow.intervalMs <= 0))
      throw new UsageError('--window and --interval: must be longer than 0');
    return { slowMs, bucketMs, top, byNode: args['by-node'] === true, follow };
  },
  async run(ctx, { slowMs, top, bucketMs, byNode, follow }, io) {
    if (follow !== undefined) {
      await (await import('../follow/perf-follow.js')).followPerf(ctx, io, { slowMs, top, bucketMs, byNode }, follow);
      return true;
    }
    const report = await scanPerf(
      ctx.inputs,
      { slowMs, top, bucketMs, window: ctx.window, strict: ctx.common.strict },
      ctx.stats,
      ctx.threads,
    );
    if (ctx.common.json) writeJson(io, { ...report, input: describeInput(ctx) });
    else io.stdout.write((await import('./render-perf.js')).renderPerf(report, ctx.colors, { byNode }));
    return report.generation.count > 0 || Object.values(report.stages).some((s) => s.count > 0);
  },
};
