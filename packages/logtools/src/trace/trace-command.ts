import type { CommandSpec } from '../cli/command-spec.js';
import { NotFoundError, UsageError } from '../logtrace-error.js';

/** `logtrace trace <id>`: everything that happened to one request, across every log. */
export const traceCommand: CommandSpec = {
  command: 'trace <id>',
  describe: 'What happened to one request: timeline across all logs, outcome, where the time went',
  options: {},
  builder: (yargs) =>
    yargs
      .positional('id', {
        type: 'string',
        describe: 'A request_id, generation_id or prompt_id, or a unique prefix of at least 8 characters',
      })
      .example('$0 trace "$REQUEST_ID"', 'Trace a request by its id (the X-Request-ID header)')
      .example('$0 trace 9d2b7f8e', 'Trace by an 8-character prefix of any of its ids')
      .example('$0 trace 0b6f4c1e --json | jq .outcome', 'ok, validation_error, timeout, error or incomplete')
      .epilogue(
        'Links are followed transitively (request_id → generation_id → prompt_id → comfyui.log). ComfyUI lines are placed ' +
          'in the timeline and say how they were attributed: by time (stamped lines) or by order (the k-th "got prompt" is the ' +
          'GPU server\'s k-th POST /prompt). Exit 1 for an unknown id, 2 for an ambiguous prefix.',
      ),
  async run(args, io) {
    const { withScanThreads } = await import('../engine/scan-pool.js');
    return withScanThreads(io.env, async (threads) => {
      const [{ withInputs, finishCommand, writeJson }, { optionalString }, { findTrace, MIN_ID_PREFIX }, { summarizeInput }, { escapeTerminal }] = await Promise.all([
        import('../cli/command-context.js'),
        import('../cli/common-options.js'),
        import('./find-trace.js'),
        import('../read/file-stats.js'),
        import('../render/escape-terminal.js'),
      ]);
      const id = (optionalString(args, 'id') ?? '').trim();
      if (id.length < MIN_ID_PREFIX) {
        throw new UsageError(`trace: give an id or a prefix of at least ${MIN_ID_PREFIX} characters, got "${id}"`);
      }
      return withInputs(args, io, threads, async (ctx) => {
        let report;
        try {
          report = await findTrace(ctx.inputs, id, { strict: ctx.common.strict, window: ctx.window, threads: ctx.threads }, ctx.stats);
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          // Not found, but say which files could not be read (the id may be in them): exit 2 then.
          io.stderr.write(`logtrace: ${escapeTerminal(error.message)}\n`);
          return finishCommand(ctx, io, false);
        }
        if (ctx.common.json) writeJson(io, { ...report, input: summarizeInput(ctx.stats) });
        else io.stdout.write((await import('./render-trace.js')).renderTrace(report, ctx.colors));
        return finishCommand(ctx, io, true);
      });
    });
  },
};
