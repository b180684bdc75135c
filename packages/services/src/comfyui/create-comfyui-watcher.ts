import type { ServiceLogger } from '@logtrace/shared';
import { createPromptTracker, type ExecutionDetail, type PromptTracker, type TrackerLine } from './create-prompt-tracker.js';
import { openReconnectingSocket, type ReconnectingSocket, type ReconnectingSocketEvents } from './open-reconnecting-socket.js';
import { parseWsMessage } from './parse-ws-message.js';

/** Settings of the websocket watcher; times in ms, sizes in bytes. */
export interface ComfyuiWatcherOptions {
  /** ComfyUI's base URL (`http://127.0.0.1:8188`); the socket is `<base>/ws?clientId=…`. */
  readonly baseUrl: string;
  /** The one client id of this GPU server: its socket's `clientId` and every prompt's `client_id`. */
  readonly clientId: string;
  /** The service logger, for `comfyui_ws_lost` and `comfyui_ws_unavailable`. */
  readonly logger: ServiceLogger;
  /** Silence about a running prompt after which `comfyui_stalled` is written. */
  readonly stallMs: number;
  /** Epoch milliseconds. */
  now(): number;
  /** Text frames larger than this are skipped unread. Default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** A frame larger than this closes the connection (the ws library stops reading it). Default 8 MiB. */
  readonly maxFrameBytes?: number;
  /** Reconnection delays: the first, doubled each failure up to the last. Default 250 and 5000 (a restarted ComfyUI is found within 5 s). */
  readonly backoffMs?: readonly [first: number, max: number];
  /** A ping this often; no pong by the next one drops the connection. Default 30 000. */
  readonly pingEveryMs?: number;
  readonly random?: () => number;
}

/** What the watcher needs to follow one prompt. */
export interface WatchOptions {
  /** The prompt id the GPU server asks ComfyUI to use (POST /prompt `prompt_id`). */
  readonly promptId: string;
  /** The generation's logger (request_id, generation_id); lines get `prompt_id` too. */
  readonly logger: ServiceLogger;
  /** The submitted graph, for each node's class_type. */
  readonly graph: Readonly<Record<string, unknown>>;
  /** When the prompt was submitted (epoch ms). */
  readonly sentAt: number;
}

/** One watched prompt. Lines are held until `submitted`, so none precedes `comfyui_prompt_sent`. */
export interface PromptWatch {
  /** The prompt id asked of ComfyUI. */
  readonly promptId: string;
  /** ComfyUI accepted the prompt under `promptId` and `comfyui_prompt_sent` is written: write what was held. */
  submitted(promptId: string): void;
  /** Resolves when ComfyUI's websocket says the prompt is done (its history entry written); never, if it does not (polling decides). */
  readonly done: Promise<void>;
  /** The `comfyui_complete` fields; while the socket is up and the end message is due, waits for it up to `maxMs`. */
  settle(maxMs: number): Promise<ExecutionDetail>;
  /** Stops watching and forgets the prompt (idempotent). */
  end(): void;
}

/** Messages received and skipped, by reason. */
export interface IgnoredCounts {
  malformed: number;
  unknown: number;
  oversized: number;
  binary: number;
}

/** The socket's state for /health. */
export interface WatcherHealth {
  readonly state: 'connecting' | 'connected' | 'disconnected' | 'refused' | 'stopped';
  readonly disconnections: number;
  readonly ignored: Readonly<IgnoredCounts>;
}

/** ComfyUI's websocket, one connection per GPU server, shared by its generations. */
export interface ComfyuiWatcher {
  readonly clientId: string;
  /** Connects, and reconnects with backoff until close(). */
  start(): void;
  watch(options: WatchOptions): PromptWatch;
  health(): WatcherHealth;
  /** Resolves once the first connection attempt connected or failed. */
  ready(): Promise<void>;
  /** Closes the socket and stops reconnecting; nothing is logged after it. */
  close(): void;
}

interface Watched {
  readonly tracker: PromptTracker;
  logger: ServiceLogger;
  /** Lines waiting for `submitted` (bounded). */
  held: TrackerLine[] | undefined;
  readonly waiters: Array<() => void>;
  /** Resolves the watch's `done`. */
  readonly markDone: () => void;
}

const MAX_HELD_LINES = 256;

/**
 * Creates the watcher (docs/comfyui.md "Websocket"). It logs, per watched prompt, what
 * the prompt tracker derives from ComfyUI's messages; polling `/history` stays the
 * source of truth, so a lost socket costs detail only: `comfyui_ws_lost` once per
 * disconnection, then reconnection with backoff. The first refusal of the socket (an
 * HTTP answer instead of an upgrade) is logged once as `comfyui_ws_unavailable`.
 * Frames are untrusted: binary ones (previews), oversized and malformed ones are
 * skipped and counted, never logged. Timers and the socket never keep the process alive.
 */
