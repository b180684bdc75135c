import type { Graph } from './prompt-types.js';

/** True for a link input `[node_id, slot]`. */
export function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}

/** Node ids in the order they run: every output's inputs first, depth first. */
export function executionOrder(graph: Graph, outputs: readonly string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (nodeId: string): void => {
    if (seen.has(nodeId) || graph[nodeId] === undefined) return;
    seen.add(nodeId);
    for (const value of Object.values(graph[nodeId].inputs)) if (isLink(value)) visit(value[0]);
    order.push(nodeId);
  };
  for (const output of outputs) visit(output);
  return order;
}
