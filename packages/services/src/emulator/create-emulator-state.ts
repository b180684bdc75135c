import type { ComfyuiConsole } from './comfyui-console.js';
import { encodePng } from './encode-png.js';
import { createPromptExecutor, type ExecutionTiming } from './execute-prompt.js';
import { createSocketHub, type SocketHub } from './create-socket-hub.js';
import { createFileStore, type FileStore } from './file-store.js';
import { createLoadedModels, type LoadedModels } from './loaded-models.js';
import { createNodeCatalog, type NodeCatalog } from './node-catalog.js';
import { createPromptQueue, type PromptQueue } from './prompt-queue.js';
import { renderSolid } from './render-image.js';

/** Everything a running emulator holds between requests. */
export interface EmulatorState {
  readonly catalog: NodeCatalog;
  readonly files: FileStore;
  readonly models: LoadedModels;
  readonly queue: PromptQueue;
  /** The websocket clients (served by attachComfyuiSocket). */
  readonly sockets: SocketHub;
  /**
   * ComfyUI's prompt counter: returns the current value (negated for `front`) and
   * counts up; every POST /prompt without a `number` takes one, invalid ones included.
   */
  takeNumber(front: boolean): number;
  /** Stops the worker and closes the websockets (service shutdown). */
  close(): void;
}

/** What createEmulatorState needs. */
export interface EmulatorStateDeps {
  readonly objectInfo: Record<string, unknown>;
  readonly checkpoints: readonly string[];
  readonly maxFiles: number;
  /** Bytes of uploaded input files kept (default 256 MiB, see createFileStore). */
  readonly maxInputBytes?: number;
  readonly timing: ExecutionTiming;
  readonly console: ComfyuiConsole;
  /** Resolves after `ms`; rejects with `signal.reason` once the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  now(): number;
  random(): number;
  /** The process "died" (fault `crash`): queue, history and counter are already gone. */
  onCrash(): void;
}

/** Creates the emulator's state; the input folder starts with ComfyUI's `example.png`. */
export async function createEmulatorState(deps: EmulatorStateDeps): Promise<EmulatorState> {
  const files = createFileStore({
    maxFiles: deps.maxFiles,
    ...(deps.maxInputBytes === undefined ? {} : { maxInputBytes: deps.maxInputBytes }),
  });
  files.put('input', '', 'example.png', await encodePng(renderSolid(64, 64, 0x3366cc)));
  const catalog = createNodeCatalog(deps.objectInfo, {
    checkpoints: () => deps.checkpoints,
    inputFiles: () => files.list('input'),
  });
  const models = createLoadedModels(deps.console);
  const sockets = createSocketHub({
    console: deps.console,
    queueRemaining: () => queue.running().length + queue.pending().length,
  });
  const executor = createPromptExecutor({ ...deps, catalog, files, models, socket: sockets });
  let counter = 0;
  const queue: PromptQueue = createPromptQueue({
    execute: (item, signal) => executor.execute(item, signal),
    onCrash: () => {
      counter = 0;
      models.unloadAll();
      // A dead process drops its sockets without a goodbye.
      sockets.dropAll();
      deps.onCrash();
    },
    queueUpdated: (remaining) => sockets.send('status', { status: { exec_info: { queue_remaining: remaining } } }, null),
    promptDone: (item) => {
      const clientId = item.extraData['client_id'] ?? null;
      if (clientId !== null) sockets.send('executing', { node: null, prompt_id: item.promptId }, clientId);
    },
  });
  return {
    catalog,
    files,
    models,
    queue,
    sockets,
    takeNumber(front) {
      const number = front ? -counter : counter;
      counter += 1;
      return number;
    },
    close: () => {
      queue.close();
      sockets.closeAll();
    },
  };
}
