// The machine the emulator pretends to be: ComfyUI 0.3.64 (the captured version) on one
// 24 GB NVIDIA GPU, which is what production runs. The captured fixtures came from a CPU
// box; the shapes are the same, the device fields are those of a CUDA device.

/** Facts shown in the startup banner and in `GET /system_stats`. */
export const EMULATED_MACHINE = Object.freeze({
  comfyuiVersion: '0.3.64',
  frontendVersion: '1.27.10',
  templatesVersion: '0.1.95',
  pythonVersion: '3.11.2 (main, Apr 28 2025, 14:11:48) [GCC 12.2.0]',
  pytorchVersion: '2.5.1+cu124',
  deviceName: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync',
  /** Bytes. */
  vramTotal: 25_386_352_640,
  /** Bytes. */
  ramTotal: 67_331_350_528,
  root: '/workspace/ComfyUI',
});

const MIB = 1024 * 1024;

/** The lines ComfyUI prints from start until it listens, ending with the GUI address line. */
export function formatStartupBanner(url: string): string[] {
  const m = EMULATED_MACHINE;
  return [
    'Checkpoint files will always be loaded safely.',
    `Total VRAM ${Math.round(m.vramTotal / MIB)} MB, total RAM ${Math.round(m.ramTotal / MIB)} MB`,
    `pytorch version: ${m.pytorchVersion}`,
    'Set vram state to: NORMAL_VRAM',
    `Device: ${m.deviceName}`,
    'Using pytorch attention',
    `Python version: ${m.pythonVersion}`,
    `ComfyUI version: ${m.comfyuiVersion}`,
    `ComfyUI frontend version: ${m.frontendVersion}`,
    `[Prompt Server] web root: ${m.root}/venv/lib/python3.11/site-packages/comfyui_frontend_package/static`,
    '',
    'Import times for custom nodes:',
    `   0.0 seconds: ${m.root}/custom_nodes/websocket_image_save.py`,
    '',
    'Context impl SQLiteImpl.',
    'Will assume non-transactional DDL.',
    'Starting server\n',
    `To see the GUI go to: ${url}`,
  ];
}

/** The `GET /system_stats` body; `usedVram` (bytes) is what loaded models take. */
export function buildSystemStats(argv: readonly string[], usedVram: number): Record<string, unknown> {
  const m = EMULATED_MACHINE;
  const ramFree = Math.round(m.ramTotal * 0.82);
  return {
    system: {
      os: 'posix',
      ram_total: m.ramTotal,
      ram_free: ramFree,
      comfyui_version: m.comfyuiVersion,
      required_frontend_version: m.frontendVersion,
      installed_templates_version: m.templatesVersion,
      required_templates_version: m.templatesVersion,
      python_version: m.pythonVersion,
      pytorch_version: m.pytorchVersion,
      embedded_python: false,
      argv: [...argv],
    },
    devices: [
      {
        name: m.deviceName,
        type: 'cuda',
        index: 0,
        vram_total: m.vramTotal,
        vram_free: m.vramTotal - usedVram,
        torch_vram_total: usedVram,
        torch_vram_free: Math.round(usedVram * 0.05),
      },
    ],
  };
}
