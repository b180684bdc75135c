import path from 'node:path';
import { EVENT } from '@logtrace/shared/schema';
import type { ScanHandler } from '../cli/define-scan-command.js';
import { describeInput, writeJson } from '../cli/command-context.js';
import { optionalString } from '../cli/common-options.js';
import { NotFoundError, UsageError } from '../logtrace-error.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { findTrace, MIN_ID_PREFIX } from './find-trace.js';
import type { CommandContext } from '../cli/command-context.js';
import type { TraceReport } from './stitch-trace.js';
import { parseDuration } from '../core/parse-duration.js';
import { readFollowSettings, wantsFollow } from '../follow/follow-options.js';
import type { FollowSettings } from '../follow/follow-logs.js';

/** trace's own arguments, checked. */
export interface TraceArgs {
  readonly id: string;
  /** `--otlp FILE`: also write the trace's spans there. */
  readonly otlp?: string | undefined;
  /** With -f: how to follow, and for how long at most (ms). */
  readonly follow: { readonly settings: FollowSettings; readonly timeoutMs: number | undefined } | undefined;
}

/** `logtrace trace <id>`: search → stitched trace → timeline or JSON (with `--otlp FILE`, its spans as OTLP/JSON; with -f, the request's new lines). */
export const traceHandler: ScanHandler<TraceArgs> = {
  prepare(args) {
    const id = (optionalString(args, 'id') ?? '').trim();
    if (id.length < MIN_ID_PREFIX)
      throw new UsageError(`trace: give an id or a prefix of at least ${MIN_ID_PREFIX} characters, got "${id}"`);
    const timeout = optionalString(args, 'timeout');
    const follow = wantsFollow(args)
      ? { settings: readFollowSettings(args), timeoutMs: timeout === undefined ? undefined : parseDuration(timeout, '--timeout') }
      : undefined;
    if (follow === undefined && timeout !== undefined) throw new UsageError('--timeout is for -f (following)');
    return { id, follow, otlp: optionalString(args, 'otlp') };
  },
  async run(ctx, { id, follow, otlp }, io) {
    let report;
    try {
      report = await computeTrace(ctx, id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      if (follow !== undefined) {
        if (!ctx.common.json) io.stderr.write(`logtrace: ${escapeTerminal(id)} not in the logs yet: waiting for it\n`);
        return (await import('../follow/trace-follow.js')).followTrace(ctx, io, id, undefined, follow);
      }
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
    if (otlp !== undefined) {
      const [{ mapTraceSpans, encodeOtlpJson }, { toSpanRecords }, { writeOtlpFile }] = await Promise.all([
        import('@logtrace/shared/otel'),
        import('../otlp/to-span-records.js'),
        import('../otlp/write-otlp-file.js'),
      ]);
      await writeOtlpFile(path.resolve(io.cwd, otlp), encodeOtlpJson(mapTraceSpans(toSpanRecords(report.events))));
    }
    if (ctx.common.json) writeJson(io, report);
    else io.stdout.write((await import('./render-trace.js')).renderTrace(report, ctx.colors));
    if (follow !== undefined) return (await import('../follow/trace-follow.js')).followTrace(ctx, io, id, report, follow);
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
