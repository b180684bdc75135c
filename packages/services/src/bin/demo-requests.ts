#!/usr/bin/env node
// Drives a mix of generate requests through a running backend and prints what came back.
// Usage: demo-requests.js [--url URL] [--count N] [--concurrency N] [--trace-id-file FILE]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEMO_MIX } from '../request-driver/demo-mix.js';
import { driveRequests, type DrivenRequest } from '../request-driver/drive-requests.js';

function main(): void {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:8000' },
      count: { type: 'string', default: '32' },
      concurrency: { type: 'string', default: '4' },
      'trace-id-file': { type: 'string' },
    },
  });
  const count = Number(values.count);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
    process.stderr.write('demo-requests: --count and --concurrency must be positive integers\n');
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`sending ${count} requests to ${values.url} (${concurrency} at a time)\n`);
  void driveRequests({
    url: values.url,
    count,
    concurrency,
    kinds: DEMO_MIX,
    onResult: (r) => process.stdout.write(r.status === 200 ? '.' : r.status === 0 ? 'x' : '!'),
  }).then((results) => {
    process.stdout.write(`\n\n${summarize(results)}\n`);
    const failed = results.find((r) => r.kind === 'comfyui_error' && r.requestId !== undefined);
    const chosen = failed ?? results.find((r) => r.requestId !== undefined);
    if (values['trace-id-file'] !== undefined && chosen?.requestId !== undefined) {
      writeFileSync(values['trace-id-file'], `${chosen.requestId}\n`);
    }
    if (results.every((r) => r.status === 0)) process.exitCode = 1;
  });
}

/** One line per request kind: how many, and which HTTP statuses came back. */
function summarize(results: readonly DrivenRequest[]): string {
  const byKind = new Map<string, Map<number, number>>();
  for (const r of results) {
    const statuses = byKind.get(r.kind) ?? new Map<number, number>();
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    byKind.set(r.kind, statuses);
  }
  const lines = [...byKind].map(([kind, statuses]) => {
    const text = [...statuses].map(([status, n]) => `${n}× ${status === 0 ? 'no answer' : `HTTP ${status}`}`).join(', ');
    return `  ${kind.padEnd(18)} ${text}`;
  });
  return ['requests by kind:', ...lines].join('\n');
}

main();
