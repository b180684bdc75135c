import type { ComfyuiConsole } from './comfyui-console.js';
import { formatExecutedLine } from './comfyui-console.js';
import { createProgressRegistry } from './create-progress-registry.js';
import type { SocketSender } from './create-socket-hub.js';
import { describeExecutionError } from './describe-execution-error.js';
import { executionOrder, isLink } from './execution-order.js';
import { cudaError, outOfMemoryError, samplerShapeError } from './execution-errors.js';
import type { FileStore } from './file-store.js';
import type { LoadedModels } from './loaded-models.js';
import type { NodeCatalog, NodeClass } from './node-catalog.js';
import { isSamplerClass, runNode, type NodeContext, type NodeResult } from './node-behaviours.js';
import { PythonError } from './python-error.js';
import type { ExecutionFault, Graph, QueueItem } from './prompt-types.js';

/** Why a running prompt's signal was aborted. */
export const STOP = Object.freeze({ interrupt: 'interrupt', crash: 'crash', shutdown: 'shutdown' } as const);

/** A `/history` entry: `prompt`, `outputs`, `status`, `meta`, in ComfyUI's key order. */
export interface HistoryEntry {
  readonly prompt: readonly unknown[];
  readonly outputs: Record<string, unknown>;
  readonly status: { status_str: 'success' | 'error'; completed: boolean; messages: Array<[string, Record<string, unknown>]> };
  readonly meta: Record<string, unknown>;
}

/** How long emulated work takes, in milliseconds. */
export interface ExecutionTiming {
  readonly stepMs: number;
  readonly nodeMs: number;
  readonly loadMs: number;
  /** Fraction (0..1) each wait varies by, up or down. */
  readonly jitter: number;
  /** /view delay of images made by a `slow_view` prompt. */
  readonly slowViewMs: number;
}

/** What the executor needs. */
export interface PromptExecutorDeps {
  readonly catalog: NodeCatalog;
  readonly console: ComfyuiConsole;
  readonly files: FileStore;
  readonly models: LoadedModels;
  readonly timing: ExecutionTiming;
  /** Resolves after `ms`; rejects with `signal.reason` once the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  now(): number;
  random(): number;
  /** Where the prompt's websocket messages go. */
  readonly socket: SocketSender;
}

/** Runs queued prompts one at a time, with ComfyUI's output cache between prompts. */
export interface PromptExecutor {
  /**
   * Executes one prompt and returns its history entry (also on node errors and
   * interrupts). Rejects only when the signal aborts for a crash or shutdown.
   */
  execute(item: QueueItem, signal: AbortSignal): Promise<HistoryEntry>;
}

/**
 * Creates the executor; its cache keeps the node outputs of the last prompt, as ComfyUI's
 * classic cache does. It sends what ComfyUI's executor sends on the websocket
 * (execution.py, comfy_execution/progress.py; docs/comfyui.md "Sequences"): the
 * execution_* messages to the prompt's client_id (execution_interrupted to everyone when
 * there is none), `executing`/`executed` only when it has one, `progress_state` and
 * sampler `progress` to its client_id or else to everyone.
 */
