import { EVENT } from '@logtrace/shared/schema';
import type { ScanHandler } from '../cli/define-scan-command.js';
import { describeInput, writeJson } from '../cli/command-context.js';
import { optionalString } from '../cli/common-options.js';
import { NotFoundError, UsageError } from '../logtrace-error.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { findTrace, MIN_ID_PREFIX } from './find-trace.js';
import type { CommandContext } from '../cli/command-context.js';
import type { TraceReport } from './stitch-trace.js';

/** `logtrace trace <id>`: search → stitched trace → timeline or JSON. */
export const traceHandler: ScanHandler<string> = {
  prepare(args) {
    const id = (optionalString(args, 'id') ?? '').trim();
    if (id.length < MIN_ID_PREFIX)
      throw new UsageError(`trace: give an id or a prefix of at least ${MIN_ID_PREFIX} characters, got "${id}"`);
    return id;
  },
  async run(ctx, id, io) {
    let report;
    try {
      report = await computeTrace(ctx, id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // Not found, but say which files could not be read (the id may be in them): exit 2 then.
      io.stderr.write(`logtrace: ${escapeTerminal(error.message)}\n`);
      return false;
    }
    const requests = report.events.filter((e) => e['event'] === EVENT.generate_request).length;
    if (requests > 1) {
      io.stderr.write(
        `logtrace: warning: ${requests} generate_request lines carry this request's id (a caller's id reused as request_id, in logs from before the backend made its own): their events are shown together\n`,
      );
    }
    if (ctx.common.json) writeJson(io, report);
    else io.stdout.write((await import('./render-trace.js')).renderTrace(report, ctx.colors));
    return true;
  },
};

/** trace's `--json` document: the stitched trace and what was read. */
export type TraceJson = TraceReport & { readonly input: ReturnType<typeof describeInput> };

/**
 * Computes trace's `--json` document from open inputs (NotFoundError, AmbiguousIdError
 * when the id matches nothing or several): the one code path of `logtrace trace` and
 * `logtrace serve`'s /api/trace/:id.
 */
export async function computeTrace(ctx: CommandContext, id: string): Promise<TraceJson> {
  const options = {
    strict: ctx.common.strict,
    window: ctx.window,
    threads: ctx.threads,
    timeZone: ctx.common.timeZone,
    comfyuiTimeZone: ctx.common.comfyuiTimeZone,
  };
  const report = await findTrace(ctx.inputs, id, options, ctx.stats);
  return { ...report, input: describeInput(ctx) };
}
