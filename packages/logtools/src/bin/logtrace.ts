#!/usr/bin/env node
// The logtrace command line: wires the process to run() and sets the exit code.
import { run } from '../cli/run.js';

let stdoutClosed = false;
// A reader that goes away (`logtrace errors | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') stdoutClosed = true;
  else throw error;
});

process.exitCode = await run(process.argv.slice(2), {
  stdout: {
    write: (text) => {
      if (!stdoutClosed) process.stdout.write(text);
    },
    isTTY: process.stdout.isTTY,
    columns: process.stdout.columns,
  },
  stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY, columns: process.stderr.columns },
  env: process.env,
  cwd: process.cwd(),
  now: () => Date.now(),
});
