/** What a log file's name says about it. */
export interface LogName {
  /** Name without `.log` and any rotation suffix, e.g. `gpu_server`; the default service. */
  readonly base: string;
  /** `comfyui` for ComfyUI's plain-text log, `json` for JSON-lines logs. */
  readonly kind: 'json' | 'comfyui';
  /** True for gzip-compressed files (`.gz`). */
  readonly gz: boolean;
  /**
   * Sort key within a rotation set, oldest first: rotated files by number descending
   * (`x.log.3` before `x.log.1`) or date ascending (`x.log-20261127`), the live file last.
   */
  readonly age: number;
}

const LOG_NAME = /^(?<base>.+?)\.log(?:(?:\.(?<num>\d{1,6}))|(?:-(?<date>\d{8})(?:-?\d{1,6})?))?(?<gz>\.gz)?$/;

/** Rotated files by date sort after every numbered one would be odd; dates are far larger. */
const LIVE_AGE = Number.MAX_SAFE_INTEGER;

/**
 * Reads a file name such as `backend.log`, `backend.log.1`, `backend.log.2.gz` or
 * `backend.log-20261128.gz`. Returns undefined for names that are not logs.
 * `comfyui.log` (and its rotations) is ComfyUI's plain-text log; every other `*.log`
 * is taken as JSON lines.
 */
export function parseLogName(fileName: string): LogName | undefined {
  const m = LOG_NAME.exec(fileName);
  if (m?.groups === undefined) return undefined;
  const { base = '', num, date, gz } = m.groups;
  if (base === '' || base.startsWith('.')) return undefined;
  let age = LIVE_AGE;
  if (num !== undefined) age = LIVE_AGE - 1 - Number(num);
  else if (date !== undefined) age = Number(date);
  return { base, kind: base === 'comfyui' ? 'comfyui' : 'json', gz: gz !== undefined, age };
}
