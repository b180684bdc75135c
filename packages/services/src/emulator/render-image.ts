import type { RgbImage } from './encode-png.js';

/** A flat image of one packed 0xRRGGBB colour, like ComfyUI's EmptyImage. */
export function renderSolid(width: number, height: number, color: number): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  const r = (color >> 16) & 0xff;
  const g = (color >> 8) & 0xff;
  const b = color & 0xff;
  for (let i = 0; i < rgb.length; i += 3) {
    rgb[i] = r;
    rgb[i + 1] = g;
    rgb[i + 2] = b;
  }
  return { width, height, rgb };
}

/** The negative of an image (ImageInvert). */
export function renderInverted(image: RgbImage): RgbImage {
  const rgb = new Uint8Array(image.rgb.length);
  for (let i = 0; i < rgb.length; i += 1) rgb[i] = 255 - (image.rgb[i] as number);
  return { width: image.width, height: image.height, rgb };
}

/**
 * What the emulator "samples": a soft two-colour gradient picked by the seed, so equal
 * seeds give equal images and different seeds visibly different ones.
 */
export function renderSeeded(width: number, height: number, seed: number): RgbImage {
  const a = mix32(seed);
  const b = mix32(a);
  const from = [(a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff];
  const to = [(b >>> 16) & 0xff, (b >>> 8) & 0xff, b & 0xff];
  const rgb = new Uint8Array(width * height * 3);
  const span = Math.max(1, width + height - 2);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const t = (x + y) / span;
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c += 1) {
        rgb[i + c] = Math.round((from[c] as number) * (1 - t) + (to[c] as number) * t);
      }
    }
  }
  return { width, height, rgb };
}

// A 32-bit integer hash (splitmix-style), stable for any JS number seed.
function mix32(seed: number): number {
  let h = (Math.floor(Math.abs(seed)) % 0x100000000) ^ Math.floor(Math.abs(seed) / 0x100000000);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
