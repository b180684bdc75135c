// The logtools library: the CLI entry point and the log generator, for scripts and benchmarks.
export { run, COMMANDS, VERSION } from './cli/run.js';
export type { CliIo, CliOutput } from './cli/cli-io.js';
export { EXIT_CODES, type ExitCode } from './logtrace-error.js';
export { generateLogs, type GenerateOptions, type GeneratedLogs } from './generator/generate-logs.js';
export type { ExpectedPerf, ExpectedErrorGroup, ExpectedRequest } from './generator/expected-answers.js';
