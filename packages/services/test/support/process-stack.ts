// The three built binaries wired together on real 127.0.0.1 ports, each a child
// process: ComfyUI emulator (no delays) ← GPU server ← backend, logging to one LOG_DIR.
import path from 'node:path';
import { BIN, emulatorUrl, spawnService, startedPort, type ServiceChild } from './service-process.js';

/** A running process stack. */
export interface ProcessStack {
  readonly emulator: ServiceChild;
  readonly gpu: ServiceChild;
  readonly backend: ServiceChild;
  /** Base URLs. */
  readonly urls: { readonly emulator: string; readonly gpu: string; readonly backend: string };
  readonly logFiles: { readonly gpu: string; readonly backend: string };
  /** SIGKILLs whatever still runs. */
  kill(): void;
}

/** Extra environment per process. */
export interface ProcessStackEnv {
  readonly emulator?: Readonly<Record<string, string>>;
  readonly gpu?: Readonly<Record<string, string>>;
  readonly backend?: Readonly<Record<string, string>>;
}

/** Starts emulator, GPU server and backend (in that order, each on port 0) and waits until each listens. */
export async function startProcessStack(logDir: string, env: ProcessStackEnv = {}): Promise<ProcessStack> {
  const started: ServiceChild[] = [];
  const kill = (): void => {
    for (const child of started) child.kill('SIGKILL');
  };
  try {
    const emulator = spawnService(
      BIN.emulator,
      { EMULATOR_STEP_MS: '0', EMULATOR_NODE_MS: '0', EMULATOR_LOAD_MS: '0', EMULATOR_JITTER: '0', ...env.emulator },
      ['--listen', '127.0.0.1', '--port', '0'],
    );
    started.push(emulator);
    const comfyui = await emulatorUrl(emulator);
    const gpuLog = path.join(logDir, 'gpu_server.log');
    const gpu = spawnService(BIN.gpuServer, { PORT: '0', LOG_DIR: logDir, COMFYUI_URL: comfyui, ...env.gpu });
    started.push(gpu);
    const gpuUrl = `http://127.0.0.1:${await startedPort(gpuLog)}`;
    const backendLog = path.join(logDir, 'backend.log');
    const backend = spawnService(BIN.backend, { PORT: '0', LOG_DIR: logDir, GPU_SERVER_URL: gpuUrl, ...env.backend });
    started.push(backend);
    const backendUrl = `http://127.0.0.1:${await startedPort(backendLog)}`;
    return {
      emulator,
      gpu,
      backend,
      urls: { emulator: comfyui, gpu: gpuUrl, backend: backendUrl },
      logFiles: { gpu: gpuLog, backend: backendLog },
      kill,
    };
  } catch (err) {
    kill();
    throw err;
  }
}
