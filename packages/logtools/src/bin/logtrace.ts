#!/usr/bin/env node
// The logtrace command line: wires the process to run() and sets the exit code.
import { run } from '../cli/run.js';

let stdoutClosed = false;
/** Ends follow mode; made (and Ctrl-C caught) only when a command follows, so that Ctrl-C stops the others at once. */
let stop: AbortController | undefined;
// A reader that goes away (`logtrace errors | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') {
    stdoutClosed = true;
    stop?.abort();
  } else throw error;
});

function stopSignal(): AbortSignal {
  if (stop === undefined) {
    const controller = new AbortController();
    stop = controller;
    // Once: a second Ctrl-C kills the process as usual.
    process.once('SIGINT', () => controller.abort());
    process.once('SIGTERM', () => controller.abort());
    if (stdoutClosed) controller.abort();
  }
  return stop.signal;
}

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
  stopSignal,
});
