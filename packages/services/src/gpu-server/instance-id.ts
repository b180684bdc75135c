import { createHash } from 'node:crypto';

/**
 * The default instance id of a GPU server, put in the marker of every prompt it
 * submits so that its next run can tell its own orphaned prompts from other clients'
 * and other GPU servers': the first 12 hex digits of the SHA-256 of the host name (the
 * name itself would end up in every PNG's metadata) and the configured port. A server
 * on port 0 gets a port of its own each start, so it gets `fresh` instead and never
 * claims another run's prompts. Pure.
 */
export function defaultInstanceId(hostname: string, port: number, fresh: () => string): string {
  const host = createHash('sha256').update(hostname, 'utf8').digest('hex').slice(0, 12);
  return `${host}:${port === 0 ? fresh() : String(port)}`;
}
