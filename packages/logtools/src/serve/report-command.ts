import type { Argv } from 'yargs';
import type { CommandSpec } from '../cli/command-spec.js';

/** `logtrace report --html FILE`: the web view's overview, errors and slowest traces in one self-contained file. */
export const reportCommand: CommandSpec = {
  command: 'report',
  describe: 'One self-contained HTML file (overview, errors, slowest traces) to attach to an incident ticket',
  options: {
    html: { type: 'string', describe: 'File to write (required)' },
    top: { type: 'number', default: 5, describe: 'How many of the slowest generations to include as traces (0–50)' },
    'max-window': { type: 'string', default: '7d', describe: 'Longest window the report may read: 1d, 7d, 30d' },
  },
  builder(yargs: Argv): Argv {
    return yargs
      .options(reportCommand.options)
      .example('$0 report --html incident.html', 'The last 24 h of data in ./logs (or $LOGTRACE_DIR)')
      .example('$0 report --html incident.html --since 2h --top 10', 'The last two hours of data and the ten slowest traces')
      .epilogue(
        'Scripts, styles and data are inlined: the file opens without a network (a Content-Security-Policy meta tag ' +
          'allows exactly the inlined scripts and styles, by hash). Relative times count back from the latest record.',
      );
  },
  async run(args, io) {
    const { runReport } = await import('./run-report.js');
    return runReport(args, io);
  },
};
