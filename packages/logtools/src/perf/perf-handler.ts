import { UTC_ZONE } from '@logtrace/shared/schema';
import type { ScanHandler } from '../cli/define-scan-command.js';
import { describeInput, writeJson } from '../cli/command-context.js';
import { countOption, optionalString } from '../cli/common-options.js';
import { parseDuration } from '../core/parse-duration.js';
import { UsageError } from '../logtrace-error.js';
import type { CommandContext } from '../cli/command-context.js';
import type { PerfAccumulator } from './perf-accumulator.js';
import { perfScanReport, scanPerfAccumulators, type ScanPerfReport } from './scan-perf.js';

/** perf's own arguments, checked. */
export interface PerfArgs {
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
  async run(ctx, args, io) {
    const { json: report } = await computePerf(ctx, args);
    if (ctx.common.json) writeJson(io, report);
    else io.stdout.write((await import('./render-perf.js')).renderPerf(report, ctx.colors, { byNode: args.byNode }));
    return report.generation.count > 0 || Object.values(report.stages).some((s) => s.count > 0);
  },
};

/** perf's `--json` document: the report and what was read. */
export type PerfJson = ScanPerfReport & { readonly input: ReturnType<typeof describeInput> };

/**
 * Computes perf's `--json` document from open inputs, with the accumulator behind it:
 * the one code path of `logtrace perf` and `logtrace serve`'s /api/perf.
 */
export async function computePerf(ctx: CommandContext, args: PerfArgs): Promise<{ json: PerfJson; accumulator: PerfAccumulator }> {
  const { slowMs, top, bucketMs, byHost } = args;
  const scan = await scanPerfAccumulators(
    ctx.inputs,
    {
      slowMs,
      top,
      bucketMs,
      window: ctx.window,
      strict: ctx.common.strict,
      timeZone: ctx.common.timeZone === UTC_ZONE ? undefined : ctx.common.timeZone.name,
      byHost,
    },
    ctx.stats,
    ctx.threads,
  );
  return { json: { ...perfScanReport(scan), input: describeInput(ctx) }, accumulator: scan.accumulator };
}
