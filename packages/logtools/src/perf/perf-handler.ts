import type { ScanHandler } from '../cli/define-scan-command.js';
import { describeInput, writeJson } from '../cli/command-context.js';
import { countOption, optionalString } from '../cli/common-options.js';
import { parseDuration } from '../core/parse-duration.js';
import { UsageError } from '../logtrace-error.js';
import type { CommandContext } from '../cli/command-context.js';
import type { PerfAccumulator, PerfReport } from './perf-accumulator.js';
import { scanPerfAccumulator } from './scan-perf.js';

/** perf's own arguments, checked. */
export interface PerfArgs {
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
  async run(ctx, args, io) {
    const { json: report } = await computePerf(ctx, args);
    if (ctx.common.json) writeJson(io, report);
    else io.stdout.write((await import('./render-perf.js')).renderPerf(report, ctx.colors, { byNode: args.byNode }));
    return report.generation.count > 0 || Object.values(report.stages).some((s) => s.count > 0);
  },
};

/** perf's `--json` document: the report and what was read. */
export type PerfJson = PerfReport & { readonly input: ReturnType<typeof describeInput> };

/**
 * Computes perf's `--json` document from open inputs, with the accumulator behind it:
 * the one code path of `logtrace perf` and `logtrace serve`'s /api/perf.
 */
export async function computePerf(ctx: CommandContext, args: PerfArgs): Promise<{ json: PerfJson; accumulator: PerfAccumulator }> {
  const { slowMs, top, bucketMs } = args;
  const accumulator = await scanPerfAccumulator(
    ctx.inputs,
    { slowMs, top, bucketMs, window: ctx.window, strict: ctx.common.strict },
    ctx.stats,
    ctx.threads,
  );
  return { json: { ...accumulator.report(), input: describeInput(ctx) }, accumulator };
}
