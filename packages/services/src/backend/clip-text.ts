const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Cuts untrusted text to at most `maxChars` UTF-16 units (ending in `...` when cut,
 * never splitting a surrogate pair), optionally replacing control characters with `?`,
 * so one request cannot write a huge or misleading log field. Pure.
 */
export function clipText(text: string, maxChars: number, options: { replaceControls?: boolean } = {}): string {
  const clean = options.replaceControls === true ? text.replace(CONTROL, '?') : text;
  if (clean.length <= maxChars) return clean;
  let cut = clean.slice(0, Math.max(0, maxChars - 3));
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}...`;
}
