import { EVENT_NAMES, type EventName } from './event-catalog.js';

/**
 * Each catalog event's name as a constant (`EVENT.comfyui_complete`): readers compare
 * with these, so renaming or removing an event in the catalog breaks their build.
 */
export const EVENT: { readonly [E in EventName]: E } = Object.freeze(
  Object.fromEntries(EVENT_NAMES.map((name) => [name, name])) as { [E in EventName]: E },
);

/**
 * The GPU server's events that record one `POST /prompt` to ComfyUI: accepted
 * (`comfyui_prompt_sent`) or answered with an HTTP error before a prompt id
 * (`error_comfyui` with a `status`). comfyui.log's `got prompt` lines pair with them.
 */
export const POST_ATTEMPT_EVENTS = Object.freeze([EVENT.comfyui_prompt_sent, EVENT.error_comfyui] as const);
