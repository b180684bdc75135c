/** One frame of a Python traceback. */
export interface PyFrame {
  readonly file: string;
  readonly line: number;
  readonly func: string;
  /** The source line, without indentation. */
  readonly code: string;
  /**
   * Python 3.11 underlines the failing expression: true underlines everything after an
   * assignment or `return`; a string is the exact underline placed there.
   */
  readonly caret?: boolean | string;
}

/**
 * An exception as the emulated Python side would raise it: a qualified type name
 * (`KeyError`, `torch.OutOfMemoryError`), its `str()` and the frames that led to it.
 * A `cause` is printed first, as Python prints an exception raised while handling another.
 */
export class PythonError extends Error {
  readonly pyType: string;
  readonly frames: readonly PyFrame[];
  readonly context: PythonError | undefined;

  constructor(pyType: string, message: string, frames: readonly PyFrame[] = [], context?: PythonError) {
    super(message);
    this.name = 'PythonError';
    this.pyType = pyType;
    this.frames = frames;
    this.context = context;
  }
}

/** Python type names of JSON values, for TypeError messages. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/** `traceback.format_tb()`: one string per frame, each ending in a newline. */
export function formatPyFrames(frames: readonly PyFrame[]): string[] {
  return frames.map((frame) => {
    const head = `  File "${frame.file}", line ${frame.line}, in ${frame.func}\n    ${frame.code}\n`;
    if (frame.caret === undefined || frame.caret === false) return head;
    // Python 3.11 underlines the expression: after an assignment or `return`, spaces skipped.
    const indent = frame.code.match(/^(?:[\w.,\s:[\]]*?=|return)?\s*/)?.[0].length ?? 0;
    const underline = frame.caret === true ? '^'.repeat(Math.max(1, frame.code.length - indent)) : frame.caret;
    return `${head}    ${' '.repeat(indent)}${underline}\n`;
  });
}

/** `traceback.format_exc()` of the error, chained causes first; ends with a newline. */
export function formatPyTraceback(error: PythonError): string {
  const own = `Traceback (most recent call last):\n${formatPyFrames(error.frames).join('')}${error.pyType}: ${error.message}\n`;
  if (error.context === undefined) return own;
  return `${formatPyTraceback(error.context)}\nDuring handling of the above exception, another exception occurred:\n\n${own}`;
}
