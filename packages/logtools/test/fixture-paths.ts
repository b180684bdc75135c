import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * ComfyUI's responses, websocket messages and comfyui.log as captured from a real
 * ComfyUI: committed once in the repository, beside the services' tests that replay
 * them (packages/services/test/fixtures/comfyui/README.md says how they were made).
 */
export const COMFYUI_FIXTURES = fileURLToPath(new URL('../../services/test/fixtures/comfyui', import.meta.url));

/** The real, unstamped comfyui.log captured from ComfyUI 0.3.64. */
export const REAL_COMFYUI_LOG = path.join(COMFYUI_FIXTURES, 'comfyui.log');

/** A real ComfyUI's log as ComfyUI-Manager wrote it (local-time stamps), captured here (fixtures/comfyui-manager/README.md). */
export const MANAGER_COMFYUI_LOG = fileURLToPath(new URL('./fixtures/comfyui-manager/comfyui_38517.prev.log', import.meta.url));
