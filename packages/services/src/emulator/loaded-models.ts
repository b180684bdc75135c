import type { ComfyuiConsole } from './comfyui-console.js';
import { EMULATED_MACHINE } from './emulated-machine.js';
import { formatPyFloat } from './python-format.js';

const MIB = 1024 * 1024;

/** Model sizes of SD 1.5 in MiB, as ComfyUI reports them when loading. */
export const MODEL_SIZES_MB = Object.freeze({
  SD1ClipModel: 235.84423828125,
  BaseModel: 1639.406135559082,
  AutoencoderKL: 159.55708122253418,
});

/** Which models sit in VRAM; loading one prints ComfyUI's loader lines. */
export interface LoadedModels {
  /** Prints `Requested to load X` + `loaded completely ...` unless X is already loaded. */
  ensureLoaded(model: keyof typeof MODEL_SIZES_MB): void;
  /** Forgets every model (after an OOM, as ComfyUI unloads all). */
  unloadAll(): void;
  /** Bytes of VRAM the loaded models take. */
  usedBytes(): number;
}

/** Creates the VRAM model tracker printing to `console`. */
export function createLoadedModels(console: ComfyuiConsole): LoadedModels {
  const loaded = new Set<keyof typeof MODEL_SIZES_MB>();
  const usedMb = (): number => [...loaded].reduce((sum, m) => sum + MODEL_SIZES_MB[m], 0);
  return {
    ensureLoaded(model) {
      if (loaded.has(model)) return;
      const freeMb = EMULATED_MACHINE.vramTotal / MIB - usedMb() - 1024;
      console.log(`Requested to load ${model}`);
      console.log(`loaded completely ${formatPyFloat(freeMb)} ${formatPyFloat(MODEL_SIZES_MB[model])} True`);
      loaded.add(model);
    },
    unloadAll: () => loaded.clear(),
    usedBytes: () => Math.round(usedMb() * MIB),
  };
}
