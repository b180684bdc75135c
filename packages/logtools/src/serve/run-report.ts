import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CliIo } from '../cli/cli-io.js';
import type { ParsedArgs } from '../cli/command-spec.js';
import { countOption, optionalString, readCommonArgs } from '../cli/common-options.js';
import { parseDuration } from '../core/parse-duration.js';
import { withScanThreads } from '../engine/scan-pool.js';
import { EXIT_CODES, InputError, UsageError } from '../logtrace-error.js';
import type { TraceJson } from '../trace/trace-handler.js';
import { reportHtml } from './report-html.js';
import { ViewLoader } from './view-loader.js';
import { loadWebAssets } from './web-assets.js';

/** Most traces a report may include. */
const MAX_TOP = 50;

/** `logtrace report --html FILE`: computes the overview and the slowest traces as the server does and writes one self-contained file. */
export async function runReport(args: ParsedArgs, io: CliIo): Promise<number> {
  const file = optionalString(args, 'html');
  if (file === undefined) throw new UsageError('report: --html FILE is required (the only format so far)');
  const top = countOption(args, 'top', 5);
  if (top > MAX_TOP) throw new UsageError(`--top: at most ${MAX_TOP}, got ${top}`);
  const maxWindowMs = parseDuration(optionalString(args, 'max-window') ?? '7d', '--max-window');
  const common = readCommonArgs(args, io);
  const query: Record<string, string[]> = {};
  if (common.since !== undefined) query['since'] = [common.since];
  if (common.until !== undefined) query['until'] = [common.until];
  const assets = loadWebAssets();
  return withScanThreads(io.env, async (threads) => {
    const loader = new ViewLoader({ dir: common.dirs, files: common.files, env: io.env, cwd: io.cwd, maxWindowMs, threads, now: io.now });
    const overview = await loader.overview(query);
    const traces: TraceJson[] = [];
    for (const item of overview.perf.slow.items.slice(0, top)) {
      const id = item.request_id ?? item.generation_id ?? item.prompt_id;
      if (id !== null) traces.push(await loader.trace(id, {}));
    }
    const html = reportHtml({ window: overview.window, overview, traces, written_at: new Date(io.now()).toISOString() }, assets);
    const target = path.resolve(io.cwd, file);
    try {
      await writeFile(target, html);
    } catch (error) {
      throw new InputError(`cannot write ${target}: ${error instanceof Error ? error.message : String(error)}`, target, { cause: error });
    }
    io.stdout.write(
      `logtrace report: wrote ${target} (${Math.round(html.length / 1024)} KB: ${overview.perf.generation.count} generations, ` +
        `${overview.errors.total} errors, ${traces.length} traces, ${overview.window.since} → ${overview.window.until ?? overview.window.latest})\n`,
    );
    return overview.perf.generation.count > 0 || overview.errors.total > 0 ? EXIT_CODES.ok : EXIT_CODES.notFound;
  });
}