export function createComfyuiWatcher(options: ComfyuiWatcherOptions): ComfyuiWatcher {
  const watched = new Map<string, Watched>();
  const ignored: IgnoredCounts = { malformed: 0, unknown: 0, oversized: 0, binary: 0 };
  let state: WatcherHealth['state'] = 'connecting';
  let socket: ReconnectingSocket | undefined;
  let disconnections = 0;
  let refusalLogged = false;
  let queueRemaining: number | undefined;
  let stallTimer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => (markReady = resolve));

  const write = (entry: Watched, lines: readonly TrackerLine[]): void => {
    for (const line of lines) {
      if (entry.held === undefined) writeLine(entry.logger, line);
      else if (entry.held.length < MAX_HELD_LINES) entry.held.push(line);
    }
  };
  const wake = (entry: Watched): void => {
    for (const resolve of entry.waiters.splice(0)) resolve();
  };
  const onText = (text: string): void => {
    const parsed = parseWsMessage(text);
    if (!parsed.ok) {
      ignored[parsed.problem] += 1;
      return;
    }
    const message = parsed.message;
    if (message.type === 'status') {
      queueRemaining = message.queueRemaining;
      return;
    }
    // Other prompts' ids and the reconnect resend of `executing` (no prompt_id) concern nobody here.
    const entry = message.promptId === undefined ? undefined : watched.get(message.promptId);
    if (entry === undefined) return;
    write(entry, entry.tracker.apply(message, options.now(), queueRemaining));
    if (entry.tracker.done()) entry.markDone();
    if (!entry.tracker.running()) wake(entry);
  };
  const sweep = (): void => {
    const at = options.now();
    for (const entry of watched.values()) {
      const line = entry.tracker.checkStall(at, options.stallMs);
      if (line !== undefined) write(entry, [line]);
    }
  };
  const events: ReconnectingSocketEvents = {
    opened() {
      state = 'connected';
      markReady();
      const at = options.now();
      for (const entry of watched.values()) entry.tracker.reconnected(at);
    },
    text: onText,
    skipped(reason) {
      ignored[reason] += 1;
    },
    lost(error, errorCode) {
      disconnections += 1;
      state = 'disconnected';
      queueRemaining = undefined;
      options.logger.event('comfyui_ws_lost', { error, error_code: errorCode, in_flight: watched.size });
      for (const entry of watched.values()) {
        entry.tracker.disconnected();
        wake(entry);
      }
    },
    failed(refusal, error) {
      if (refusal !== undefined) {
        state = 'refused';
        if (!refusalLogged) options.logger.event('comfyui_ws_unavailable', { error_code: refusal, error });
        refusalLogged = true;
      } else if (state !== 'refused') {
        state = 'disconnected';
      }
      markReady();
    },
  };

  return {
    clientId: options.clientId,
    start() {
      if (socket !== undefined || state === 'stopped') return;
      socket = openReconnectingSocket(
        {
          url: websocketUrl(options.baseUrl, options.clientId),
          maxMessageBytes: options.maxMessageBytes ?? 1024 * 1024,
          maxFrameBytes: options.maxFrameBytes ?? 8 * 1024 * 1024,
          backoffMs: options.backoffMs ?? [250, 5000],
          pingEveryMs: options.pingEveryMs ?? 30_000,
          random: options.random ?? Math.random,
        },
        events,
      );
    },
    watch(watch) {
      const classTypes = new Map<string, string>();
      for (const [id, node] of Object.entries(watch.graph)) {
        const classType = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)['class_type'] : undefined;
        if (typeof classType === 'string') classTypes.set(id, classType);
      }
      let key = watch.promptId;
      let markDone: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (markDone = resolve));
      const entry: Watched = {
        markDone,
        tracker: createPromptTracker({ classTypes, sentAt: watch.sentAt }),
        logger: watch.logger.child({ prompt_id: key }),
        held: [],
        waiters: [],
      };
      watched.set(key, entry);
      if (stallTimer === undefined) {
        stallTimer = setInterval(sweep, Math.max(20, Math.min(1000, Math.floor(options.stallMs / 4))));
        stallTimer.unref();
      }
      let stopped = false;
      return {
        promptId: watch.promptId,
        done,
        submitted(promptId) {
          if (stopped) return;
          if (promptId !== key) {
            // A ComfyUI older than 2025-07 ignores our prompt_id; what came under ours is not this prompt's.
            watched.delete(key);
            key = promptId;
            watched.set(key, entry);
            entry.held = [];
          }
          entry.logger = watch.logger.child({ prompt_id: key });
          const held = entry.held ?? [];
          entry.held = undefined;
          write(entry, held);
        },
        settle(maxMs) {
          if (stopped || state !== 'connected' || !entry.tracker.running()) return Promise.resolve(entry.tracker.detail());
          return new Promise((resolve) => {
            const timer = setTimeout(done, maxMs);
            function done(): void {
              clearTimeout(timer);
              resolve(entry.tracker.detail());
            }
            entry.waiters.push(done);
          });
        },
        end() {
          if (stopped) return;
          stopped = true;
          wake(entry);
          if (watched.get(key) === entry) watched.delete(key);
          if (watched.size === 0 && stallTimer !== undefined) {
            clearInterval(stallTimer);
            stallTimer = undefined;
          }
        },
      };
    },
    health: () => ({ state, disconnections, ignored: { ...ignored } }),
    ready: () => readyPromise,
    close() {
      state = 'stopped';
      markReady();
      clearInterval(stallTimer);
      socket?.close();
    },
  };
}

/** `ws://host:port/<base path>/ws?clientId=<id>` (wss for https). */
function websocketUrl(baseUrl: string, clientId: string): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/ws`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('clientId', clientId);
  return url.toString();
}

// The tracker's lines are catalog events with their fields already typed per event.
function writeLine(logger: ServiceLogger, line: TrackerLine): void {
  const event = logger.event.bind(logger) as (name: TrackerLine['event'], fields: TrackerLine['fields']) => void;
  event(line.event, line.fields);
}
