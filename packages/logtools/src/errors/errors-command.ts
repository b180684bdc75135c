import type { CommandSpec } from '../cli/command-spec.js';
import { UsageError } from '../logtrace-error.js';

/** `logtrace errors`: errors of every service and ComfyUI's exceptions and rejected prompts, grouped. */
export const errorsCommand: CommandSpec = {
  command: 'errors',
  describe: 'Errors of every service plus ComfyUI exceptions and rejected prompts, grouped and counted',
  options: {
    level: { type: 'string', default: 'error', describe: 'Lowest level reported: warn adds warnings such as validation_error' },
    service: { type: 'string', array: true, describe: 'Only this service (repeatable): backend, gpu_server, comfyui, ...' },
    group: { type: 'boolean', default: true, describe: 'Group and count (--no-group lists every error, in time order; NDJSON with --json)' },
  },
  builder: (yargs) =>
    yargs
      .options(errorsCommand.options)
      .example('$0 errors', 'Error groups over ./logs (or $LOGTRACE_DIR), most frequent first')
      .example('$0 errors --since 1h --level warn', 'The last hour, warnings included')
      .example('$0 errors --service comfyui', "ComfyUI's exceptions (type, message, last frame) and rejected prompts")
      .example('$0 errors --no-group --json | jq -r .request_id', 'One JSON line per error, for a script')
      .epilogue(
        'Groups are keyed by service, event, error_code and the message with ids, numbers, addresses and paths masked; ' +
          'ComfyUI exceptions by exception type, message and the traceback\'s last frame. Exit 1 when there is no error.',
      ),
  async run(args, io) {
    const { withScanThreads } = await import('../engine/scan-pool.js');
    return withScanThreads(io.env, async (threads) => {
      const [{ withInputs, finishCommand, writeJson, escapeJsonText }, { optionalString }, { scanErrors, streamErrors }, { summarizeInput }, { renderErrors, renderErrorLine }, { normalizeLevel }] =
        await Promise.all([
          import('../cli/command-context.js'),
          import('../cli/common-options.js'),
          import('./scan-errors.js'),
          import('../read/file-stats.js'),
          import('./render-errors.js'),
          import('@logtrace/shared/schema'),
        ]);
      const levelText = optionalString(args, 'level') ?? 'error';
      const minLevel = normalizeLevel(levelText);
      if (minLevel === undefined) throw new UsageError(`--level: expected debug, info, warn, error or fatal, got "${levelText}"`);
      const services = Array.isArray(args['service']) ? new Set(args['service'].map(String)) : undefined;
      return withInputs(args, io, threads, async (ctx) => {
        const options = { strict: ctx.common.strict, filter: { minLevel, services, window: ctx.window } };
        if (args['group'] === false) {
          const items = streamErrors(ctx.inputs, options, ctx.stats);
          const count = ctx.common.json
            ? await writeNdjson(items, (text) => io.stdout.write(escapeJsonText(text)))
            : await writeLines(items, (item) => io.stdout.write(`${renderErrorLine(item.fields, ctx.colors)}\n`));
          return finishCommand(ctx, io, count > 0);
        }
        const { report, unplaced } = await scanErrors(ctx.inputs, options, ctx.stats, ctx.threads);
        if (ctx.common.json) writeJson(io, { ...report, input: summarizeInput(ctx.stats) });
        else io.stdout.write(renderErrors(report, ctx.colors, { minLevel, width: ctx.width }));
        if (unplaced > 0) {
          io.stderr.write(`logtrace: left out ${unplaced} unstamped comfyui.log ${unplaced === 1 ? 'problem' : 'problems'}: without a time they cannot be checked against --since/--until\n`);
        }
        return finishCommand(ctx, io, report.total > 0);
      });
    });
  },
};

/** Writes each item with `write`; returns how many there were. */
async function writeLines<T>(items: AsyncIterable<T>, write: (item: T) => void): Promise<number> {
  let count = 0;
  for await (const item of items) {
    write(item);
    count++;
  }
  return count;
}

/** Streams items' fields as NDJSON (one JSON object per line) through ndjson's stringify. */
async function writeNdjson(items: AsyncIterable<{ readonly fields: unknown }>, write: (text: string) => void): Promise<number> {
  const { default: ndjson } = await import('ndjson');
  const out = ndjson.stringify();
  out.on('data', (line: unknown) => write(String(line)));
  const count = await writeLines(items, (item) => out.write(item.fields));
  await new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
    out.end();
  });
  return count;
}
