import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The page scripts in packages/logtools/web/, in the order a page loads them (dom.js first, app.js last). */
export const PAGE_SCRIPTS = ['dom.js', 'overview.js', 'errors.js', 'trace.js', 'app.js'] as const;

/** One script of the pages: its file name and text. */
export interface WebScript {
  readonly name: string;
  readonly text: string;
}

/** The files the pages load: the page scripts and style (packages/logtools/web/) and uPlot's build from its npm package. */
export interface WebAssets {
  /** uPlot, then PAGE_SCRIPTS, in load order. */
  readonly scripts: readonly WebScript[];
  readonly styleCss: string;
  readonly uplotCss: string;
}

/** Reads the web assets once; the same paths resolve from dist/serve/ and dist/bundle/ (both two levels under the package). */
export function loadWebAssets(): WebAssets {
  const web = new URL('../../web/', import.meta.url);
  const require = createRequire(import.meta.url);
  return {
    scripts: [
      { name: 'uplot.js', text: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8') },
      ...PAGE_SCRIPTS.map((name) => ({ name, text: readFileSync(new URL(name, web), 'utf8') })),
    ],
    styleCss: readFileSync(new URL('style.css', web), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}
