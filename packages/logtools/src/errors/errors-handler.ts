import { normalizeLevel, type Level } from '@logtrace/shared/schema';
import type { ScanHandler } from '../cli/define-scan-command.js';
import { describeInput, escapeJsonText, writeJson } from '../cli/command-context.js';
import { optionalString, stringList } from '../cli/common-options.js';
import { UsageError } from '../logtrace-error.js';
import { renderErrorLine, renderErrors } from './render-errors.js';
import { scanErrors, streamErrors, type ErrorScanOptions, type ErrorScanResult } from './scan-errors.js';
import type { CommandContext } from '../cli/command-context.js';
import type { ErrorsReport } from './error-grouper.js';

/** errors' own arguments, checked. */
export interface ErrorsArgs {
  readonly minLevel: Level;
  readonly services: ReadonlySet<string> | undefined;
  readonly hosts: ReadonlySet<string> | undefined;
  readonly group: boolean;
  readonly full: boolean;
}

/** `logtrace errors`: scan → groups (or each error, `--no-group`) → table, lines or JSON. */
export const errorsHandler: ScanHandler<ErrorsArgs> = {
  prepare(args) {
    const levelText = optionalString(args, 'level') ?? 'error';
    const minLevel = normalizeLevel(levelText);
    if (minLevel === undefined) throw new UsageError(`--level: expected debug, info, warn, error or fatal, got "${levelText}"`);
    const services = Array.isArray(args['service']) ? new Set(args['service'].map(String)) : undefined;
    const hostList = stringList(args, 'host');
    return {
      minLevel,
      services,
      hosts: hostList === undefined ? undefined : new Set(hostList),
      group: args['group'] !== false,
      full: args['full'] === true,
    };
  },
  async run(ctx, { minLevel, services, hosts, group, full }, io) {
    const options = scanOptions(ctx, { minLevel, services, hosts, full });
    if (!group) {
      const items = streamErrors(ctx.inputs, options, ctx.stats);
      // Several directories: one line per error names its machine (the JSON lines always carry a known host).
      const showHost = ctx.inputs.sources.some((s) => s.host !== undefined);
      const count = ctx.common.json
        ? await writeNdjson(items, (text) => io.stdout.write(escapeJsonText(text)))
        : await writeLines(items, (item) => io.stdout.write(`${renderErrorLine(item.fields, ctx.colors, full, showHost)}\n`));
      return count > 0;
    }
    const { json: report, unplaced } = await computeErrors(ctx, { minLevel, services, hosts, group, full });
    if (ctx.common.json) writeJson(io, report);
    else io.stdout.write(renderErrors(report, ctx.colors, { minLevel, width: ctx.width, full }));
    if (unplaced > 0) {
      io.stderr.write(
        `logtrace: left out ${unplaced} unstamped comfyui.log ${unplaced === 1 ? 'problem' : 'problems'}: without a time they cannot be checked against --since/--until\n`,
      );
    }
    return report.total > 0;
  },
};

/** errors' `--json` document (grouped): the groups and what was read. */
export type ErrorsJson = ErrorsReport & { readonly input: ReturnType<typeof describeInput> };

/**
 * Computes errors' grouped `--json` document from open inputs, with the scan's other
 * findings: the one code path of `logtrace errors` and `logtrace serve`'s /api/errors.
 */
export async function computeErrors(
  ctx: CommandContext,
  { minLevel, services, hosts, full }: ErrorsArgs,
): Promise<Omit<ErrorScanResult, 'report'> & { json: ErrorsJson }> {
  const options = scanOptions(ctx, { minLevel, services, hosts, full });
  const { report, ...rest } = await scanErrors(ctx.inputs, options, ctx.stats, ctx.threads);
  return { ...rest, json: { ...report, input: describeInput(ctx) } };
}

function scanOptions(
  ctx: CommandContext,
  { minLevel, services, hosts, full }: Pick<ErrorsArgs, 'minLevel' | 'services' | 'hosts' | 'full'>,
): ErrorScanOptions {
  return {
    strict: ctx.common.strict,
    full,
    filter: { minLevel, services, hosts, window: ctx.window },
    timeZone: ctx.common.timeZone,
    comfyuiTimeZone: ctx.common.comfyuiTimeZone,
  };
}

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
