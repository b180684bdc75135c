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
  readonly byHost: boolean;
}

/** What `--by` groups perf's statistics by. */
const BY_CHOICES = ['host'] as const;

/** `logtrace perf`: scan → statistics → table or JSON. */
export const perfHandler: ScanHandler<PerfArgs> = {
  prepare(args) {
    const slowMs = parseDuration(optionalString(args, 'slow') ?? '60s', '--slow');
    const bucketMs = parseDuration(optionalString(args, 'bucket') ?? '1h', '--bucket');
    const top = countOption(args, 'top', 20);
    if (bucketMs <= 0) throw new UsageError('--bucket: must be longer than 0');
    const by = optionalString(args, 'by');
    if (by !== undefined && !(BY_CHOICES as readonly string[]).includes(by)) {
      throw new UsageError(`--by: expected ${BY_CHOICES.join(', ')}, got "${by}"`);
    }
    return { slowMs, bucketMs, top, byNode: args['by-node'] === true, byHost: by === 'host' };
  },
  async run(ctx, { slowMs, top, bucketMs, byNode, byHost }, io) {
    const report = await scanPerf(
      ctx.inputs,
      { slowMs, top, bucketMs, window: ctx.window, strict: ctx.common.strict, byHost },
      ctx.stats,
      ctx.threads,
    );
    if (ctx.common.json) writeJson(io, { ...report, input: describeInput(ctx) });
    else io.stdout.write((await import('./render-perf.js')).renderPerf(report, ctx.colors, { byNode }));
    return report.generation.count > 0 || Object.values(report.stages).some((s) => s.count > 0);
  },
};
