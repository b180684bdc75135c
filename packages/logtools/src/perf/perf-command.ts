import type { CommandSpec } from '../cli/command-spec.js';
import { UsageError } from '../logtrace-error.js';

/** `logtrace perf`: generation time and stage statistics, slow generations, per-bucket p95. */
export const perfCommand: CommandSpec = {
  command: 'perf',
  describe: 'Generation time and stage statistics, slow generations, p95 per hour',
  options: {
    slow: { type: 'string', default: '60s', describe: 'List generations at or above this duration: 90s, 2m, 60000 (ms)' },
    top: { type: 'number', default: 20, describe: 'How many slow generations to list, slowest first (the count covers all)' },
    bucket: { type: 'string', default: '1h', describe: 'Width of the time buckets of the count/p95 table: 15m, 1h, 1d' },
  },
  builder: (yargs) =>
    yargs
      .options(perfCommand.options)
      .example('$0 perf', 'Statistics over ./logs (or $LOGTRACE_DIR)')
      .example('$0 perf --since 2h --slow 90s --top 5', 'The last two hours; the five slowest generations over 90 s')
      .example('$0 perf --bucket 15m', 'Count and p95 per quarter hour')
      .example('$0 perf --json | jq .generation.p95_ms', 'p95 of generation time, for a script')
      .epilogue(
        'Generation time is comfyui_complete.duration_ms (prompt sent to ComfyUI → outputs ready). Stages: backend end-to-end ' +
          '(response_sent.duration_ms), GPU round trip (gpu_response.duration_ms), image transfer (image_retrieved.duration_ms). ' +
          'Percentiles are exact, nearest rank: pN is the value at rank ⌈N/100 · n⌉ of the sorted values. ' +
          'Exit 1 when no duration was found.',
      ),
  async run(args, io) {
    const { withScanThreads } = await import('../engine/scan-pool.js');
    return withScanThreads(io.env, async (threads) => {
      const [{ withInputs, finishCommand, writeJson }, { parseDuration }, { countOption, optionalString }, { scanPerf }, { summarizeInput }] = await Promise.all([
        import('../cli/command-context.js'),
        import('../core/parse-duration.js'),
        import('../cli/common-options.js'),
        import('./scan-perf.js'),
        import('../read/file-stats.js'),
      ]);
      const slowMs = parseDuration(optionalString(args, 'slow') ?? '60s', '--slow');
      const bucketMs = parseDuration(optionalString(args, 'bucket') ?? '1h', '--bucket');
      const top = countOption(args, 'top', 20);
      if (bucketMs <= 0) throw new UsageError('--bucket: must be longer than 0');
      return withInputs(args, io, threads, async (ctx) => {
        const report = await scanPerf(ctx.inputs, { slowMs, top, bucketMs, window: ctx.window, strict: ctx.common.strict }, ctx.stats, ctx.threads);
        if (ctx.common.json) writeJson(io, { ...report, input: summarizeInput(ctx.stats) });
        else io.stdout.write((await import('./render-perf.js')).renderPerf(report, ctx.colors));
        const found = report.generation.count > 0 || Object.values(report.stages).some((s) => s.count > 0);
        return finishCommand(ctx, io, found);
      });
    });
  },
};
