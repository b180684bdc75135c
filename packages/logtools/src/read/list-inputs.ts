import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../logtrace-error.js';
import { SERVICES } from '@logtrace/shared/schema';
import { parseLogName } from './parse-log-name.js';
import { detectWrapper, type Wrapper } from './unwrap-line.js';

/** One file to read. */
export interface InputFile {
  /** Path to open. */
  readonly path: string;
  /** Short name for reports (the file name in a directory, the path as given otherwise). */
  readonly name: string;
  readonly gz: boolean;
  /**
   * The file opened when it was listed (listInputs): every read of the command reads
   * this open file, so a file renamed or replaced meanwhile (log rotation) is still
   * read whole. Without it, each read opens `path`.
   */
  readonly fd?: number | undefined;
  /** Bytes when listed: reads stop there, so lines appended meanwhile are left for the next run. */
  readonly size?: number | undefined;
}

/** A log written by one producer: a rotation set read as one sequence, oldest file first. */
export interface LogSource {
  readonly kind: 'json' | 'comfyui';
  /** Service name the file name gives (`gpu_server.log` → `gpu_server`). */
  readonly service: string;
  readonly files: readonly InputFile[];
  /** How a container runtime or journald wrapped each line, when it did (JSON-lines sources). */
  readonly wrapper?: Wrapper | undefined;
  /** The directory the source was found in (undefined for files given with --file). */
  readonly dir?: string | undefined;
  /**
   * The host its records are on when they do not name one (hostDirLabels): the
   * directory's name when several directories are read, else undefined.
   */
  readonly host?: string | undefined;
}

/** Everything a command reads. */
export interface InputSet {
  /** JSON-lines sources by service name, then ComfyUI's log. */
  readonly sources: readonly LogSource[];
  /** `*.log` files left out, and why (e.g. startup.log is plain text); a directory of several without any log file. */
  readonly ignored: readonly { readonly path: string; readonly reason: string }[];
  /** Log files found in the directory (or given) that cannot be read, and why: a read error of the command. */
  readonly unreadable: readonly { readonly path: string; readonly reason: string }[];
}

/** Where to read from: explicit files, else one directory or several (one per machine). */
export interface InputOptions {
  readonly dir: string | readonly string[];
  readonly files?: readonly string[] | undefined;
}

/** Base name of the start script's plain-text log (scripts/startup.sh). */
const STARTUP_LOG = 'startup';

interface Found {
  readonly file: InputFile;
  /** Why the file cannot be read (it was not opened), or undefined. */
  readonly problem?: string | undefined;
  readonly kind: 'json' | 'comfyui';
  readonly service: string;
  readonly age: number;
  /** Index of the directory it was found in (0 for given files). */
  readonly dirIndex: number;
}

/**
 * Finds the log files to read: with `files`, exactly those; otherwise every `*.log`
 * in each directory of `dir` (several: one per machine, each source marked with its
 * directory and host label, hostDirLabels) with its rotations (`x.log.1`, `x.log.2.gz`, `x.log-20261128`), where
 * `comfyui.log` is ComfyUI's plain text and every other JSON-lines file counts,
 * whatever its name (a new `telegram_bot.log` needs no code change). A `*.log` in a
 * directory whose first lines do not look like JSON lines is ignored and listed
 * (startup.log, the start script's text log, is ignored without a word). Each file is
 * opened here, once (close them with closeInputs), up to MAX_HELD_FILES of them; one that cannot be opened, or is
 * not a regular file (a directory, FIFO or socket named `*.log`, a dangling or looping
 * symbolic link), is listed in `unreadable`. A missing directory or given file, or no
 * log file at all, is an InputError.
 */
