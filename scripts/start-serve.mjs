// Starts the built `logtrace serve` for scripts/screenshots.mjs and bench/web-view.mjs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LOGTRACE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../packages/logtools/bin/logtrace.js');

/** Starts `logtrace serve --port 0` over `dir`; resolves with its URL and process. */
export function startServe(dir) {
  const child = spawn(process.execPath, [LOGTRACE, 'serve', '--dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /http:\/\/\S+\//.exec(out)?.[0];
      if (url !== undefined) resolve({ url, child });
    });
  });
}
