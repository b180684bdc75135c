import type { CliIo } from '../cli/cli-io.js';
import { writeJson, type CommandContext } from '../cli/command-context.js';
import { PERF_NEEDLES } from '../perf/perf-job.js';
import { createNeedlePrefilter } from '../read/prefilter.js';
import type { FollowSettings } from './follow-logs.js';
import { readHistory } from './read-history.js';
import { isPerfRecord, RollingPerf } from './rolling-perf.js';
import { runFollow } from './run-follow.js';

/** Moves the cursor home and clears the screen: a terminal shows the latest statistics only. */
const CLEAR = '\u001b[H\u001b[2J';

/**
 * `perf -f`: the statistics of the last `--window`, every `--interval`: redrawn in
 * place on a terminal, one after the other otherwise, one JSON object per interval
 * (with its `window`) with `--json`. The window starts filled from the logs (the
 * lines perf reads, through the same prefilter), then moves with the clock.
 */
export async function followPerf(
  ctx: CommandContext,
  io: CliIo,
  options: { readonly slowMs: number; readonly top: number; readonly bucketMs: number; readonly byNode: boolean },
  follow: { readonly settings: FollowSettings; readonly windowMs: number; readonly intervalMs: number },
): Promise<void> {
  const rolling = new RollingPerf({ slowMs: options.slowMs, top: options.top, bucketMs: options.bucketMs }, follow.windowMs);
  const { renderPerf } = ctx.common.json ? { renderPerf: undefined } : await import('../perf/render-perf.js');
  let nextAt = 0;
  const draw = (now: number) => {
    const report = rolling.report(now);
    if (renderPerf === undefined) writeJson(io, report);
    else {
      const head = ctx.colors.bold(
        `perf over ${report.window.since} – ${report.window.until} (every ${follow.intervalMs / 1000} s; Ctrl-C to stop)`,
      );
      io.stdout.write(`${io.stdout.isTTY === true ? CLEAR : '\n'}${head}\n${renderPerf(report, ctx.colors, { byNode: options.byNode })}`);
    }
  };
  await runFollow(
    {
      inputs: ctx.inputs,
      common: ctx.common,
      settings: follow.settings,
      items(items) {
        for (const item of items) if (item.record !== undefined) rolling.add(item.record);
      },
      tick(now) {
        if (now >= nextAt) {
          draw(now);
          nextAt = now + follow.intervalMs;
        }
        return nextAt;
      },
      history: (follower) =>
        readHistory(
          ctx.inputs,
          {
            since: io.now() - 2 * follow.windowMs,
            prefilter: ctx.common.strict ? undefined : createNeedlePrefilter(PERF_NEEDLES),
            keep: isPerfRecord,
            entries: false,
            zones: ctx.common,
          },
          ctx.stats,
          (item) => follower.pushHistory(item),
        ),
    },
    io,
  );
}
