/**
 * A duration in ms for people: `812 ms`, `4.38 s`, `2m 05s`, `1h 02m`; `-` for null.
 * Under a second it is whole milliseconds (rounded).
 */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(2)} s`;
  const totalSeconds = Math.round(abs / 1000);
  if (totalSeconds < 3600) return `${sign}${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(totalSeconds / 60);
  return `${sign}${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** An ISO time shortened for a table: `2026-11-28 05:03:21.123` (UTC); `-` for null. */
export function formatClock(iso: string | null): string {
  return iso === null ? '-' : iso.replace('T', ' ').replace(/Z$/, '');
}
