import path from 'node:path';
import { machineTimeZone, resolveTimeZone, type TimeZone } from '@logtrace/shared/schema';
import type { Argv, Options } from 'yargs';
import { UsageError } from '../logtrace-error.js';
import type { CliIo } from './cli-io.js';
import type { ParsedArgs } from './command-spec.js';

/** The options every command takes, as yargs options (the quick parser reads them too). */
export const COMMON_OPTIONS: Readonly<Record<string, Options>> = {
  dir: {
    type: 'string',
    array: true,
    describe:
      'Log directory: every *.log JSON-lines file in it (with rotations .1, .gz) plus comfyui.log; repeatable, one per machine ' +
      "(records without a host field are on the directory's host) [default: $LOGTRACE_DIR (several separated by ':'), else ./logs]",
  },
  file: {
    type: 'string',
    array: true,
    describe: 'Read this file instead of a directory (repeatable; comfyui*.log is read as ComfyUI text)',
  },
  since: { type: 'string', describe: 'Only records at or after this time: ISO (2026-11-28T05:00:00Z), a date, or relative (2h, 30m)' },
  until: { type: 'string', describe: 'Only records before this time (same forms as --since)' },
  json: { type: 'boolean', default: false, describe: 'Machine-readable JSON on stdout (shapes in the README)' },
  strict: {
    type: 'boolean',
    default: false,
    describe: 'Examine every line of every file; exit 1 if any was unusable (output still printed)',
  },
  color: { type: 'boolean', default: true, describe: 'Colour on a terminal (--no-color or NO_COLOR turn it off)' },
  tz: {
    type: 'string',
    describe: "Zone of JSON times written without one (asctime): UTC, ±HH:MM or an IANA name [default: this machine's zone]",
  },
  'comfyui-tz': {
    type: 'string',
    describe: "Zone of comfyui.log stamps without one (ComfyUI-Manager's) [default: --tz's value]",
  },
  cache: {
    type: 'boolean',
    default: true,
    describe:
      'Start from what earlier runs learned of each file and read only the bytes appended since (--no-cache reads every file whole and leaves the cache alone) [$LOGTRACE_CACHE_DIR, else $XDG_CACHE_HOME/logtrace, else ~/.cache/logtrace]',
  },
  verbose: { type: 'boolean', default: false, describe: 'Say on stderr why the cache was not used or updated for a file' },
};

/** Adds the options every command takes. */
export function addCommonOptions(yargs: Argv): Argv {
  return yargs.options(COMMON_OPTIONS).group([...Object.keys(COMMON_OPTIONS), 'help'], 'Common options:');
}

/** The common options, read and checked. */
export interface CommonArgs {
  /** The log directories, absolute, at least one. */
  readonly dirs: readonly string[];
  readonly files: readonly string[] | undefined;
  readonly since: string | undefined;
  readonly until: string | undefined;
  readonly json: boolean;
  readonly strict: boolean;
  readonly color: boolean;
  /** Zone of JSON-lines times written without one (`--tz`, else this machine's). */
  readonly timeZone: TimeZone;
  /** Zone of comfyui.log stamps written without one (`--comfyui-tz`, else timeZone). */
  readonly comfyuiTimeZone: TimeZone;
}

/**
 * Reads the common options; the directories default to $LOGTRACE_DIR (`:`-separated,
 * empty parts ignored), else ./logs; the zones to this machine's (`TZ`, else the system's).
 */
export function readCommonArgs(args: ParsedArgs, io: CliIo): CommonArgs {
  const files = args['file'];
  const given = stringList(args, 'dir');
  const fromEnv = (io.env['LOGTRACE_DIR'] ?? '').split(':').filter((d) => d !== '');
  const dirs = given ?? (fromEnv.length > 0 ? fromEnv : ['./logs']);
  const timeZone = zoneOption(args, 'tz') ?? machineTimeZone(io.env, process.env['TZ']);
  return {
    dirs: dirs.map((d) => path.resolve(io.cwd, d)),
    files: Array.isArray(files) ? files.map((f) => path.resolve(io.cwd, String(f))) : undefined,
    since: optionalString(args, 'since'),
    until: optionalString(args, 'until'),
    json: args['json'] === true,
    strict: args['strict'] === true,
    color: args['color'] !== false,
    timeZone,
    comfyuiTimeZone: zoneOption(args, 'comfyui-tz') ?? timeZone,
  };
}

/** A time-zone option (resolveTimeZone), or undefined when not given; an unknown zone is a usage error. */
function zoneOption(args: ParsedArgs, name: string): TimeZone | undefined {
  const text = optionalString(args, name);
  if (text === undefined) return undefined;
  const zone = resolveTimeZone(text);
  if (zone === undefined) {
    throw new UsageError(`--${name}: expected UTC, an offset such as +05:30, or an IANA zone name such as Europe/Berlin, got "${text}"`);
  }
  return zone;
}

/** A repeatable string option, or undefined when not given; an empty value is a usage error. */
export function stringList(args: ParsedArgs, name: string): string[] | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  const values: unknown[] = Array.isArray(value) ? value : [value];
  if (values.length === 0) throw new UsageError(`--${name}: expected a value`);
  return values.map((v) => {
    if (typeof v !== 'string' && typeof v !== 'number') throw new UsageError(`--${name}: expected a value`);
    const text = String(v);
    if (text.trim() === '') throw new UsageError(`--${name}: expected a value, got an empty string`);
    return text;
  });
}

/** A string option, or undefined; an empty value is a usage error. */
export function optionalString(args: ParsedArgs, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw new UsageError(`--${name}: expected one value`);
  const text = String(value);
  if (text.trim() === '') throw new UsageError(`--${name}: expected a value, got an empty string`);
  return text;
}

/** A whole number option ≥ 0. */
export function countOption(args: ParsedArgs, name: string, fallback: number): number {
  const value = args[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new UsageError(`--${name}: expected a whole number ≥ 0, got ${Number.isNaN(value) ? 'something else' : String(value)}`);
  }
  return value;
}
