#!/usr/bin/env node
// Line stamper: `stamp-lines.js FILE` appends stdin to FILE, each line prefixed with the
// ISO time it was received. startup.sh pipes ComfyUI's output through it.
import { openLogFile, type LogFile } from '../logging/open-log-file.js';
import { makeStdioSafe } from '../process/make-stdio-safe.js';
import { createLineStamper } from '../stamper/line-stamper.js';

// Its own stderr is on the log disk too: a full disk must not stop the stamper, or
// ComfyUI (the writer) would die of a broken pipe.
makeStdioSafe();
const file = process.argv[2];
if (file === undefined || process.argv.length > 3) {
  process.stderr.write('usage: stamp-lines FILE  (appends stdin to FILE with a time prefix per line)\n');
  process.exit(2);
}
let out: LogFile;
try {
  // Counts and reports (at most every 10 s) lines it cannot write; ends a torn last line.
  out = openLogFile(file, { report: (message) => process.stderr.write(`stamp-lines: ${message}\n`) });
} catch (err) {
  process.stderr.write(`stamp-lines: cannot open ${file}: ${(err as Error).message}\n`);
  process.exit(1);
}
const stamper = createLineStamper();
const write = (lines: Buffer[]): void => {
  for (const line of lines) out.write(line);
};
let finished = false;
const finish = (): void => {
  if (finished) return;
  finished = true;
  write(stamper.end(Date.now()));
  out.close();
  process.exit(0);
};
process.stdin.on('data', (chunk: Buffer) => write(stamper.push(chunk, Date.now())));
process.stdin.on('end', finish);
// A Ctrl-C reaches the writer (ComfyUI) and the stamper together; keep reading what the
// writer prints while it stops ("Stopped server"), for at most 2 s, then write the rest.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    setTimeout(finish, 2000).unref();
  });
}
