/** The GPU server's events of a successful generation ComfyUI's websocket was followed for, in order. */
export const WATCHED_GENERATION_EVENTS = [
  'generation_start',
  'workflow_loaded',
  'comfyui_prompt_sent',
  'comfyui_execution_start',
  'comfyui_complete',
  'image_retrieved',
] as const;
