import type { DestinationHealth } from '@logtrace/shared';

/** The log fields of a service's `/health` answer. */
export interface LogHealthFields {
  /** Lines that could not be written (disk full, file unwritable). */
  readonly log_write_errors: number;
  /** Lines dropped because the retry buffer was full. */
  readonly log_dropped_lines: number;
  /** The last write error's message, once there was one. */
  readonly log_last_error?: string;
}

/**
 * The same log fields on every service's `/health`, so a monitor reads them one way: a
 * service that cannot write its log keeps serving and says so here. Pure.
 */
export function describeLogHealth(health: DestinationHealth): LogHealthFields {
  return {
    log_write_errors: health.writeErrors,
    log_dropped_lines: health.dropped,
    ...(health.lastError === undefined ? {} : { log_last_error: health.lastError }),
  };
}
