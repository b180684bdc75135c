import type { RequestKind } from './drive-requests.js';

const SCENES = [
  'a lighthouse at dusk, oil painting',
  'a red fox in fresh snow, photograph',
  'a city street in the rain at night, neon',
  'a bowl of ramen, studio lighting',
  'an astronaut riding a horse, watercolor',
];

const image = (i: number, workflow: string) => ({
  prompt: `${SCENES[i % SCENES.length] ?? ''} (demo ${i})`,
  width: 512,
  height: 512,
  steps: 12 + (i % 3) * 8,
  seed: 1000 + i,
  workflow,
});

/**
 * The demo's mix of requests: mostly successful generations (txt2img with realistic
 * timing on the emulator, and the fast weight-free default), plus every kind of
 * failure an operator meets: invalid input, an unknown workflow, a ComfyUI exception,
 * out of memory, an interrupt, and a hang that hits the caller's 3 s deadline. The
 * failures use the emulator's `[[fault:NAME]]` prompt markers.
 */
export const DEMO_MIX: readonly RequestKind[] = [
  { name: 'txt2img', weight: 14, body: (i) => image(i, 'txt2img') },
  { name: 'default', weight: 4, body: (i) => image(i, 'default') },
  { name: 'invalid', weight: 3, body: (i) => ({ prompt: i % 2 === 0 ? '' : 'a cat', width: 13 }) },
  { name: 'unknown_workflow', weight: 1, body: (i) => ({ ...image(i, 'no_such_workflow') }) },
  { name: 'comfyui_error', weight: 2, body: (i) => ({ ...image(i, 'txt2img'), prompt: `[[fault:error]] demo ${i}` }) },
  { name: 'oom', weight: 1, body: (i) => ({ ...image(i, 'txt2img'), prompt: `[[fault:oom]] demo ${i}` }) },
  { name: 'interrupted', weight: 1, body: (i) => ({ ...image(i, 'txt2img'), prompt: `[[fault:interrupt]] demo ${i}` }) },
  {
    name: 'timeout',
    weight: 1,
    body: (i) => ({ ...image(i, 'default'), prompt: `[[fault:hang]] demo ${i}` }),
    headers: { 'x-request-timeout-ms': '3000' },
  },
];
