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

/** ComfyUI-Manager's rotations of `comfyui.log` / `comfyui_<port>.log`: `.prev` then `.prev2`, older each start. */
const MANAGER_ROTATION = /^(?<base>comfyui(?:_\d{1,5})?)\.(?<prev>prev2?)\.log$/;

/** ComfyUI's log: `comfyui`, or ComfyUI-Manager's `comfyui_<port>` for a ComfyUI started with `--port`. */
const COMFYUI_BASE = /^comfyui(?:_\d{1,5})?$/;

/** Rotated files by date sort after every numbered one would be odd; dates are far larger. */
const LIVE_AGE = Number.MAX_SAFE_INTEGER;

/**
 * Reads a file name such as `backend.log`, `backend.log.1`, `backend.log.2.gz` or
 * `backend.log-20261128.gz`. Returns undefined for names that are not logs.
 * `comfyui.log` and ComfyUI-Manager's `comfyui_<port>.log` (and their rotations,
 * Manager's `comfyui.prev.log` and `comfyui.prev2.log` included) are ComfyUI's
 * plain-text log; every other `*.log` is taken as JSON lines.
 */
export function parseLogName(fileName: string): LogName | undefined {
  const manager = MANAGER_ROTATION.exec(fileName)?.groups;
  if (manager !== undefined) {
    return { base: manager['base'] ?? 'comfyui', kind: 'comfyui', gz: false, age: LIVE_AGE - (manager['prev'] === 'prev' ? 2 : 3) };
  }
  const m = LOG_NAME.exec(fileName);
  if (m?.groups === undefined) return undefined;
  const { base = '', num, date, gz } = m.groups;
  if (base === '' || base.startsWith('.')) return undefined;
  let age = LIVE_AGE;
  if (num !== undefined) age = LIVE_AGE - 1 - Number(num);
  else if (date !== undefined) age = Number(date);
  return { base, kind: COMFYUI_BASE.test(base) ? 'comfyui' : 'json', gz: gz !== undefined, age };
}
