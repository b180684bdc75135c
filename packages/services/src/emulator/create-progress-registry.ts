interface NodeState {
  state: 'running' | 'finished';
  value: number;
  max: number;
}

/** One prompt's node progress as ComfyUI's websocket reports it. */
export interface ProgressRegistry {
  /** A node starts (0 of 1). */
  start(nodeId: string): void;
  /** A node reports `value` of `max` steps. */
  update(nodeId: string, value: number, max: number): void;
  /** A node is done: its value becomes its max. */
  finish(nodeId: string): void;
}

/**
 * ComfyUI's ProgressRegistry with its websocket handler (comfy_execution/progress.py):
 * every change sends `progress_state` with the state of all nodes seen so far in the run.
 */
export function createProgressRegistry(promptId: string, send: (data: Record<string, unknown>) => void): ProgressRegistry {
  const nodes = new Map<string, NodeState>();
  const publish = (): void => {
    const shown: Record<string, unknown> = {};
    for (const [nodeId, s] of nodes) {
      shown[nodeId] = {
        value: s.value,
        max: s.max,
        state: s.state,
        node_id: nodeId,
        prompt_id: promptId,
        display_node_id: nodeId,
        parent_node_id: null,
        real_node_id: nodeId,
      };
    }
    send({ prompt_id: promptId, nodes: shown });
  };
  const entry = (nodeId: string): NodeState => {
    const found = nodes.get(nodeId) ?? { state: 'running', value: 0, max: 1 };
    nodes.set(nodeId, found);
    return found;
  };
  return {
    start(nodeId: string): void {
      Object.assign(entry(nodeId), { state: 'running', value: 0, max: 1 });
      publish();
    },
    update(nodeId: string, value: number, max: number): void {
      Object.assign(entry(nodeId), { state: 'running', value, max });
      publish();
    },
    finish(nodeId: string): void {
      const node = entry(nodeId);
      Object.assign(node, { state: 'finished', value: node.max });
      publish();
    },
  };
}
