#!/usr/bin/env node
// Writes a simulated log directory (and its expected answers) for tests and benchmarks.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateLogs } from '../generator/generate-logs.js';

const USAGE = `Usage: generate-logs --dir DIR [options]

Simulates the backend, GPU server and ComfyUI serving overlapping requests of every
outcome and writes backend.log, gpu_server.log, telegram_bot.log and comfyui.log. The
GPU server logs what ComfyUI's websocket tells it: queue waits, each node, sampler
progress, a stalled prompt, a lost connection.

  --dir DIR          directory to write (required)
  --seed N           random seed (default 1): the same seed writes the same files
  --requests N       number of requests (default 200)
  --size SIZE        instead of --requests: write about SIZE bytes (200MB, 1GB, 5000000)
  --style STYLE      ours | python | pino | mixed (default ours)
  --unstamped        write comfyui.log without the line stamper's times
  --clean            no bad lines (default: every kind of bad line, BOM, CRLF, NULs, a torn tail)
  --rotate           split the JSON logs into x.log.2.gz, x.log.1, x.log
  --no-websocket     a GPU server that only polls: the same requests without the websocket's events
  --hosts N          write N machines' directories DIR/host-1 … DIR/host-N (N ≥ 2): the backend on
                     host-1, a GPU server and its ComfyUI on each, requests sent to them in turn
  --expected FILE    write the expected answers as JSON (perf, error groups, requests)
  -h, --help         this text`;

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (m === null) throw new Error(`--size: expected e.g. 200MB, 1GB or a byte count, got "${text}"`);
  const unit = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9 }[(m[2] ?? 'b').toLowerCase() as 'b'] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: 'string' },
      seed: { type: 'string' },
      requests: { type: 'string' },
      size: { type: 'string' },
      style: { type: 'string' },
      unstamped: { type: 'boolean' },
      clean: { type: 'boolean' },
      rotate: { type: 'boolean' },
      'no-websocket': { type: 'boolean' },
      hosts: { type: 'string' },
      expected: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.dir === undefined) throw new Error('--dir is required');
  const style = values.style ?? 'ours';
  if (!['ours', 'python', 'pino', 'mixed'].includes(style))
    throw new Error(`--style: expected ours, python, pino or mixed, got "${style}"`);
  const hosts = values.hosts === undefined ? undefined : Number(values.hosts);
  if (hosts !== undefined && (!Number.isSafeInteger(hosts) || hosts < 2 || hosts > 100))
    throw new Error(`--hosts: expected a whole number from 2 to 100, got "${values.hosts}"`);
  const started = Date.now();
  const result = generateLogs({
    dir: path.resolve(values.dir),
    seed: values.seed === undefined ? 1 : Number(values.seed),
    ...(values.requests === undefined ? {} : { requests: Number(values.requests) }),
    ...(values.size === undefined ? {} : { targetBytes: parseSize(values.size) }),
    style: style as 'ours',
    stamped: values.unstamped !== true,
    corrupt: values.clean !== true,
    rotate: values.rotate === true,
    websocket: values['no-websocket'] !== true,
    ...(hosts === undefined ? {} : { hosts }),
  });
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(
    `generate-logs: ${result.requestCount} requests, ${result.files.length} files, ${(result.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s → ${result.dir}\n`,
  );
  if (values.expected !== undefined) {
    const answers = {
      files: result.files,
      perf: result.expected.perf(),
      errors: result.expected.errors,
      comfyui: result.expected.comfyui,
      requests: result.expected.requests,
      hosts: result.hosts.map((h) => ({ name: h.name, perf: h.expected.perf(), errors: h.expected.errors, comfyui: h.expected.comfyui })),
    };
    writeFileSync(values.expected, `${JSON.stringify(answers)}\n`);
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`generate-logs: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 2;
}
