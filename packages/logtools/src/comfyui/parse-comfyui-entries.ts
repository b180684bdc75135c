import type { ComfyuiLine } from './to-comfyui-line.js';

/** What a group of comfyui.log lines is. */
export type ComfyuiEntryKind =
  'got_prompt' | 'validation' | 'request_error' | 'exception' | 'interrupted' | 'executed' | 'progress' | 'warning' | 'restart' | 'other';

/**
 * Which ComfyUI thread printed an entry: `post` (the POST /prompt handler: `got prompt`
 * and what validation prints), `worker` (the prompt being executed), or `none`
 * (startup and shutdown, which end every queue).
 */
export type ComfyuiSide = 'post' | 'worker' | 'none';

/** One entry of comfyui.log: a line, or a multi-line block kept together (traceback, validation report). */
export interface ComfyuiEntry {
  readonly kind: ComfyuiEntryKind;
  readonly side: ComfyuiSide;
  readonly lines: readonly ComfyuiLine[];
  /** Stamp of the first line, epoch ms; undefined when unstamped. */
  readonly time: number | undefined;
}

/** Most lines kept in one block; a longer block is cut and a new one starts. */
export const MAX_BLOCK_LINES = 400;

const SIDE: Readonly<Record<ComfyuiEntryKind, ComfyuiSide>> = {
  got_prompt: 'post',
  validation: 'post',
  request_error: 'post',
  exception: 'worker',
  interrupted: 'worker',
  executed: 'worker',
  progress: 'worker',
  warning: 'worker',
  other: 'worker',
  restart: 'none',
};

const GOT_PROMPT = /^got prompt$/;
const EXECUTED = /^Prompt executed in /;
// 2024-04 builds printed "processing!!!" without the space (docs/comfyui.md "Version drift").
const EXCEPTION = /^!!! Exception during processing ?!!!/;
const INTERRUPTED = /^Processing interrupted$/;
const VALIDATION_START = /^Failed to validate prompt for output /;
const VALIDATION_LINE = /^(?:\* |\s+- |Output will be ignored$)/;
const INVALID_PROMPT = /^invalid prompt: /;
const REQUEST_ERROR = /^Error handling request/;
const TRACEBACK = /^Traceback \(most recent call last\):$/;
const CHAINED =
  /^(?:During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)$/;
const PROGRESS = /^\s*\d{1,3}%\|/;
const WARNING = /^WARNING[: ]/;
const RESTART = /^(?:Starting server$|To see the GUI go to: |Stopped server$)/;

/** Lines that always start something new, even inside a traceback's message. */
function isTopLevel(text: string): boolean {
  return (
    GOT_PROMPT.test(text) ||
    EXECUTED.test(text) ||
    EXCEPTION.test(text) ||
    INVALID_PROMPT.test(text) ||
    VALIDATION_START.test(text) ||
    INTERRUPTED.test(text) ||
    REQUEST_ERROR.test(text) ||
    RESTART.test(text)
  );
}

type TracebackState = 'message' | 'frames' | 'exception' | 'blank';

/**
 * Groups comfyui.log lines into entries, streaming: `!!! Exception during processing`
 * and `Error handling request` with their (possibly chained) tracebacks, validation
 * reports (`Failed to validate ...` through `invalid prompt: ...`), runs of
 * progress-bar lines (kept as the last one), and single lines. Works on stamped and
 * unstamped text alike.
 */
export class ComfyuiEntryParser {
  private open: { kind: ComfyuiEntryKind; lines: ComfyuiLine[] } | undefined;
  private state: TracebackState = 'message';

  constructor(private readonly emit: (entry: ComfyuiEntry) => void) {}

  /** Feeds the next line. */
  push(line: ComfyuiLine): void {
    const open = this.open;
    if (open !== undefined) {
      const verdict = this.accept(open, line.text);
      if (verdict !== 'no') {
        if (open.kind === 'progress') open.lines.length = 0; // a newer state of the bar replaces the old
        open.lines.push(line);
        if (verdict === 'last' || open.lines.length >= MAX_BLOCK_LINES) this.close();
        return;
      }
      this.close();
    }
    this.start(line);
  }

  /**
   * True when no block is open (or only a progress bar): the next line starts a new
   * entry, so a line that would be a single entry can be left out without changing
   * any other entry but progress bars.
   */
  isIdle(): boolean {
    return this.open === undefined || this.open.kind === 'progress';
  }

  /** Ends the input: emits the open entry. */
  end(): void {
    this.close();
  }

  private start(line: ComfyuiLine): void {
    const text = line.text;
    if (EXCEPTION.test(text) || REQUEST_ERROR.test(text)) {
      this.open = { kind: EXCEPTION.test(text) ? 'exception' : 'request_error', lines: [line] };
      this.state = 'message';
    } else if (VALIDATION_START.test(text)) {
      this.open = { kind: 'validation', lines: [line] };
    } else if (PROGRESS.test(text)) {
      this.open = { kind: 'progress', lines: [line] };
    } else {
      this.emitEntry(classifySingle(text), [line]);
    }
  }

  /** Whether a line belongs to the open entry (`last`: and closes it); updates the traceback state. */
  private accept(open: { kind: ComfyuiEntryKind }, text: string): 'yes' | 'last' | 'no' {
    if (open.kind === 'progress') return PROGRESS.test(text) ? 'yes' : 'no';
    if (open.kind === 'validation') {
      if (INVALID_PROMPT.test(text)) return 'last';
      return VALIDATION_LINE.test(text) ? 'yes' : 'no';
    }
    return this.continuesTraceback(text) ? 'yes' : 'no';
  }

  private continuesTraceback(text: string): boolean {
    if (TRACEBACK.test(text)) {
      this.state = 'frames';
      return true;
    }
    switch (this.state) {
      case 'message':
        return !isTopLevel(text);
      case 'frames':
        if (text === '' || /^\s/.test(text)) return true;
        this.state = 'exception';
        return true;
      case 'exception':
        if (text === '') {
          this.state = 'blank';
          return true;
        }
        if (CHAINED.test(text)) return true;
        return /^\s/.test(text);
      case 'blank':
        return text === '' || CHAINED.test(text);
    }
  }

  private close(): void {
    const open = this.open;
    if (open === undefined) return;
    this.open = undefined;
    this.emitEntry(open.kind, open.lines);
  }

  private emitEntry(kind: ComfyuiEntryKind, lines: readonly ComfyuiLine[]): void {
    this.emit({ kind, side: SIDE[kind], lines, time: lines[0]?.time });
  }
}

function classifySingle(text: string): ComfyuiEntryKind {
  if (GOT_PROMPT.test(text)) return 'got_prompt';
  if (EXECUTED.test(text)) return 'executed';
  if (INTERRUPTED.test(text)) return 'interrupted';
  if (INVALID_PROMPT.test(text)) return 'validation';
  if (RESTART.test(text)) return 'restart';
  if (WARNING.test(text)) return 'warning';
  return 'other';
}
