#!/usr/bin/env node
// Bundles the compiled CLI (dist/bin/logtrace.js) and its scan worker into
// dist/bundle/, one file each, after `tsc -b`. Node loads one module instead of about
// eighty, which is most of a short command's start-up time (docs/logtrace.md
// "Startup"). Both files sit side by side, one level under dist/ as the sources do, so
// the worker's URL (./scan-worker.js) and the help cache (../help-cache.json) resolve
// the same from the bundle. yargs is left out: it is loaded only for help and unusual
// command lines, and reads its locale files from its own directory. The web view
// (serve, report: Hono and its pages) is left out too, loaded from dist/serve/ only when
// one of those commands runs, so the other commands do not parse it.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
await build({
  entryPoints: { logtrace: `${dist}bin/logtrace.js`, 'scan-worker': `${dist}engine/scan-worker.js` },
  outdir: `${dist}bundle`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['yargs', 'yargs/*'],
  // CommonJS dependencies (cli-table3, ndjson) call require() for Node's own modules.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
  plugins: [
    {
      name: 'web-view-outside',
      setup(build) {
        // From dist/bundle/ as from dist/serve/, ../serve/ is the compiled folder.
        build.onResolve({ filter: /^\.\/run-(serve|report)\.js$/ }, (args) =>
          args.importer.includes('/serve/') ? { path: `../serve/${args.path.slice(2)}`, external: true } : undefined,
        );
      },
    },
  ],
});
