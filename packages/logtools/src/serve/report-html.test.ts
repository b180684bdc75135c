import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reportHtml, type ReportData } from './report-html.js';
import { loadWebAssets } from './web-assets.js';

const sha = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('reportHtml', () => {
  const hostile = '</script><script>alert(1)</script><!--';
  const data = { window: { since: hostile }, overview: {}, traces: [], written_at: hostile } as unknown as ReportData;
  const html = reportHtml(data, loadWebAssets());

  it('allows exactly its inlined scripts and styles, by hash, and nothing from the network', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '');
    expect(scripts).toHaveLength(6);
    expect(styles).toHaveLength(2);
    expect(csp).toBe(
      `default-src 'none'; script-src ${scripts.map(sha).join(' ')}; style-src ${styles.map(sha).join(' ')}; img-src data:; base-uri 'none'; form-action 'none'`,
    );
    // Nothing loaded from elsewhere (the browser test opens the file offline).
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('keeps log text inside its data block, escaped, whatever it holds', () => {
    const block = /<script type="application\/json" id="logtrace-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(block).not.toContain('<');
    expect(JSON.parse(block)).toEqual(data);
    expect(html.match(/<script/g)).toHaveLength(7);
  });
});
