import type { Argv } from 'yargs';
import type { CommandSpec } from '../cli/command-spec.js';
import { FOLLOW_SETTINGS_OPTIONS } from './follow-options.js';

const TAIL_OPTIONS = {
  service: { type: 'string', array: true, describe: 'Only this service (repeatable): backend, gpu_server, comfyui, ...' },
  level: { type: 'string', default: 'debug', describe: 'Lowest level shown: debug (everything), info, warn, error, fatal' },
  id: {
    type: 'string',
    describe: "Only lines of this request: a request, generation or prompt id or its prefix (ComfyUI's lines by attribution)",
  },
  ...FOLLOW_SETTINGS_OPTIONS,
} as const;

/** `logtrace tail`: every log of the directory as one live stream, merged by time. */
export const tailCommand: CommandSpec = {
  command: 'tail',
  describe: 'Follow every log as it grows: one stream merged by time, rotation and truncation followed',
  options: TAIL_OPTIONS,
  builder(yargs: Argv): Argv {
    return yargs
      .options(TAIL_OPTIONS)
      .example('$0 tail', 'Every new line of every log in ./logs (or $LOGTRACE_DIR), Ctrl-C to stop')
      .example('$0 tail --since 10m --level warn', 'The last ten minutes, then live, warnings and errors only')
      .example('$0 tail --service comfyui --json | jq -r .msg', 'ComfyUI live, one JSON object per line')
      .example('$0 tail --id 9d2b7f8e', 'One request as it happens, ComfyUI lines included')
      .epilogue(
        'Lines are shown as errors --no-group shows them (NDJSON with --json), held --window-ms so that lines of different ' +
          'files come out in time order. Rotated files (renamed, .1 then .gz) are read to their end and the new file from its ' +
          'start; a truncated file (copytruncate) is read again from 0, with a note on stderr; *.log files created later are ' +
          'followed; an unfinished last line waits for its newline. ComfyUI lines carry the request they were attributed to. ' +
          'Exit 0 on Ctrl-C or when the reader of the output goes away.',
      );
  },
  async run(args, io) {
    const { tailHandler } = await import('./tail-handler.js');
    return tailHandler(args, io);
  },
};
