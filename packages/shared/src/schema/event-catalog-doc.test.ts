import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_CATALOG } from './event-catalog.js';

/** The catalog as docs/log-format.md "Event catalog" tabulates it, a row per event. */
function catalogRows(): string[] {
  const code = (s: string) => `\`${s}\``;
  return Object.entries(EVENT_CATALOG).map(
    ([name, s]) =>
      `| ${[code(name), s.service === 'any' ? 'any' : code(s.service), s.levels.join(', '), s.required.map(code).join(', ') || '—', s.msg].join(' | ')} |`,
  );
}

describe('docs/log-format.md', () => {
  it('tabulates the event catalog exactly as the code defines it', () => {
    const doc = readFileSync(new URL('../../../../docs/log-format.md', import.meta.url), 'utf8');
    const header = '| event | service | level(s) | required fields | default `msg` |\n| --- | --- | --- | --- | --- |\n';
    const start = doc.indexOf(header);
    expect(start).toBeGreaterThan(-1);
    const table =
      doc
        .slice(start + header.length)
        .split('\n\n')[0]
        ?.split('\n') ?? [];
    expect(table).toEqual(catalogRows());
  });
});
