// C0 and C1 controls, DEL, bidi controls (ALM, LRM, RLM, LRE..RLO, LRI..PDI), line and
// paragraph separators, BOM, and lone surrogates: anything that can move the cursor,
// recolour the terminal, reorder text or end a line.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]|\p{Surrogate}/gu;

/**
 * Makes text from a log safe to print on a terminal: every control character, escape
 * sequence introducer, bidi override and line separator is shown as a visible
 * `\xNN` / `\uNNNN` escape instead of being interpreted.
 */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** escapeTerminal, then cut to `max` characters with an ellipsis. */
export function escapeAndCut(text: string, max: number): string {
  const safe = escapeTerminal(text);
  return safe.length > max ? `${safe.slice(0, Math.max(0, max - 1))}…` : safe;
}

/** escapeTerminal, then cut to `max` characters from the start with an ellipsis: a long path keeps its file name. */
export function escapeAndCutStart(text: string, max: number): string {
  const safe = escapeTerminal(text);
  return safe.length > max ? `…${safe.slice(safe.length - Math.max(0, max - 1))}` : safe;
}
