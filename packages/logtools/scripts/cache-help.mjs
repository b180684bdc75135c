#!/usr/bin/env node
// Renders `logtrace --help` and `logtrace <command> --help` with yargs, after the build,
// for the widths the CLI uses most (80 columns, 100 when not a terminal, 110 and up),
// into dist/help-cache.json: run() serves help from it without loading yargs.
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const target = fileURLToPath(new URL('../dist/help-cache.json', import.meta.url));
rmSync(target, { force: true });
const { run, COMMANDS } = await import('../dist/cli/run.js');
const topics = ['', ...COMMANDS.map((c) => c.command.split(' ')[0])];
const cache = {};
for (const width of [80, 100, 110]) {
  cache[width] = {};
  for (const topic of topics) {
    let text = '';
    const io = {
      stdout: { write: (t) => (text += t), isTTY: false, columns: width === 100 ? undefined : width },
      stderr: { write: () => undefined },
      env: {},
      cwd: process.cwd(),
      now: () => Date.now(),
    };
    const code = await run(topic === '' ? ['--help'] : [topic, '--help'], io);
    if (code !== 0) throw new Error(`help for "${topic}" exited ${code}`);
    cache[width][topic] = text;
  }
}
writeFileSync(target, `${JSON.stringify(cache)}\n`);
