#!/usr/bin/env node
// The ComfyUI emulator: ComfyUI's HTTP API and console output, no GPU needed.
import { newId } from '@logtrace/shared';
import { startServer, type RunningServer } from '../http/start-server.js';
import { runMain, runService } from '../http/run-service.js';
import { abortableSleep } from '../emulator/abortable-sleep.js';
import { attachComfyuiSocket } from '../emulator/attach-comfyui-socket.js';
import { createComfyuiConsole } from '../emulator/comfyui-console.js';
import { createConsoleServiceLogger } from '../emulator/create-console-service-logger.js';
import { createEmulatorApp } from '../emulator/create-emulator-app.js';
import { createEmulatorState } from '../emulator/create-emulator-state.js';
import { formatStartupBanner } from '../emulator/emulated-machine.js';
import { loadEmulatorConfig } from '../emulator/load-emulator-config.js';
import { readObjectInfoFile } from '../emulator/node-catalog.js';
import { simulateCrash } from '../emulator/simulate-crash.js';

runMain('comfyui-emulator', async () => {
  const config = loadEmulatorConfig(process.env, process.argv.slice(2));
  const console = createComfyuiConsole({ write: (chunk) => process.stderr.write(chunk) });
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  const banner = (address: string): string[] => formatStartupBanner(address);
  for (const line of banner(url).slice(0, -1)) console.log(line);
  let running: RunningServer | undefined;
  let cancelRestart: () => void = () => undefined;
  const state = await createEmulatorState({
    objectInfo: readObjectInfoFile(),
    checkpoints: config.checkpoints,
    maxFiles: config.maxFiles,
    maxInputBytes: config.maxInputBytes,
    timing: config,
    console,
    sleep: abortableSleep,
    now: Date.now,
    random: Math.random,
    onCrash: () => {
      if (running === undefined) return;
      const back = `http://${config.host}:${running.port}`;
      cancelRestart = simulateCrash(running.server, config.crashDownMs, () => {
        for (const line of banner(back)) console.log(line);
      });
    },
  });
  const app = createEmulatorApp({
    state,
    console,
    faults: { faults: config.faults, rate: config.faultRate },
    host: config.host,
    port: config.port,
    newId,
    random: Math.random,
    sleep: abortableSleep,
  });
  await runService({
    logger: createConsoleServiceLogger(console, config.host),
    start: async () => {
      const server = await startServer({ fetch: app.fetch, host: config.host, port: config.port });
      attachComfyuiSocket(server.server, { hub: state.sockets, console, enabled: config.websocket });
      // Upgraded sockets are no longer the HTTP server's: close them first or stop() waits on them.
      running = {
        ...server,
        stop: (deadlineMs) => {
          state.sockets.closeAll();
          return server.stop(deadlineMs);
        },
      };
      return running;
    },
    summary: {},
    // Stopped while down after a crash: stay down.
    onStop: () => {
      cancelRestart();
      return state.close();
    },
  });
});
