/**
 * comfyui.log's line stamp: the line stamper (packages/services, `stamp-lines`)
 * writes each line ComfyUI prints prefixed with the time it arrived and one space,
 * `2026-11-28T05:03:21.123Z got prompt`; docs/log-format.md "Line stamper prefix".
 */
export function formatStamp(ms: number): string {
  return `${new Date(ms).toISOString()}${STAMP_SEPARATOR}`;
}

/** What follows the stamp's time. */
export const STAMP_SEPARATOR = ' ';

/**
 * A stamp as readers accept it at the start of a line: the stamper's own form or any
 * ISO-8601 date-time with seconds (fraction of 1–9 digits, `Z` or an offset), then the
 * separator or the end of the line. Group 1 is the time.
 */
export const STAMP_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}))(?: |$)/;
