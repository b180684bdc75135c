import { isRecord } from './node-catalog.js';

/**
 * Failures the emulator can be told to show, each the way a real ComfyUI shows it:
 * - `error`: a node raises while executing (history `execution_error`, exception block in the log)
 * - `oom`: `torch.OutOfMemoryError`, then `Got an OOM, unloading all loaded models.`
 * - `hang`: execution stops making progress until interrupted
 * - `interrupt`: someone cancels the prompt midway (`execution_interrupted`)
 * - `crash`: the process dies mid-prompt: every connection drops, the port refuses
 *   connections for EMULATOR_CRASH_MS, then it comes back with an empty queue and history
 * - `http500`: `POST /prompt` answers aiohttp's 500 page (a handler raised)
 * - `garbage`: `POST /prompt` answers 200 with an HTML page instead of JSON
 * - `reset`: `POST /prompt` closes the connection without answering
 * - `slow_view`: `GET /view` of this prompt's images waits EMULATOR_SLOW_VIEW_MS
 */
export const FAULTS = ['error', 'oom', 'hang', 'interrupt', 'crash', 'http500', 'garbage', 'reset', 'slow_view'] as const;

/** One injectable failure. */
export type Fault = (typeof FAULTS)[number];

/** Faults chosen by configuration for a share of all prompts. */
export interface FaultSettings {
  readonly faults: readonly Fault[];
  /** Probability (0..1) that a prompt gets one of `faults`. */
  readonly rate: number;
}

const MARKER = /\[\[fault:([a-z0-9_]+)\]\]/gi;

/** True when `value` names a fault. */
export function isFault(value: unknown): value is Fault {
  return typeof value === 'string' && (FAULTS as readonly string[]).includes(value);
}

/**
 * The fault for one submitted prompt: a `[[fault:NAME]]` marker in any text input of the
 * graph (so a user prompt carries it through the backend and the GPU server), else,
 * with probability `settings.rate`, one of the configured faults at random.
 */
export function pickFault(prompt: unknown, settings: FaultSettings, random: () => number): Fault | undefined {
  const marked = findMarker(prompt);
  if (marked !== undefined) return marked;
  if (settings.faults.length === 0 || random() >= settings.rate) return undefined;
  return settings.faults[Math.floor(random() * settings.faults.length)];
}

function findMarker(prompt: unknown): Fault | undefined {
  if (!isRecord(prompt)) return undefined;
  for (const node of Object.values(prompt)) {
    if (!isRecord(node) || !isRecord(node['inputs'])) continue;
    for (const value of Object.values(node['inputs'])) {
      if (typeof value !== 'string') continue;
      for (const match of value.matchAll(MARKER)) {
        const name = match[1]?.toLowerCase();
        if (isFault(name)) return name;
      }
    }
  }
  return undefined;
}
