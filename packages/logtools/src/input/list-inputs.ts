import { readdir, stat, open } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { parseLogName } from './parse-log-name.js';

/** One file to read. */
export interface InputFile {
  /** Path to open. */
  readonly path: string;
  /** Short name for reports (the file name in a directory, the path as given otherwise). */
  readonly name: string;
  readonly gz: boolean;
}

/** A log written by one producer: a rotation set read as one sequence, oldest file first. */
export interface LogSource {
  readonly kind: 'json' | 'comfyui';
  /** Service name the file name gives (`gpu_server.log` → `gpu_server`). */
  readonly service: string;
  readonly files: readonly InputFile[];
}

/** Everything a command reads. */
export interface InputSet {
  /** JSON-lines sources by service name, then ComfyUI's log. */
  readonly sources: readonly LogSource[];
  /** `*.log` files left out, and why (e.g. startup.log is plain text). */
  readonly ignored: readonly { readonly path: string; readonly reason: string }[];
}

/** Where to read from: explicit files, else a directory. */
export interface InputOptions {
  readonly dir: string;
  readonly files?: readonly string[] | undefined;
}

/** Base name of the start script's plain-text log (scripts/startup.sh). */
const STARTUP_LOG = 'startup';

interface Found {
  readonly file: InputFile;
  readonly kind: 'json' | 'comfyui';
  readonly service: string;
  readonly age: number;
}

/**
 * Finds the log files to read: with `files`, exactly those; otherwise every `*.log`
 * in `dir` with its rotations (`x.log.1`, `x.log.2.gz`, `x.log-20261128`), where
 * `comfyui.log` is ComfyUI's plain text and every other JSON-lines file counts,
 * whatever its name (a new `telegram_bot.log` needs no code change). A `*.log` in a
 * directory whose content does not start like JSON lines is ignored and listed
 * (startup.log, the start script's text log, is ignored without a word). A missing directory or file, or no log files at all, is an
 * InputError.
 */
export async function listInputs(options: InputOptions): Promise<InputSet> {
  const found = options.files !== undefined && options.files.length > 0
    ? await Promise.all(options.files.map(describeGivenFile))
    : await scanDirectory(options.dir);
  const groups = new Map<string, Found[]>();
  for (const f of found) {
    const key = `${f.kind}\0${f.service}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const sources: LogSource[] = [];
  const ignored: { path: string; reason: string }[] = [];
  for (const members of groups.values()) {
    const sorted = [...members].sort((a, b) => a.age - b.age);
    const first = sorted[0] as Found;
    const source: LogSource = { kind: first.kind, service: first.service, files: sorted.map((m) => m.file) };
    if (options.files === undefined || options.files.length === 0) {
      if (first.kind === 'json' && !(await looksLikeJsonLines(source.files))) {
        // startup.sh's own text log is expected in every log directory: skip it silently.
        if (first.service !== STARTUP_LOG) {
          for (const f of source.files) ignored.push({ path: f.path, reason: 'not JSON lines' });
        }
        continue;
      }
    }
    sources.push(source);
  }
  sources.sort((a, b) => (a.kind === b.kind ? compareNames(a.service, b.service) : a.kind === 'json' ? -1 : 1));
  if (sources.length === 0) {
    throw new InputError(`no log files in ${options.dir} (looked for *.log, *.log.N, *.log.gz)`, options.dir);
  }
  return { sources, ignored };
}

/**
 * Alphabetical order of file-derived names, ignoring case first (lower case first on a
 * tie). Not localeCompare: its first call loads ICU's collator, 15 ms of startup.
 */
function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a === b ? 0 : a > b ? -1 : 1;
}

async function scanDirectory(dir: string): Promise<Found[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new InputError(`cannot read log directory ${dir}: ${describeFsError(error)}`, dir, { cause: error });
  }
  const found: Found[] = [];
  for (const entry of entries) {
    const name = parseLogName(entry.name);
    if (name === undefined) continue;
    // A symlinked log counts when it points at a regular file.
    if (!entry.isFile() && !(entry.isSymbolicLink() && (await stat(path.join(dir, entry.name)).catch(() => undefined))?.isFile() === true)) continue;
    found.push({
      file: { path: path.join(dir, entry.name), name: entry.name, gz: name.gz },
      kind: name.kind,
      service: name.base,
      age: name.age,
    });
  }
  return found;
}

async function describeGivenFile(filePath: string): Promise<Found> {
  let info;
  try {
    info = await stat(filePath);
  } catch (error) {
    throw new InputError(`cannot read ${filePath}: ${describeFsError(error)}`, filePath, { cause: error });
  }
  if (!info.isFile()) throw new InputError(`cannot read ${filePath}: not a regular file`, filePath);
  const base = path.basename(filePath);
  const name = parseLogName(base);
  const gz = name?.gz ?? base.endsWith('.gz');
  const service = name?.base ?? base.replace(/\.gz$/, '').replace(/\.[^.]*$/, '');
  const kind = name?.kind ?? (service.startsWith('comfyui') ? 'comfyui' : 'json');
  return { file: { path: filePath, name: filePath, gz }, kind, service, age: name?.age ?? 0 };
}

/** Sniffs the newest plain file of a set: JSON lines start with `{` (after a BOM, NULs or blanks). */
async function looksLikeJsonLines(files: readonly InputFile[]): Promise<boolean> {
  const plain = [...files].reverse().find((f) => !f.gz);
  if (plain === undefined) return true;
  const handle = await open(plain.path, 'r').catch(() => undefined);
  if (handle === undefined) return true;
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const text = buf.toString('latin1', 0, bytesRead).replace(/^\xef\xbb\xbf/, '');
    const first = /[^\s\0]/.exec(text);
    return first === null || first[0] === '{';
  } finally {
    await handle.close();
  }
}

/** A one-line reason for a failed file-system call, without a stack. */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EISDIR':
      return 'is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
