import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OtlpJsonTraces } from '@logtrace/shared/otel';
import { InputError } from '../logtrace-error.js';

/**
 * Writes one OTLP/JSON document to `file` through a temporary file in the same
 * directory and a rename, so a reader never sees half of it; a write that fails
 * becomes an InputError naming the file (exit 2), and leaves no temporary file.
 */
export async function writeOtlpFile(file: string, traces: OtlpJsonTraces): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(traces)}\n`, { flag: 'wx', mode: 0o644 });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'write failed';
    throw new InputError(`cannot write the OTLP file ${file}: ${reason}`, file, { cause: error });
  }
}
