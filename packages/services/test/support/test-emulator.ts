// Builds ComfyUI emulators for tests: no delays, a gate that holds execution until the
// test releases it (deterministic pending/running states), captured console output.
import type { Server } from 'node:http';
import { newId } from '@logtrace/shared';
import type { Hono } from 'hono';
import { attachComfyuiSocket } from '../../src/emulator/attach-comfyui-socket.js';
import { abortableSleep } from '../../src/emulator/abortable-sleep.js';
import { createComfyuiConsole } from '../../src/emulator/comfyui-console.js';
import { createEmulatorApp } from '../../src/emulator/create-emulator-app.js';
import { createEmulatorState, type EmulatorState } from '../../src/emulator/create-emulator-state.js';
import { readObjectInfoFile } from '../../src/emulator/node-catalog.js';
import type { HostLookup } from '../../src/emulator/find-origin-mismatch.js';
import type { Fault } from '../../src/emulator/pick-fault.js';

/** An emulator under test control. */
export interface TestEmulator {
  readonly app: Hono;
  readonly state: EmulatorState;
  /** Everything printed so far (the emulator's stderr). */
  output(): string;
  /** While held, every emulated wait blocks until release() (or an interrupt); the first `after` waits still pass. */
  hold(options?: { after?: number }): void;
  release(): void;
  /** A fetch that talks to this emulator without a socket. */
  readonly fetch: typeof fetch;
  /** Milliseconds of every wait requested so far (what a real clock would have slept). */
  readonly waits: number[];
  /** How often the crash fault fired. */
  crashes(): number;
  /** Serves the emulator's websocket on this server (refused with 404 when the option `websocket` is false). */
  attachSocket(server: Server): void;
  close(): void;
}

/** Options of createTestEmulator. */
export interface TestEmulatorOptions {
  readonly faults?: readonly Fault[];
  readonly faultRate?: number;
  readonly checkpoints?: readonly string[];
  /** Called when the crash fault fires (after the state was reset). */
  readonly onCrash?: () => void;
  /** Use real timers for waits of this many ms or more (slow_view tests); default never. */
  readonly realSleepFromMs?: number;
  readonly slowViewMs?: number;
  /** Whether `/ws` accepts websockets (default true). */
  readonly websocket?: boolean;
  /** Bytes of uploaded input files kept (default: the emulator's default). */
  readonly maxInputBytes?: number;
  /** The resolver of the Host/Origin check (default: the system's). */
  readonly lookup?: HostLookup;
}

const objectInfo = readObjectInfoFile();

/** Creates an emulator with zero execution times whose waits the test can hold. */
export async function createTestEmulator(options: TestEmulatorOptions = {}): Promise<TestEmulator> {
  let text = '';
  let held = false;
  let passes = 0;
  let releaseAll: Array<() => void> = [];
  let crashes = 0;
  const waits: number[] = [];
  const console = createComfyuiConsole({ write: (chunk) => (text += chunk) });
  const sleep = (ms: number, signal: AbortSignal): Promise<void> => {
    waits.push(ms);
    if (options.realSleepFromMs !== undefined && ms >= options.realSleepFromMs) return abortableSleep(ms, signal);
    if (!held || passes > 0) {
      if (held) passes -= 1;
      return abortableSleep(0, signal);
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason as unknown);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      releaseAll.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  };
  const state = await createEmulatorState({
    objectInfo,
    checkpoints: options.checkpoints ?? ['v1-5-pruned-emaonly.safetensors'],
    maxFiles: 1000,
    ...(options.maxInputBytes === undefined ? {} : { maxInputBytes: options.maxInputBytes }),
    timing: { stepMs: 0, nodeMs: 0, loadMs: 0, jitter: 0, slowViewMs: options.slowViewMs ?? 0 },
    console,
    sleep,
    now: Date.now,
    random: Math.random,
    onCrash: () => {
      crashes += 1;
      options.onCrash?.();
    },
  });
  const app = createEmulatorApp({
    state,
    console,
    faults: { faults: options.faults ?? [], rate: options.faultRate ?? 1 },
    host: '127.0.0.1',
    port: 8188,
    newId,
    random: Math.random,
    sleep,
    ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
  });
  return {
    app,
    state,
    output: () => text,
    hold: (hold = {}) => {
      held = true;
      passes = hold.after ?? 0;
    },
    release: () => {
      held = false;
      const ready = releaseAll;
      releaseAll = [];
      for (const go of ready) go();
    },
    fetch: ((input: string | URL | Request, init?: RequestInit) =>
      app.fetch(input instanceof Request ? input : new Request(input, init))) as typeof fetch,
    waits,
    crashes: () => crashes,
    attachSocket: (server) => {
      attachComfyuiSocket(server, {
        hub: state.sockets,
        console,
        enabled: options.websocket ?? true,
        ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
      });
    },
    close: () => state.close(),
  };
}

/** Polls `GET /history/{id}` on an app until the entry exists; returns the parsed body. */
export async function waitForHistory(app: Hono, promptId: string, prefix = ''): Promise<Record<string, unknown>> {
  for (let i = 0; i < 2000; i += 1) {
    const body = (await (await app.request(`${prefix}/history/${promptId}`)).json()) as Record<string, unknown>;
    if (Object.keys(body).length > 0) return body;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`prompt ${promptId} did not finish`);
}

/** POSTs JSON to an app. */
export function postJson(app: Hono, path: string, body: unknown): Promise<Response> {
  return Promise.resolve(
    app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  );
}

/** The weight-free workflow of the fixtures (EmptyImage → ImageInvert → SaveImage). */
export function weightFreeGraph(
  overrides: { width?: number; height?: number; color?: number; prefix?: string; text?: string } = {},
): Record<string, unknown> {
  return {
    '1': {
      class_type: 'EmptyImage',
      inputs: { width: overrides.width ?? 64, height: overrides.height ?? 64, batch_size: 1, color: overrides.color ?? 3368652 },
    },
    '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
    '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: overrides.prefix ?? 'ComfyUI' } },
    ...(overrides.text === undefined ? {} : { '4': { class_type: 'PrimitiveStringMultiline', inputs: { value: overrides.text } } }),
  };
}
