import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { assemblyLayoutSource } from './kernel-layout.js';

describe('the committed scan kernel', () => {
  it('has the layout kernel-layout.ts defines (npm run build:kernel -w @logtrace/logtools)', async () => {
    expect(await readFile(new URL('./assembly/layout.ts', import.meta.url), 'utf8')).toBe(assemblyLayoutSource());
  });

  it('is what assembly/scan-kernel.ts compiles to (npm run build:kernel -w @logtrace/logtools)', async () => {
    const { buildKernelModule } = (await import(new URL('../../scripts/build-kernel.mjs', import.meta.url).href)) as {
      buildKernelModule: () => string;
    };
    const committed = await readFile(new URL('./scan-kernel-wasm.ts', import.meta.url), 'utf8');
    expect(buildKernelModule()).toBe(committed);
  }, 60_000);
});