export async function listInputs(options: InputOptions): Promise<InputSet> {
  const given = options.files !== undefined && options.files.length > 0;
  const dirs = uniqueDirs(options.dir);
  const hosts = dirs.length > 1 ? hostDirLabels(dirs) : [];
  const budget: DescriptorBudget = { left: MAX_HELD_FILES, refused: false };
  const ignored: { path: string; reason: string }[] = [];
  let listed: Found[];
  if (given) listed = await describeGivenFiles(options.files ?? [], budget);
  else {
    listed = [];
    try {
      // Every directory is checked before any is listed: a missing one stops the command, naming it.
      for (const dir of dirs) await checkDirectory(dir);
      for (const [i, dir] of dirs.entries()) {
        const found = await scanDirectory(dir, i, budget);
        listed.push(...found);
        // One machine's directory without logs among several is named, not fatal (the others still answer).
        if (found.length === 0 && dirs.length > 1) ignored.push({ path: dir, reason: `no log files: looked for ${LOOKED_FOR}` });
      }
    } catch (error) {
      closeFiles(listed.map((f) => f.file));
      throw error;
    }
  }
  // The system refused a descriptor: hold none, or the reads would find none left either.
  const all = budget.refused ? listed.map(releaseDescriptor) : listed;
  const unreadable = all.flatMap((f) => (f.problem === undefined ? [] : [{ path: f.file.path, reason: f.problem }]));
  const groups = new Map<string, Found[]>();
  for (const f of all) {
    if (f.problem !== undefined) continue;
    const key = `${f.dirIndex}\0${f.kind}\0${f.service}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const sources: (LogSource & { readonly dirIndex: number })[] = [];
  for (const members of groups.values()) {
    const sorted = [...members].sort((a, b) => a.age - b.age);
    const first = sorted[0] as Found;
    const files = sorted.map((m) => m.file);
    const sniffed = first.kind === 'json' ? sniffJsonLog(files) : { json: true as const, wrapper: undefined };
    // Never ignored: files given by name, and the logs of our own services (their bad lines are counted instead).
    if (!sniffed.json && !given && !(SERVICES as readonly string[]).includes(first.service)) {
      // startup.sh's own text log is expected in every log directory: skip it silently.
      if (first.service !== STARTUP_LOG) {
        for (const f of files) ignored.push({ path: f.path, reason: sniffed.reason });
      }
      closeFiles(files);
      continue;
    }
    sources.push({
      kind: first.kind,
      service: first.service,
      files,
      wrapper: sniffed.json ? sniffed.wrapper : undefined,
      dir: given ? undefined : dirs[first.dirIndex],
      host: hosts[first.dirIndex],
      dirIndex: first.dirIndex,
    });
  }
  // JSON lines first, then comfyui.log; directories in the order given; services by name.
  sources.sort((a, b) =>
    a.kind !== b.kind
      ? a.kind === 'json'
        ? -1
        : 1
      : a.dirIndex !== b.dirIndex
        ? a.dirIndex - b.dirIndex
        : compareNames(a.service, b.service),
  );
  if (sources.length === 0 && unreadable.length === 0) {
    const where = dirs.join(', ');
    const files = ignored.filter((f) => !dirs.includes(f.path));
    if (files.length > 0) {
      const reasons = files.map((f) => `${dirs.length > 1 ? f.path : path.basename(f.path)} (${f.reason})`).join(', ');
      throw new InputError(`no JSON-lines log in ${where}: ignored ${reasons}`, dirs[0] ?? where);
    }
    throw new InputError(`no log files in ${where} (looked for ${LOOKED_FOR})`, dirs[0] ?? where);
  }
  return { sources: sources.map(({ dirIndex: _, ...source }) => source), ignored, unreadable };
}

const LOOKED_FOR = '*.log, *.log.N, *.log.gz';

/** The directories to read, each once (a directory given twice is read once), in the order given. */
function uniqueDirs(dir: string | readonly string[]): string[] {
  const list = typeof dir === 'string' ? [dir] : [...dir];
  return list.filter((d, i) => list.indexOf(d) === i);
}

/**
 * The host each directory stands for: its name (`/mnt/gpu-2/logs` → `logs`, `/mnt/gpu-2`
 * → `gpu-2`), or, when several directories share a name, as many of their last path
 * components as make them differ (`gpu-1/logs`, `gpu-2/logs`).
 */
export function hostDirLabels(dirs: readonly string[]): string[] {
  const parts = dirs.map((d) =>
    path
      .resolve(d)
      .split(path.sep)
      .filter((p) => p !== ''),
  );
  const labelOf = (i: number, depth: number) => (parts[i] ?? []).slice(-depth).join('/') || '/';
  return dirs.map((_, i) => {
    const own = parts[i] ?? [];
    for (let depth = 1; depth < own.length; depth++) {
      const label = labelOf(i, depth);
      if (dirs.every((__, j) => j === i || labelOf(j, depth) !== label)) return label;
    }
    return own.join('/') || '/';
  });
}

/** A directory to list exists and is one, else an InputError naming it. */
async function checkDirectory(dir: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    throw new InputError(`cannot read log directory ${dir}: ${describeFsError(error)}`, dir, { cause: error });
  }
  if (!info.isDirectory()) throw new InputError(`cannot read log directory ${dir}: not a directory`, dir);
}

/** Closes the files listInputs opened. */
export function closeInputs(inputs: InputSet): void {
  for (const source of inputs.sources) closeFiles(source.files);
}

function closeFiles(files: readonly InputFile[]): void {
  for (const f of files) if (f.fd !== undefined) closeSync(f.fd);
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

async function scanDirectory(dir: string, dirIndex: number, budget: DescriptorBudget): Promise<Found[]> {
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
    const filePath = path.join(dir, entry.name);
    // A symbolic link counts when it points at a regular file (openListed checks).
    const { fd, size, problem } = entry.isFile() || entry.isSymbolicLink() ? openListed(filePath, budget) : { problem: NOT_REGULAR };
    found.push({
      file: { path: filePath, name: entry.name, gz: name.gz, fd, size },
      kind: name.kind,
      service: name.base,
      age: name.age,
      dirIndex,
      problem,
    });
  }
  return found;
}

/** The files given with --file; the first that is missing or not a file is an InputError (and none stays open). */
async function describeGivenFiles(files: readonly string[], budget: DescriptorBudget): Promise<Found[]> {
  const settled = await Promise.allSettled(files.map((f) => describeGivenFile(f, budget)));
  const failed = settled.find((r) => r.status === 'rejected');
  const found = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  if (failed === undefined) return found;
  closeFiles(found.map((f) => f.file));
  throw failed.reason;
}

async function describeGivenFile(filePath: string, budget: DescriptorBudget): Promise<Found> {
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
  const { fd, size, problem } = openListed(filePath, budget);
  return { file: { path: filePath, name: filePath, gz, fd, size }, kind, service, age: name?.age ?? 0, dirIndex: 0, problem };
}

const NOT_REGULAR = 'not a regular file';

/**
 * Files held open from listing to the end of a command. A directory of years of
 * rotations can hold thousands of files, more than the process may open (often
 * 1024); past this many a file is listed by its path and size and opened only while
 * it is read, and once the system refuses a descriptor, every file is.
 */
export const MAX_HELD_FILES = 256;

/** Descriptors listInputs may still hold, and whether the system refused one. */
interface DescriptorBudget {
  left: number;
  refused: boolean;
}

/** The same file listed by path (its descriptor closed; the size it had is kept). */
function releaseDescriptor(found: Found): Found {
  if (found.file.fd === undefined) return found;
  closeSync(found.file.fd);
  return { ...found, file: { ...found.file, fd: undefined } };
}

/**
 * Opens a listed file for the whole command, or says why it cannot be read. Non-blocking,
 * so that a FIFO put in place of the file cannot hang the open (fstat then rejects it).
 * Without a descriptor to spare, only its size is taken (statListed).
 */
function openListed(filePath: string, budget: DescriptorBudget): { fd?: number; size?: number; problem?: string } {
  if (budget.left <= 0) return statListed(filePath);
  let fd: number;
  try {
    fd = openSync(filePath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code !== 'EMFILE' && code !== 'ENFILE') return { problem: describeFsError(error) };
    budget.left = 0;
    budget.refused = true;
    return statListed(filePath);
  }
  const info = fstatSync(fd);
  if (!info.isFile()) {
    closeSync(fd);
    return { problem: NOT_REGULAR };
  }
  budget.left--;
  return { fd, size: info.size };
}

/** A file listed by path: its size now (reads stop there), or why it cannot be read. */
function statListed(filePath: string): { size?: number; problem?: string } {
  try {
    const info = statSync(filePath);
    return info.isFile() ? { size: info.size } : { problem: NOT_REGULAR };
  } catch (error) {
    return { problem: describeFsError(error) };
  }
}

/** Bytes and lines looksLikeJsonLines reads. */
const SNIFF_BYTES = 64 * 1024;
const SNIFF_LINES = 20;

/** What the first lines of a log say it is: JSON lines (maybe wrapped), or not, and why. */
type Sniffed = { readonly json: true; readonly wrapper: Wrapper | undefined } | { readonly json: false; readonly reason: string };

/**
 * Sniffs the newest plain file of a set from its first 20 non-blank lines (in its first
 * 64 KiB, after a BOM, NULs or blanks): lines a container runtime or journald wrapped
 * (detectWrapper), or JSON lines if at least half of them start with `{`, or if it has
 * none. Half, not all: a torn or damaged first line must not hide the file.
 */
function sniffJsonLog(files: readonly InputFile[]): Sniffed {
  const plain = [...files].reverse().find((f) => !f.gz);
  if (plain === undefined) return { json: true, wrapper: undefined };
  const buf = Buffer.alloc(SNIFF_BYTES);
  let bytesRead = 0;
  let fd = plain.fd;
  try {
    fd ??= openSync(plain.path, constants.O_RDONLY | constants.O_NONBLOCK);
    bytesRead = readSync(fd, buf, 0, Math.min(buf.length, plain.size ?? buf.length), 0);
  } catch {
    return { json: true, wrapper: undefined };
  } finally {
    if (plain.fd === undefined && fd !== undefined) closeSync(fd);
  }
  const lines = buf
    .toString('utf8', 0, bytesRead)
    .replace(/^\ufeff/, '')
    .split('\n')
    .map((line) => line.replace(/^[\s\0]+/, '').replace(/\r$/, ''))
    .filter((line) => line !== '')
    .slice(0, SNIFF_LINES);
  const wrapper = detectWrapper(lines);
  if (wrapper !== undefined) return { json: true, wrapper };
  const notObjects = lines.filter((line) => !line.startsWith('{')).length;
  if (notObjects * 2 <= lines.length) return { json: true, wrapper: undefined };
  return { json: false, reason: `not JSON lines: ${notObjects} of the first ${lines.length} lines are not objects` };
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
    case 'ENXIO':
      return NOT_REGULAR;
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
