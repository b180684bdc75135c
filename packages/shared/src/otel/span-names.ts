/** Span names, one place for both the services' live spans and the export from logs. */
export const SPAN_NAMES = Object.freeze({
  backendServer: 'POST /api/generate',
  gpuClient: 'POST /generate',
  gpuServer: 'POST /generate',
  prompt: 'comfyui.prompt',
  queueWait: 'comfyui.queue_wait',
  execution: 'comfyui.execution',
  node: 'comfyui.node',
  imageDownload: 'comfyui.image_download',
});
