import { createEnvReader } from '@logtrace/shared';
import { DEFAULT_MAX_INPUT_BYTES } from './file-store.js';
import { FAULTS, isFault, type Fault } from './pick-fault.js';

/** The emulator's configuration, read once at start. */
export interface EmulatorConfig {
  readonly host: string;
  readonly port: number;
  /** Milliseconds per sampler step (KSampler). */
  readonly stepMs: number;
  /** Milliseconds per other executed node. */
  readonly nodeMs: number;
  /** Milliseconds to load a checkpoint. */
  readonly loadMs: number;
  /** Fraction (0..1) each wait varies by, up or down. */
  readonly jitter: number;
  /** Faults given to a share of all prompts (markers in prompts work regardless). */
  readonly faults: readonly Fault[];
  /** Probability (0..1) that a prompt gets one of `faults`. */
  readonly faultRate: number;
  /** Milliseconds /view waits for images of a `slow_view` prompt. */
  readonly slowViewMs: number;
  /** Milliseconds the port refuses connections after a `crash`. */
  readonly crashDownMs: number;
  /** Checkpoint file names offered to CheckpointLoaderSimple. */
  readonly checkpoints: readonly string[];
  /** Output and temp images kept in memory; also the most uploaded input files kept. */
  readonly maxFiles: number;
  /** Whether `/ws` accepts websockets (`off`: answers 404, as a ComfyUI behind a proxy that drops upgrades). */
  readonly websocket: boolean;
  /** Bytes of uploaded input files kept in memory; the oldest are forgotten beyond this. */
  readonly maxInputBytes: number;
}

const FRACTION = /^(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+)$/;

/**
 * Reads the emulator's configuration from the environment, and from ComfyUI's own
 * `--listen [HOST]` and `--port N` arguments when given (so a start script can swap the
 * emulator for `python main.py` with the same flags). Reports every problem at once.
 */
export function loadEmulatorConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[] = []): EmulatorConfig {
  const read = createEnvReader(env);
  let host = read.string('HOST', '127.0.0.1');
  let port = read.port('PORT', 8188);
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (arg === '--listen') {
      host = next !== undefined && !next.startsWith('--') ? next : '0.0.0.0';
      if (host === next) i += 1;
    } else if (arg === '--port') {
      const n = Number(next);
      if (next === undefined || !/^\d+$/.test(next) || n > 65535)
        read.problem(`--port: expected a port number, got ${JSON.stringify(next ?? '')}`);
      else port = n;
      i += 1;
    } else {
      read.problem(`unknown argument ${JSON.stringify(arg)} (expected --listen [HOST] or --port N)`);
    }
  }
  const fraction = (name: string, fallback: string): number =>
    Number(read.string(name, fallback, { pattern: FRACTION, hint: 'a number from 0 to 1' }));
  const faultNames = read
    .string('EMULATOR_FAULTS', '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = faultNames.filter((name) => !isFault(name));
  if (unknown.length > 0) read.problem(`EMULATOR_FAULTS: unknown fault(s) ${unknown.join(', ')}; known: ${FAULTS.join(', ')}`);
  const config: EmulatorConfig = {
    host,
    port,
    stepMs: read.int('EMULATOR_STEP_MS', 50, { min: 0, max: 600_000 }),
    nodeMs: read.int('EMULATOR_NODE_MS', 10, { min: 0, max: 600_000 }),
    loadMs: read.int('EMULATOR_LOAD_MS', 1500, { min: 0, max: 600_000 }),
    jitter: fraction('EMULATOR_JITTER', '0.2'),
    faults: faultNames.filter(isFault),
    faultRate: fraction('EMULATOR_FAULT_RATE', '1'),
    slowViewMs: read.int('EMULATOR_SLOW_VIEW_MS', 30_000, { min: 0, max: 3_600_000 }),
    crashDownMs: read.int('EMULATOR_CRASH_MS', 5000, { min: 0, max: 3_600_000 }),
    checkpoints: read
      .string('EMULATOR_CHECKPOINTS', 'v1-5-pruned-emaonly.safetensors')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    maxFiles: read.int('EMULATOR_MAX_FILES', 1000, { min: 1, max: 1_000_000 }),
    websocket: read.oneOf('EMULATOR_WEBSOCKET', 'on', ['on', 'off'] as const) === 'on',
    maxInputBytes: read.int('EMULATOR_MAX_INPUT_BYTES', DEFAULT_MAX_INPUT_BYTES, { min: 0, max: 2 ** 40 }),
  };
  read.finish();
  return Object.freeze(config);
}
