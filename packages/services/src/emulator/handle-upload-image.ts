import type { FileStore, FolderType } from './file-store.js';

/** The fields of a multipart `POST /upload/image`, as Hono's parseBody gives them. */
export type UploadForm = Record<string, string | File | (string | File)[]>;

/**
 * ComfyUI's `upload_image`: stores the `image` file in the `type` folder (input by
 * default) under `subfolder`. A different file with the same name gets a ` (1)`,
 * ` (2)`... suffix unless `overwrite` is `true`/`1`; an identical one is not stored
 * twice. Returns `{name, subfolder, type}`, or undefined for a 400 (no file, bad
 * type, a path leaving the folder).
 */
export async function handleUploadImage(form: UploadForm, files: FileStore): Promise<Record<string, string> | undefined> {
  const image = form['image'];
  if (!(image instanceof File) || image.name === '') return undefined;
  const typeField = typeof form['type'] === 'string' ? form['type'] : 'input';
  if (typeField !== 'input' && typeField !== 'temp' && typeField !== 'output') return undefined;
  const type: FolderType = typeField;
  const subfolder = typeof form['subfolder'] === 'string' ? form['subfolder'] : '';
  if (subfolder.split('/').includes('..') || subfolder.startsWith('/') || /[/\\]/.test(image.name) || image.name === '..') {
    return undefined;
  }
  const bytes = new Uint8Array(await image.arrayBuffer());
  const overwrite = form['overwrite'] === 'true' || form['overwrite'] === '1';
  let name = image.name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let i = 1; !overwrite; i += 1) {
    const existing = files.get(type, subfolder, name);
    if (existing === undefined) break;
    if (Buffer.from(existing.bytes).equals(bytes)) return { name, subfolder, type };
    name = `${stem} (${i})${ext}`;
  }
  files.put(type, subfolder, name, bytes);
  return { name, subfolder, type };
}
