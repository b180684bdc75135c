import { promisify } from 'node:util';
import { deflate } from 'node:zlib';

const deflateAsync = promisify(deflate);

/** An 8-bit RGB raster, rows top to bottom, 3 bytes per pixel. */
export interface RgbImage {
  /** Pixels. */
  readonly width: number;
  /** Pixels. */
  readonly height: number;
  /** `width * height * 3` bytes. */
  readonly rgb: Uint8Array;
}

/** Options for encodePng. */
export interface EncodePngOptions {
  /** tEXt chunks (keyword → Latin-1 text), written before the image data, as PIL does. */
  readonly text?: Readonly<Record<string, string>>;
  /** zlib level; ComfyUI's SaveImage uses 4, PreviewImage 1. */
  readonly level?: number;
}

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as PNG uses it) of the bytes. */
export function crc32(bytes: Uint8Array, start = 0xffffffff): number {
  let c = start;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Encodes an RGB raster as a PNG (colour type 2, 8 bits, no interlace), with optional
 * tEXt chunks such as ComfyUI's `prompt`. Rows use the Sub filter, which keeps the
 * emulator's flat and gradient images small. Deflate runs off the main thread.
 */
export async function encodePng(image: RgbImage, options: EncodePngOptions = {}): Promise<Uint8Array> {
  const { width, height, rgb } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}x${height}`);
  }
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`expected ${width * height * 3} RGB bytes, got ${rgb.length}`);
  }
  const stride = width * 3;
  const filtered = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y += 1) {
    const out = y * (stride + 1);
    const row = y * stride;
    filtered[out] = 1;
    for (let i = 0; i < stride; i += 1) {
      const left = i >= 3 ? (rgb[row + i - 3] as number) : 0;
      filtered[out + 1 + i] = ((rgb[row + i] as number) - left) & 0xff;
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const chunks = [chunk('IHDR', ihdr)];
  for (const [keyword, text] of Object.entries(options.text ?? {})) {
    chunks.push(chunk('tEXt', Buffer.from(`${keyword}\0${text}`, 'latin1')));
  }
  const data = await deflateAsync(filtered, { level: options.level ?? 4 });
  chunks.push(chunk('IDAT', data), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat([SIGNATURE, ...chunks]);
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** Width and height from a PNG's IHDR, or undefined when the bytes are not a PNG. */
export function readPngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 24 || !SIGNATURE.every((b, i) => bytes[i] === b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (Buffer.from(bytes.subarray(12, 16)).toString('latin1') !== 'IHDR') return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
