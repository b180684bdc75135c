import { UTC_ZONE } from '@logtrace/shared/schema';
import type { ScanHandler } from '../cli/define-scan-command.js';
import { describeInput, writeJson } from '../cli/command-context.js';
import { countOption, optionalString } from '../cli/common-options.js';
import { parseDuration } from '../core/parse-duration.js';
import { UsageError } from '../logtrace-error.js';
import { scanPerf } from './scan-perf.js';

/** perf's own arguments, checked. */
interface PerfArgs {
  readonly slowMs: number;
  readonly bucketMs: number;
  readonly top: number;
  readonly byNode: boolean;
}

/** `logtrace perf`: scan → statistics → table or JSON. */
export const perfHandler: ScanHandler<PerfArgs> = {
  prepare(args) {
    const slowMs = parseDuration(optionalString(args, 'slow') ?? '60s', '--slow');
    const bucketMs = parseDuration(optionalString(args, 'bucket') ?? '1h', '--bucket');
    const top = countOption(args, 'top', 20);
    if (bucketMs <= 0) throw new UsageError('--bucket: must be longer than 0');
    return { slowMs, bucketMs, top, byNode: args['by-node'] === true };
  },
  async run(ctx, { slowMs, top, bucketMs, byNode }, io) {
    const report = await scanPerf(
      ctx.inputs,
      {
        slowMs,
        top,
        bucketMs,
        window: ctx.window,
        strict: ctx.common.strict,
        timeZone: ctx.common.timeZone === UTC_ZONE ? undefined : ctx.common.timeZone.name,
      },
      ctx.stats,
      ctx.threads,
    );
    if (ctx.common.json) writeJson(io, { ...report, input: describeInput(ctx) });
    else io.stdout.write((await import('./render-perf.js')).renderPerf(report, ctx.colors, { byNode }));
    return report.generation.count > 0 || Object.values(report.stages).some((s) => s.count > 0);
  },
};
