import { defineScanCommand } from '../cli/define-scan-command.js';

/** `logtrace errors`: errors of every service and ComfyUI's exceptions and rejected prompts, grouped. */
export const errorsCommand = defineScanCommand({
  command: 'errors',
  describe: 'Errors of every service plus ComfyUI exceptions and rejected prompts, grouped and counted',
  options: {
    level: { type: 'string', default: 'error', describe: 'Lowest level reported: warn adds warnings such as validation_error' },
    service: { type: 'string', array: true, describe: 'Only this service (repeatable): backend, gpu_server, comfyui, ...' },
    full: { type: 'boolean', default: false, describe: 'Print tracebacks whole, not their first and last lines' },
    host: {
      type: 'string',
      array: true,
      describe: "Only this host (repeatable): a record's hostname/host field, else its directory's name when several --dir are given",
    },
    group: {
      type: 'boolean',
      default: true,
      describe: 'Group and count (--no-group lists every error, in time order; NDJSON with --json)',
    },
  },
  examples: [
    ['$0 errors', 'Error groups over ./logs (or $LOGTRACE_DIR), most frequent first'],
    ['$0 errors --since 1h --level warn', 'The last hour, warnings included'],
    ['$0 errors --service comfyui', "ComfyUI's exceptions (type, message, last frame) and rejected prompts"],
    ['$0 errors --service comfyui --full', 'The same, each traceback printed whole'],
    ['$0 errors --dir gpu-1/logs --dir gpu-2/logs --host gpu-2', 'The errors of one machine, read beside the others'],
    ['$0 errors --no-group --json | jq -r .request_id', 'One JSON line per error, for a script'],
  ],
  epilogue:
    'Groups are keyed by service, event, error_code and the message with ids, numbers, addresses and paths masked; ' +
    "ComfyUI exceptions by exception type, message and the traceback's last frame. Exit 1 when there is no error.",
  load: async () => (await import('./errors-handler.js')).errorsHandler,
});
