#!/usr/bin/env node
// Builds the workspace, one named step after another: `node scripts/build.mjs` runs them
// all (npm run build; npm ci runs it through `prepare`), `node scripts/build.mjs STEP…`
// only those named. A step that fails stops the build with its name and exit code 1.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a program from the repository root; throws when it fails. */
function run(command, args) {
  const done = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (done.status !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} exited with ${done.status ?? done.signal}`);
}

/** tsc does not set file modes: the compiled entry points of both packages become executable. */
function markExecutable() {
  for (const dir of ['packages/logtools/dist/bin', 'packages/services/dist/bin']) {
    const full = path.join(root, dir);
    if (!existsSync(full)) continue;
    for (const name of readdirSync(full)) if (name.endsWith('.js')) chmodSync(path.join(full, name), 0o755);
  }
}

const STEPS = {
  /** Every package, in dependency order (project references). */
  compile: () => run(path.join(root, 'node_modules/.bin/tsc'), ['-b']),
  executables: markExecutable,
  /** `logtrace --help` rendered by yargs once, so the CLI serves it without loading yargs. */
  'help-cache': () => run(process.execPath, ['packages/logtools/scripts/cache-help.mjs']),
  /** The CLI and its scan worker bundled into one module each (docs/logtrace.md "Startup"). */
  bundle: () => run(process.execPath, ['packages/logtools/scripts/bundle.mjs']),
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !Object.hasOwn(STEPS, name));
if (unknown.length > 0) {
  process.stderr.write(`build: no step ${unknown.join(', ')}; the steps are ${Object.keys(STEPS).join(', ')}\n`);
  process.exit(2);
}
for (const [name, step] of Object.entries(STEPS)) {
  if (asked.length > 0 && !asked.includes(name)) continue;
  try {
    step();
  } catch (error) {
    process.stderr.write(`build: step "${name}" failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