export function createPromptExecutor(deps: PromptExecutorDeps): PromptExecutor {
  let cache = new Map<string, NodeResult>();
  return {
    async execute(item, signal) {
      const started = deps.now();
      const id = item.promptId;
      const socket = deps.socket;
      const clientId = item.extraData['client_id'] ?? null;
      socket.setRunning(clientId, null);
      const messages: HistoryEntry['status']['messages'] = [];
      const addMessage = (event: string, data: Record<string, unknown>, broadcast = false): void => {
        const message = { ...data, timestamp: deps.now() };
        messages.push([event, message]);
        if (clientId !== null || broadcast) socket.send(event, message, clientId);
      };
      const progress = createProgressRegistry(id, (data) => socket.send('progress_state', data, clientId));
      addMessage('execution_start', { prompt_id: id });
      const order = executionOrder(item.graph, item.outputs);
      const signatures = nodeSignatures(item.graph, executionOrder(item.graph, Object.keys(item.graph)));
      const usable = item.fault === undefined || item.fault === 'slow_view' ? cache : new Map<string, NodeResult>();
      // ComfyUI lists every node of the prompt with a cached output, in the prompt's order.
      const cached = Object.keys(item.graph).filter((n) => usable.has(signatures.get(n) as string));
      addMessage('execution_cached', { nodes: cached, prompt_id: id });
      const results = new Map<string, NodeResult>();
      const done: string[] = [];
      const faultNode = pickFaultNode(item.graph, order, deps.catalog);
      let fired = false;
      let current = '';
      const wait = (ms: number): Promise<void> => deps.sleep(ms <= 0 ? 0 : ms * (1 + deps.timing.jitter * (2 * deps.random() - 1)), signal);
      const faultPoint = async (nodeId: string, error: () => PythonError, inSampler = false): Promise<void> => {
        if (nodeId !== faultNode || fired || item.fault === undefined) return;
        fired = true;
        switch (item.fault) {
          case 'error':
            throw error();
          case 'oom':
            throw outOfMemoryError(inSampler);
          case 'hang':
            await new Promise<never>((_, reject) => {
              if (signal.aborted) reject(signal.reason);
              signal.addEventListener('abort', () => reject(signal.reason), { once: true });
            });
            return;
          case 'interrupt':
            deps.console.log(`Interrupting prompt ${id}`);
            throw STOP.interrupt;
          case 'crash':
            throw STOP.crash;
          case 'slow_view':
            return;
        }
      };
      let outcome: HistoryEntry['status'];
      try {
        for (const nodeId of order) {
          current = nodeId;
          const reuse = cached.includes(nodeId) ? usable.get(signatures.get(nodeId) as string) : undefined;
          if (reuse !== undefined) {
            results.set(nodeId, reuse);
            // Only output nodes are staged when cached: they resend their UI output.
            if (item.outputs.includes(nodeId)) {
              if (clientId !== null) socket.send('executed', executedData(nodeId, reuse.ui ?? null, id), clientId);
              progress.finish(nodeId);
            }
            continue;
          }
          progress.start(nodeId);
          if (clientId !== null) {
            socket.setRunning(clientId, nodeId);
            socket.send('executing', { node: nodeId, display_node: nodeId, prompt_id: id }, clientId);
          }
          const report = (value: number, max: number): void => {
            progress.update(nodeId, value, max);
            socket.send('progress', { value, max, prompt_id: id, node: nodeId }, clientId);
          };
          const ctx = nodeContext(deps, item, nodeId, results, { wait, signal, faultPoint, report });
          const result = await runNode(ctx);
          const sampler = isSamplerClass(ctx.nodeClass.name);
          await faultPoint(nodeId, sampler ? samplerShapeError : cudaError, sampler);
          results.set(nodeId, result);
          if (result.ui !== undefined && clientId !== null) socket.send('executed', executedData(nodeId, result.ui, id), clientId);
          progress.finish(nodeId);
          done.push(nodeId);
        }
        addMessage('execution_success', { prompt_id: id });
        outcome = { status_str: 'success', completed: true, messages };
      } catch (err) {
        if (err === STOP.crash || err === STOP.shutdown) throw err;
        const node = item.graph[current];
        const common = { prompt_id: id, node_id: current, node_type: node?.class_type ?? '', executed: [...done].reverse() };
        if (err === STOP.interrupt) {
          deps.console.log('Processing interrupted');
          addMessage('execution_interrupted', common, true);
        } else {
          const error = err instanceof PythonError ? err : new PythonError('RuntimeError', String(err));
          addMessage('execution_error', { ...common, ...describeExecutionError(deps, error, item, current, results) });
        }
        outcome = { status_str: 'error', completed: false, messages };
      }
      socket.setRunning(clientId, null);
      const next = new Map<string, NodeResult>();
      for (const [nodeId, result] of results) next.set(signatures.get(nodeId) as string, result);
      cache = next;
      deps.console.log(formatExecutedLine((deps.now() - started) / 1000));
      const outputs: Record<string, unknown> = {};
      const meta: Record<string, unknown> = {};
      for (const [nodeId, result] of results) {
        if (result.ui === undefined) continue;
        outputs[nodeId] = result.ui;
        meta[nodeId] = { node_id: nodeId, display_node: nodeId, parent_node: null, real_node_id: nodeId };
      }
      return {
        prompt: [item.number, id, item.graph, item.extraData, [...item.outputs]],
        outputs,
        status: outcome,
        meta,
      };
    },
  };
}

interface Runtime {
  wait(ms: number): Promise<void>;
  readonly signal: AbortSignal;
  faultPoint(nodeId: string, error: () => PythonError, inSampler?: boolean): Promise<void>;
  report(value: number, max: number): void;
}

function nodeContext(
  deps: PromptExecutorDeps,
  item: QueueItem,
  nodeId: string,
  results: ReadonlyMap<string, NodeResult>,
  runtime: Runtime,
): NodeContext {
  const node = item.graph[nodeId] as Graph[string];
  const inputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(node.inputs)) {
    inputs[name] = isLink(value) ? results.get(value[0])?.outputs[value[1]] : value;
  }
  return {
    id: nodeId,
    nodeClass: deps.catalog.get(node.class_type) as NodeClass,
    inputs,
    graph: item.graph,
    extraData: item.extraData,
    console: deps.console,
    files: deps.files,
    models: deps.models,
    timing: deps.timing,
    viewDelayMs: item.fault === 'slow_view' ? deps.timing.slowViewMs : 0,
    wait: runtime.wait,
    faultPoint: (error, inSampler) => runtime.faultPoint(nodeId, error, inSampler),
    progress: runtime.report,
    now: deps.now,
    random: deps.random,
  };
}

function executedData(nodeId: string, output: unknown, promptId: string): Record<string, unknown> {
  return { node: nodeId, display_node: nodeId, output, prompt_id: promptId };
}

// A node's cache key: its class, literal inputs and the keys of what it links to.
function nodeSignatures(graph: Graph, order: readonly string[]): Map<string, string> {
  const signatures = new Map<string, string>();
  for (const nodeId of order) {
    const node = graph[nodeId] as Graph[string];
    const inputs = Object.keys(node.inputs)
      .sort()
      .map((name) => {
        const value = node.inputs[name];
        return [name, isLink(value) ? [signatures.get(value[0]), value[1]] : value];
      });
    signatures.set(nodeId, JSON.stringify([node.class_type, inputs]));
  }
  return signatures;
}

// Where an injected fault strikes: the sampler, else the first output node, else the last node.
function pickFaultNode(graph: Graph, order: readonly string[], catalog: NodeCatalog): string | undefined {
  const classOf = (nodeId: string): string => graph[nodeId]?.class_type ?? '';
  return (
    order.find((n) => isSamplerClass(classOf(n))) ??
    order.find((n) => catalog.get(classOf(n))?.outputNode === true) ??
    order[order.length - 1]
  );
}
