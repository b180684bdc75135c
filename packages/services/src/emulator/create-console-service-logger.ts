import { createLogger, type ServiceLogger } from '@logtrace/shared';
import type { ComfyuiConsole } from './comfyui-console.js';

/**
 * The emulator writes no JSON log: it prints what ComfyUI prints. This adapter lets the
 * shared process shell (runService) drive it: `service_start` prints the
 * `To see the GUI go to:` line, `service_stop` prints `Stopped server` after an empty
 * line, as ComfyUI does on Ctrl-C; other events print nothing.
 */
export function createConsoleServiceLogger(console: ComfyuiConsole, host: string): ServiceLogger {
  // A logger that writes nothing, for the parts of the interface the shell does not use.
  const silent = createLogger({ service: 'gpu_server', logDir: '.', level: 'silent', destination: { write: () => undefined } });
  const logger: ServiceLogger = {
    ...silent,
    event(name, fields) {
      if (name === 'service_start') {
        const shown = host.includes(':') ? `[${host}]` : host;
        console.log(`To see the GUI go to: http://${shown}:${String(fields['port'])}`);
      } else if (name === 'service_stop') {
        console.log('\nStopped server');
      }
    },
    child: () => logger,
  };
  return logger;
}
