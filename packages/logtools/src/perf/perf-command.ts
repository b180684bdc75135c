import { defineScanCommand } from '../cli/define-scan-command.js';

/** `logtrace perf`: generation time and stage statistics, ComfyUI's node classes, cache and sampler speed, slow generations, per-bucket p95. */
export const perfCommand = defineScanCommand({
  command: 'perf',
  describe: 'Generation time and stage statistics, slow generations, p95 per hour',
  options: {
    slow: { type: 'string', default: '60s', describe: 'List generations at or above this duration: 90s, 2m, 60000 (ms)' },
    top: { type: 'number', default: 20, describe: 'How many slow generations to list, slowest first (the count covers all)' },
    bucket: { type: 'string', default: '1h', describe: 'Width of the time buckets of the count/p95 table: 15m, 1h, 1d' },
    by: {
      type: 'string',
      describe:
        "Also give the statistics per host: --by host (a record's hostname/host field, else its directory's name when several --dir are given)",
    },
    'by-node': {
      type: 'boolean',
      default: false,
      describe: "Add a table of ComfyUI's node classes: executions, cached reuses, avg/p50/p95/max time (always in --json)",
    },
  },
  examples: [
    ['$0 perf', 'Statistics over ./logs (or $LOGTRACE_DIR)'],
    ['$0 perf --since 2h --slow 90s --top 5', 'The last two hours; the five slowest generations over 90 s'],
    ['$0 perf --bucket 15m', 'Count and p95 per quarter hour'],
    ['$0 perf --by-node --since 1d', 'Which ComfyUI node classes take the time, and how often their outputs come from the cache'],
    ['$0 perf --json | jq .generation.p95_ms', 'p95 of generation time, for a script'],
    ['$0 perf --dir gpu-1/logs --dir gpu-2/logs --by host', 'The same statistics for each machine'],
  ],
  epilogue:
    'Generation time is comfyui_complete.duration_ms (prompt sent to ComfyUI → outputs ready). Stages: backend end-to-end ' +
    '(response_sent.duration_ms), GPU round trip (gpu_response.duration_ms), image transfer (image_retrieved.duration_ms), and from ' +
    "ComfyUI's websocket: queue wait and execution (comfyui_complete.queue_wait_ms and execution_ms, prompts that succeeded). " +
    'Node classes: comfyui_node_executed.duration_ms and comfyui_nodes_cached; sampler speed: ' +
    'comfyui_progress.steps_per_s. ' +
    'Percentiles are exact, nearest rank: pN is the value at rank ⌈N/100 · n⌉ of the sorted values. ' +
    'Exit 1 when no duration was found.',
  load: async () => (await import('./perf-handler.js')).perfHandler,
});
