import { createHash } from 'node:crypto';
import { pageShell } from './page-shell.js';
import type { ViewWindow } from './view-window.js';
import type { OverviewView } from './view-loader.js';
import type { TraceJson } from '../trace/trace-handler.js';
import type { WebAssets } from './web-assets.js';

/** What a report holds: the overview of its window (errors included) and the slowest traces. */
export interface ReportData {
  readonly window: ViewWindow;
  readonly overview: OverviewView;
  readonly traces: readonly TraceJson[];
  /** When the report was written, ISO. */
  readonly written_at: string;
}

/**
 * The report as one HTML document: the page script, uPlot and their styles inlined
 * and allowed by a Content-Security-Policy meta tag listing their SHA-256 hashes (no
 * other script or style can run, no network), the data as a JSON block (not a script:
 * it never runs) with `<`, `>` and `&` escaped so no log text can close it.
 */
export function reportHtml(data: ReportData, assets: WebAssets): string {
  const scripts = assets.scripts.map((s) => closeSafe(s.text));
  const styles = [assets.uplotCss, assets.styleCss].map(closeSafe);
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
  const csp =
    `default-src 'none'; script-src ${scripts.map(hash).join(' ')}; style-src ${styles.map(hash).join(' ')}; ` +
    "img-src data:; base-uri 'none'; form-action 'none'";
  const head = `<meta http-equiv="Content-Security-Policy" content="${csp}">\n${styles.map((s) => `<style>${s}</style>`).join('\n')}`;
  const json = JSON.stringify(data).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const tail = `<script type="application/json" id="logtrace-data">${json}</script>\n${scripts.map((s) => `<script>${s}</script>`).join('\n')}`;
  return pageShell('report', { title: 'logtrace report', head, tail });
}

/** Inlined code cannot end its element early: `</script` and `</style` are written with an escaped slash (same meaning in JS strings, regexes and CSS). */
function closeSafe(text: string): string {
  return text.replace(/<\/(script|style)/gi, '<\\/$1');
}
