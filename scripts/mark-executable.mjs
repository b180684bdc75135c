// Makes the compiled CLI entry points executable after `tsc -b` (tsc does not set modes).
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const binDirs = ['packages/logtools/dist/bin', 'packages/services/dist/bin'];
for (const dir of binDirs) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.js')) chmodSync(path.join(dir, name), 0o755);
  }
}
