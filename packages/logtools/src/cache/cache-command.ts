import type { Argv } from 'yargs';
import type { CommandSpec } from '../cli/command-spec.js';

const ACTIONS = ['info', 'clear'] as const;

/** `logtrace cache info|clear`: what the cache holds, or empty it. */
export const cacheCommand: CommandSpec = {
  command: 'cache <action>',
  describe: 'Show what the cache holds (info) or empty it (clear)',
  options: {},
  builder(yargs: Argv): Argv {
    return yargs
      .positional('action', { choices: ACTIONS, describe: 'info: files, bytes indexed, size on disk; clear: remove every entry' })
      .example('logtrace cache info', 'Where the cache is, how many files it indexes and how big it is')
      .example('logtrace cache clear', 'Remove every entry (the next run of each command reads every file again)')
      .epilogue(
        'The cache lives in $LOGTRACE_CACHE_DIR, else $XDG_CACHE_HOME/logtrace, else ~/.cache/logtrace. ' +
          'It only ever saves time: --no-cache on any command gives the same answer.',
      );
  },
  async run(args, io) {
    const { runCacheCommand } = await import('./cache-handler.js');
    return runCacheCommand(args, io);
  },
};
