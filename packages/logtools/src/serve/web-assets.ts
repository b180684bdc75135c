import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The files the pages load: the page script and style (packages/logtools/web/) and uPlot's build from its npm package. */
export interface WebAssets {
  readonly appJs: string;
  readonly styleCss: string;
  readonly uplotJs: string;
  readonly uplotCss: string;
}

/** Reads the web assets once; the same paths resolve from dist/serve/ and dist/bundle/ (both two levels under the package). */
export function loadWebAssets(): WebAssets {
  const web = new URL('../../web/', import.meta.url);
  const require = createRequire(import.meta.url);
  return {
    appJs: readFileSync(new URL('app.js', web), 'utf8'),
    styleCss: readFileSync(new URL('style.css', web), 'utf8'),
    uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}
