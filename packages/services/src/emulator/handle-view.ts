import path from 'node:path';
import type { FileStore, FolderType, StoredFile } from './file-store.js';

/** What GET /view answers: a status with no body, or a file. */
export type ViewOutcome =
  | { readonly kind: 'status'; readonly status: 400 | 403 | 404 }
  | { readonly kind: 'file'; readonly filename: string; readonly contentType: string; readonly file: StoredFile };

// A subfolder is resolved against this stand-in for the type's folder: one that climbs
// out of it (`..`, an absolute path) is refused with 403, as ComfyUI does.
const SUBFOLDER_BASE = '/folder';

const TYPES: Readonly<Record<string, FolderType>> = { output: 'output', input: 'input', temp: 'temp' };

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.json': 'application/json',
  '.txt': 'text/plain',
};

/**
 * ComfyUI's `view_image` (server.py): `name [type]` annotations, 400 for `..`, a leading
 * `/` or an unknown type, 403 for a subfolder outside the folder, 404 when missing.
 * `preview` and `channel` re-encoding are not emulated: the stored file is returned.
 */
export function handleView(query: URLSearchParams, files: FileStore): ViewOutcome {
  const raw = query.get('filename');
  if (raw === null) return { kind: 'status', status: 404 };
  const annotated = /^(.*) ?\[(output|input|temp)\]$/.exec(raw);
  const filename = annotated === null ? raw : (annotated[1] as string).replace(/ $/, '');
  if (filename === '') return { kind: 'status', status: 400 };
  if (filename.startsWith('/') || filename.includes('..')) return { kind: 'status', status: 400 };
  const type = annotated === null ? TYPES[query.get('type') ?? 'output'] : TYPES[annotated[2] as string];
  if (type === undefined) return { kind: 'status', status: 400 };
  let subfolder = '';
  const rawSubfolder = query.get('subfolder');
  if (rawSubfolder !== null && rawSubfolder !== '') {
    const resolved = path.posix.resolve(SUBFOLDER_BASE, rawSubfolder);
    if (resolved !== SUBFOLDER_BASE && !resolved.startsWith(`${SUBFOLDER_BASE}/`)) return { kind: 'status', status: 403 };
    subfolder = path.posix.relative(SUBFOLDER_BASE, resolved);
  }
  const base = path.posix.basename(filename);
  const file = files.get(type, subfolder, base);
  if (file === undefined) return { kind: 'status', status: 404 };
  const extension = path.posix.extname(base).toLowerCase();
  return { kind: 'file', filename: base, contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream', file };
}
