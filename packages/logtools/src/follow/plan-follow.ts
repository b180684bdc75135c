import path from 'node:path';
import { hostDirLabels, type InputSet } from '../read/list-inputs.js';
import { parseLogName } from '../read/parse-log-name.js';
import type { TailStart } from './file-tail.js';
import type { FollowZones, LiveSourceKind } from './live-source.js';

/** Base name of the start script's plain-text log, which is never followed (as listInputs skips it). */
export const STARTUP_LOG = 'startup';

/** A file to follow from the start of following. */
export interface FollowFile extends LiveSourceKind {
  readonly path: string;
  readonly start: TailStart;
}

/** Where follow mode looks for logs, and what it hands on. */
export interface FollowPlan {
  /** Directories whose new `*.log` files are followed as they appear, with the host each stands for (none with --file). */
  readonly dirs: readonly { readonly dir: string; readonly host: string | undefined }[];
  readonly files: readonly FollowFile[];
  /** Paths never followed (files listInputs ignored: not JSON lines, startup.log). */
  readonly skip: ReadonlySet<string>;
  /** Zones of times written without one, as the command reads them. */
  readonly zones?: FollowZones | undefined;
}

/**
 * The live files to follow of an InputSet: each source's current file (not a `.N`,
 * dated or `.gz` rotation), read on from where the listing ended (`start: 'listed'`)
 * or from its end.
 */
export function planFollow(
  inputs: InputSet | undefined,
  dirs: readonly string[] | undefined,
  from: 'listed' | 'end',
  zones?: FollowZones,
): FollowPlan {
  const files: FollowFile[] = [];
  const skip = new Set<string>();
  for (const source of inputs?.sources ?? []) {
    for (const file of source.files) {
      if (!isLiveName(file.path) && dirs !== undefined) continue;
      if (file.gz) continue;
      let start: TailStart = { at: 'end' };
      if (from === 'listed' && file.fd !== undefined) start = { at: 'open', fd: file.fd, position: file.size ?? 0 };
      else if (from === 'listed' && file.size !== undefined) start = { at: 'position', position: file.size };
      files.push({ kind: source.kind, service: source.service, wrapper: source.wrapper, host: source.host, path: file.path, start });
    }
  }
  for (const f of inputs?.ignored ?? []) skip.add(f.path);
  const hosts = dirs !== undefined && dirs.length > 1 ? hostDirLabels(dirs) : [];
  return { dirs: (dirs ?? []).map((dir, i) => ({ dir, host: hosts[i] })), files, skip, zones };
}

function isLiveName(filePath: string): boolean {
  const name = parseLogName(path.basename(filePath));
  return name !== undefined && !name.gz && name.age === Number.MAX_SAFE_INTEGER;
}
