/** Longest masked message kept as a group key, in characters. */
export const MAX_MASKED_LENGTH = 300;

const RULES: readonly (readonly [RegExp, string])[] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, '<url>'],
  [/(?:\b[A-Za-z]:)?(?:[\\/][\w.@%+~ -]*[\w@%+~-]){2,}[\\/]?|(?<![\w.])\/[\w.@%+~-]+/g, '<path>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\blocalhost:\d+\b|\[[0-9a-f:]+\](?::\d+)?/gi, '<addr>'],
  [/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>'],
  [/(?<![\w<])-?\d+(?:[.,]\d+)?(?:e[+-]?\d+)?/gi, '<n>'],
];

/**
 * Normalises an error message into a grouping key: UUIDs, URLs, file paths, IP
 * addresses and ports, long hex strings and numbers are replaced by `<id>`, `<url>`,
 * `<path>`, `<addr>`, `<hex>`, `<n>`; runs of white space become one space; the result
 * is cut to MAX_MASKED_LENGTH characters.
 */
export function maskMessage(message: string): string {
  let text = message.replace(/\s+/g, ' ').trim();
  for (const [pattern, replacement] of RULES) text = text.replace(pattern, replacement);
  return text.length > MAX_MASKED_LENGTH ? `${text.slice(0, MAX_MASKED_LENGTH - 1)}…` : text;
}
