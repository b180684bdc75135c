import { fstatSync, writeSync } from 'node:fs';

/** How many writes to stdout/stderr failed since makeStdioSafe (lost messages). */
export interface StdioFailures {
  readonly stdout: number;
  readonly stderr: number;
}

let failures = { stdout: 0, stderr: 0 };
let installed = false;

/**
 * Makes writes to the process's stdout and stderr as harmless as a failing log line.
 * startup.sh sends them to `$LOG_DIR/<service>.out`, on the log disk: when that disk is
 * full, Node's file-backed stderr throws ENOSPC into whoever wrote (a write-error report,
 * a fatal message) and leaves the stream stuck; a pipe whose reader died emits EPIPE as
 * an uncaught 'error'. After this call a write to a file or device is one synchronous
 * write(2) that reaches the file or is lost and counted, and never throws; a pipe or
 * terminal keeps Node's own stream, whose errors are counted instead of crashing the
 * process. Idempotent; returns a function giving the failure counts.
 */
export function makeStdioSafe(): () => StdioFailures {
  if (!installed) {
    installed = true;
    guard(process.stdout, 1, 'stdout');
    guard(process.stderr, 2, 'stderr');
  }
  return () => ({ ...failures });
}

function guard(stream: NodeJS.WriteStream, fd: number, name: keyof StdioFailures): void {
  const count = (): void => {
    failures = { ...failures, [name]: failures[name] + 1 };
  };
  stream.on('error', count);
  // Pipes (the ComfyUI emulator writes to the line stamper) are non-blocking once Node
  // opened them: a synchronous write would fail with EAGAIN whenever the reader lags.
  // Node's pipe stream copes with that; only its errors needed a listener.
  if (stream.isTTY || !isFileOrDevice(fd)) return;
  stream.write = function safeWrite(
    chunk: string | Uint8Array,
    encoding?: BufferEncoding | ((err?: Error | null) => void),
    callback?: (err?: Error | null) => void,
  ): boolean {
    const done = typeof encoding === 'function' ? encoding : callback;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : chunk;
    let written = 0;
    try {
      while (written < bytes.length) {
        const n = writeSync(fd, bytes, written, bytes.length - written);
        if (n <= 0) throw new Error('write(2) wrote nothing');
        written += n;
      }
    } catch {
      count();
    }
    if (done !== undefined) process.nextTick(done);
    return true;
  } as NodeJS.WriteStream['write'];
}

function isFileOrDevice(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFile() || stat.isCharacterDevice();
  } catch {
    return false;
  }
}
