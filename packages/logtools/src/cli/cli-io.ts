/** Where the CLI writes text: process.stdout/stderr in the bin, buffers in tests. */
export interface CliOutput {
  write(text: string): void;
  /** True for a terminal (colour is used only then). */
  readonly isTTY?: boolean | undefined;
  /** Terminal width in characters. */
  readonly columns?: number | undefined;
}

/** Everything the CLI needs from the outside world; run() touches nothing else except the log files. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  /** Current time, epoch ms (for `--since 2h`; follow mode's clock). */
  readonly now: () => number;
  /**
   * For follow mode, which runs until stopped: starts listening for what ends it
   * (Ctrl-C, SIGTERM, a closed stdout) and returns the signal that says so. Without
   * it, following never ends.
   */
  readonly stopSignal?: (() => AbortSignal) | undefined;
}
