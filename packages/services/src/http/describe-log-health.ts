import type { DestinationHealth } from '@logtrace/shared';

/** The log fields of a service's `/health` answer. */
export interface LogHealthFields {
  /** Failed writes to the log file (disk full, file unwritable): attempts, not lines. */
  readonly log_write_errors: number;
  /** Log lines that are not whole in the file: the count an operator is missing. */
  readonly log_lines_lost: number;
  /** The last write error's message, once there was one. */
  readonly log_last_error?: string;
}

/**
 * The same log fields on every service's `/health`, so a monitor reads them one way: a
 * service that cannot write its log keeps serving and says so here. `health.dropped`
 * is read as the lines lost (createServiceLogger counts them there). Pure.
 */
export function describeLogHealth(health: DestinationHealth): LogHealthFields {
  return {
    log_write_errors: health.writeErrors,
    log_lines_lost: health.dropped,
    ...(health.lastError === undefined ? {} : { log_last_error: health.lastError }),
  };
}
