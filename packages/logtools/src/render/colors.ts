/** Styling functions; all identity when colour is off. */
export interface Colors {
  readonly enabled: boolean;
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly blue: (s: string) => string;
  readonly magenta: (s: string) => string;
  readonly cyan: (s: string) => string;
}

const sgr = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

/** ANSI colours when `enabled`, plain text otherwise. */
export function createColors(enabled: boolean): Colors {
  if (!enabled) {
    return { enabled, bold: plain, dim: plain, red: plain, green: plain, yellow: plain, blue: plain, magenta: plain, cyan: plain };
  }
  return {
    enabled,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    blue: sgr(34, 39),
    magenta: sgr(35, 39),
    cyan: sgr(36, 39),
  };
}

/**
 * Colour only on a terminal, never with `--no-color` or a non-empty NO_COLOR
 * (no-color.org), never for `--json`.
 */
export function shouldUseColor(options: {
  readonly isTTY: boolean | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly colorFlag: boolean;
  readonly json: boolean;
}): boolean {
  const noColor = options.env['NO_COLOR'];
  return options.isTTY === true && options.colorFlag && !options.json && (noColor === undefined || noColor === '');
}

/** Colours a level name: errors red, warnings yellow, debug dim. */
export function colorLevel(colors: Colors, level: string): string {
  if (level === 'ERROR' || level === 'FATAL') return colors.red(level);
  if (level === 'WARN') return colors.yellow(level);
  if (level === 'DEBUG') return colors.dim(level);
  return level;
}

/** Colours a service name, one colour per known service. */
export function colorService(colors: Colors, service: string): string {
  switch (service) {
    case 'backend':
      return colors.cyan(service);
    case 'gpu_server':
      return colors.magenta(service);
    case 'comfyui':
      return colors.blue(service);
    default:
      return service;
  }
}
