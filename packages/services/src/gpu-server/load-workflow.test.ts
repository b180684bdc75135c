import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SHIPPED_WORKFLOW_DIR } from './load-gpu-server-config.js';
import { loadWorkflow, WorkflowError } from './load-workflow.js';

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'logtrace-workflows-'));
  dir = path.join(root, 'workflows');
  mkdirSync(dir);
  writeFileSync(path.join(root, 'secret.json'), '{"1": {"class_type": "SaveImage", "inputs": {}}}');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function codeOf(name: string): Promise<string> {
  try {
    await loadWorkflow(dir, name);
  } catch (err) {
    if (err instanceof WorkflowError) return err.code;
    throw err;
  }
  return 'loaded';
}

describe('loadWorkflow', () => {
  it('loads the shipped workflows', async () => {
    expect(Object.keys(await loadWorkflow(SHIPPED_WORKFLOW_DIR, 'default'))).toHaveLength(5);
    expect((await loadWorkflow(SHIPPED_WORKFLOW_DIR, 'txt2img'))['3']?.class_type).toBe('KSampler');
  });

  it.each(['../secret', '..', 'a/b', 'a\\b', 'x\0y', '/etc/passwd', '', '.hidden', 'nope'])('refuses %j as not found', async (name) => {
    expect(await codeOf(name)).toBe('workflow_not_found');
  });

  it('refuses a symlink that leads out of the directory', async () => {
    symlinkSync(path.join(root, 'secret.json'), path.join(dir, 'escape.json'));
    expect(await codeOf('escape')).toBe('workflow_not_found');
  });

  it.each([
    ['not json', '{'],
    ['not an object', '[]'],
    ['empty', '{}'],
    ['a UI export', '{"nodes": [], "links": []}'],
    ['a node without class_type', '{"1": {"inputs": {}}}'],
  ])('refuses %s as invalid', async (_what, text) => {
    writeFileSync(path.join(dir, 'bad.json'), text);
    expect(await codeOf('bad')).toBe('workflow_invalid');
  });
});
