// Every logtrace a test runs (in-process or as a child) keeps its index in a directory of
// this run's own, never in the user's ~/.cache/logtrace, and the directory goes with the run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'logtrace-test-cache-'));
  process.env['LOGTRACE_CACHE_DIR'] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
