import type { Argv } from 'yargs';
import type { CommandSpec } from '../cli/command-spec.js';

/** `logtrace serve`: the web view of the logs (overview, traces, errors) on a local port. */
export const serveCommand: CommandSpec = {
  command: 'serve',
  describe: 'A local web view: overview charts, trace waterfalls, error groups (and /api/* with the --json shapes)',
  options: {
    port: { type: 'number', default: 8089, describe: 'Port to listen on (0: any free port)' },
    host: { type: 'string', default: '127.0.0.1', describe: 'Address to listen on; any but loopback requires a token' },
    token: { type: 'string', describe: 'Token every request must carry [default: $LOGTRACE_TOKEN]; required off loopback' },
    'max-window': { type: 'string', default: '7d', describe: 'Longest window one page may read: 1d, 7d, 30d' },
    live: { type: 'string', default: '2s', describe: 'How often open pages look for grown or rotated logs and redraw: 500ms, 2s, 10s' },
  },
  builder(yargs: Argv): Argv {
    return yargs
      .options(serveCommand.options)
      .example('$0 serve', 'http://127.0.0.1:8089/ over ./logs (or $LOGTRACE_DIR)')
      .example('$0 serve --dir /var/log/app --port 0', 'Any free port; the URL is printed')
      .example('LOGTRACE_TOKEN=... $0 serve --host 0.0.0.0', 'Reachable from other machines, with a token')
      .epilogue(
        'Pages show the last 24 h of data unless ?since= says otherwise; relative times count back from the latest record. ' +
          'Open pages redraw when the logs grow or rotate (checked every --live); Refresh reads them at once. Results are cached while the files are unchanged. Stop with Ctrl-C.',
      );
  },
  async run(args, io) {
    const { runServe } = await import('./run-serve.js');
    return runServe(args, io);
  },
};
