import type { JobSpec, ScanJob } from './engine/scan-job.js';
import { postAttemptsJob } from './comfyui/post-attempts-job.js';
import { errorsJob } from './errors/errors-job.js';
import { perfJob } from './perf/perf-job.js';
import { traceJob } from './trace/trace-job.js';

/** The jobs a scan worker can run, by kind: one per command that reads the JSON-lines files. */
export const SCAN_JOBS: ReadonlyMap<string, ScanJob<JobSpec, unknown>> = new Map<string, ScanJob<JobSpec, unknown>>(
  [perfJob, traceJob, errorsJob, postAttemptsJob].map((job) => [job.kind, job]),
);
