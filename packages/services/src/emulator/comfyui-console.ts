/** One entry of ComfyUI's in-memory log buffer (`GET /internal/logs/raw`). */
export interface LogEntry {
  /** Local time, ISO without zone, microseconds (Python's `datetime.now().isoformat()`). */
  readonly t: string;
  /** The text written, newline included. */
  readonly m: string;
}

/** A tqdm bar on stderr, as ComfyUI's samplers print it. */
export interface ProgressBar {
  /** Redraws the bar at `n` of its total after `elapsedMs`. */
  update(n: number, elapsedMs: number): void;
  /** Ends the bar's line. */
  close(): void;
}

/** ComfyUI's console: bare `%(message)s` lines on stderr, plus the 300-entry ring buffer. */
export interface ComfyuiConsole {
  /** One logging call; multi-line text stays one call (one buffer entry), as in Python. */
  log(text: string): void;
  /** Starts a tqdm bar over `total` steps. */
  progress(total: number): ProgressBar;
  /** The ring buffer, oldest first. */
  entries(): LogEntry[];
}

/** Where the console writes and how it reads the clock. */
export interface ComfyuiConsoleOptions {
  /** Receives raw text (stderr in the bin). */
  readonly write: (chunk: string) => void;
  /** Epoch milliseconds. */
  readonly now?: () => number;
  /** Entries kept for /internal/logs (ComfyUI keeps 300). */
  readonly capacity?: number;
  /** Minimum milliseconds between two bar redraws (tqdm's mininterval is 100 ms). */
  readonly redrawEveryMs?: number;
}

/** Creates the console the emulator prints through. */
export function createComfyuiConsole(options: ComfyuiConsoleOptions): ComfyuiConsole {
  const now = options.now ?? Date.now;
  const capacity = options.capacity ?? 300;
  const redrawEveryMs = options.redrawEveryMs ?? 100;
  const buffer: LogEntry[] = [];
  const record = (m: string): void => {
    const last = buffer[buffer.length - 1];
    // ComfyUI folds a `\r` redraw into the previous entry while that line is unfinished.
    if (m.startsWith('\r') && last !== undefined && !last.m.endsWith('\n')) {
      buffer[buffer.length - 1] = { t: localIsoTime(now()), m };
    } else {
      buffer.push({ t: localIsoTime(now()), m });
      if (buffer.length > capacity) buffer.shift();
    }
  };
  const emit = (chunk: string): void => {
    options.write(chunk);
    record(chunk);
  };
  return {
    log: (text) => emit(`${text}\n`),
    progress(total) {
      let shown = '';
      let lastDraw = -Infinity;
      const draw = (n: number, elapsedMs: number): void => {
        const text = formatTqdm(n, total, elapsedMs / 1000);
        emit(`\r${text}${' '.repeat(Math.max(0, shown.length - text.length))}`);
        shown = text;
      };
      draw(0, 0);
      return {
        update(n, elapsedMs) {
          const t = now();
          if (n < total && t - lastDraw < redrawEveryMs) return;
          lastDraw = t;
          draw(n, elapsedMs);
        },
        close: () => emit('\n'),
      };
    },
    entries: () => [...buffer],
  };
}

const BAR_CHARS = ' ▏▎▍▌▋▊▉█';
const BAR_WIDTH = 10;

/** tqdm's default bar text: `100%|██████████| 20/20 [00:01<00:00, 12.71it/s]`. */
export function formatTqdm(n: number, total: number, elapsedSeconds: number): string {
  const frac = total > 0 ? n / total : 0;
  const units = Math.floor(frac * BAR_WIDTH * 8);
  const full = Math.floor(units / 8);
  const bar = full >= BAR_WIDTH ? '█'.repeat(BAR_WIDTH) : `${'█'.repeat(full)}${BAR_CHARS[units % 8]}${' '.repeat(BAR_WIDTH - full - 1)}`;
  const rate = n > 0 && elapsedSeconds > 0 ? n / elapsedSeconds : undefined;
  const remaining = rate === undefined ? '?' : formatInterval((total - n) / rate);
  const rateText =
    rate === undefined ? '?it/s' : rate >= 1 ? `${rate.toFixed(2).padStart(5)}it/s` : `${(1 / rate).toFixed(2).padStart(5)}s/it`;
  const percent = String(Math.round(frac * 100)).padStart(3);
  return `${percent}%|${bar}| ${n}/${total} [${formatInterval(elapsedSeconds)}<${remaining}, ${rateText}]`;
}

function formatInterval(seconds: number): string {
  const total = Math.floor(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mmss = `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

/** `Prompt executed in 0.01 seconds`, or `HH:MM:SS` past ten minutes, as main.py prints it. */
export function formatExecutedLine(seconds: number): string {
  if (seconds > 600) {
    const total = Math.floor(seconds);
    const pad = (v: number): string => String(v).padStart(2, '0');
    return `Prompt executed in ${pad(Math.floor(total / 3600) % 24)}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  }
  return `Prompt executed in ${seconds.toFixed(2)} seconds`;
}

/** Python's `datetime.now().isoformat()` for epoch milliseconds (local time, microseconds). */
export function localIsoTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (v: number, w = 2): string => String(v).padStart(w, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}000`
  );
}
