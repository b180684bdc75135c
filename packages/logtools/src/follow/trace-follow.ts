import { EVENT } from '@logtrace/shared/schema';
import type { CliIo } from '../cli/cli-io.js';
import { escapeJsonText, type CommandContext } from '../cli/command-context.js';
import { renderErrorLine } from '../errors/render-errors.js';
import type { TraceReport } from '../trace/stitch-trace.js';
import type { FollowSettings } from './follow-logs.js';
import { LiveTraceMatcher } from './live-trace-matcher.js';
import { runFollow } from './run-follow.js';

/**
 * `trace -f <id>`: after the trace so far (`report`, or none when the id is not in
 * the logs yet), each new line of the request in the one-line form (NDJSON with
 * `--json`), until its `response_sent` (true) or the timeout (false, with a note).
 * A request already answered is not followed. Ctrl-C ends it too (true).
 */
export async function followTrace(
  ctx: CommandContext,
  io: CliIo,
  id: string,
  report: TraceReport | undefined,
  follow: { readonly settings: FollowSettings; readonly timeoutMs: number | undefined },
): Promise<boolean> {
  if (report?.events.some((e) => e['event'] === EVENT.response_sent)) return true;
  const known =
    report === undefined ? [] : [report.request_id ?? '', ...report.generation_ids, ...report.prompt_ids].filter((x) => x !== '');
  const matcher = new LiveTraceMatcher(id, known);
  const done = new AbortController();
  let timedOut = false;
  const timer =
    follow.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          done.abort();
        }, follow.timeoutMs);
  try {
    await runFollow(
      {
        inputs: ctx.inputs,
        common: ctx.common,
        settings: follow.settings,
        done: done.signal,
        items(items) {
          for (const item of items) {
            if (matcher.done || !matcher.take(item)) continue;
            io.stdout.write(
              ctx.common.json ? `${escapeJsonText(JSON.stringify(item.fields))}\n` : `${renderErrorLine(item.fields, ctx.colors)}\n`,
            );
            if (matcher.done) done.abort();
          }
        },
      },
      io,
    );
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
  if (timedOut && !matcher.done) {
    io.stderr.write(`logtrace: no response_sent for this request within --timeout\n`);
    return false;
  }
  return true;
}
