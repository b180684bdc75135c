import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { generateLogs, type GenerateOptions, type GeneratedLogs } from '../src/generator/generate-logs.js';

/** A generated directory a test suite runs against. */
export interface Variant {
  readonly name: string;
  readonly options: Omit<GenerateOptions, 'dir'>;
}

/**
 * Generates one directory per variant in a temporary folder before the suite's tests
 * and removes it after; returns a lookup by variant name.
 */
export function useGeneratedDirs(variants: readonly Variant[]): (name: string) => GeneratedLogs {
  let root = '';
  const generated = new Map<string, GeneratedLogs>();
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'logtrace-gen-'));
    variants.forEach((v, i) => generated.set(v.name, generateLogs({ ...v.options, dir: path.join(root, `v${i}`) })));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  return (name) => {
    const found = generated.get(name);
    if (found === undefined) throw new Error(`no generated directory "${name}"`);
    return found;
  };
}
