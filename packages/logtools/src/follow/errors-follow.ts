import type { CliIo } from '../cli/cli-io.js';
import { escapeJsonText, type CommandContext } from '../cli/command-context.js';
import type { ErrorFilter, ErrorGroup } from '../errors/error-grouper.js';
import { renderErrorLine } from '../errors/render-errors.js';
import type { FollowSettings } from './follow-logs.js';
import { LiveErrorGroups } from './live-error-groups.js';
import { runFollow } from './run-follow.js';

/**
 * `errors -f`: after the report, each new error as it is logged. Grouped (`groups`
 * given), each says whether it starts a group (`new group`) or how many its group has
 * now; `--json` gives one object per error ({kind, count, group, error}). With
 * `--no-group`, each error in the one-line form (NDJSON with `--json`), as before.
 */
export async function followErrors(
  ctx: CommandContext,
  io: CliIo,
  settings: FollowSettings,
  filter: ErrorFilter,
  groups: readonly ErrorGroup[] | undefined,
): Promise<void> {
  const live = new LiveErrorGroups(filter, groups ?? []);
  await runFollow(
    {
      inputs: ctx.inputs,
      common: ctx.common,
      settings,
      items(items) {
        for (const item of items) {
          const error = live.take(item);
          if (error === undefined) continue;
          if (groups === undefined) {
            io.stdout.write(
              ctx.common.json ? `${escapeJsonText(JSON.stringify(item.fields))}\n` : `${renderErrorLine(item.fields, ctx.colors)}\n`,
            );
          } else if (ctx.common.json) {
            io.stdout.write(`${escapeJsonText(JSON.stringify({ ...error, error: item.fields }))}\n`);
          } else {
            const mark = error.kind === 'new_group' ? ctx.colors.bold('new group') : `${String(error.count).padStart(9)}`;
            io.stdout.write(`${mark}  ${renderErrorLine(item.fields, ctx.colors)}\n`);
          }
        }
      },
    },
    io,
  );
}
