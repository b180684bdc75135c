import { ID_FIELDS, type NormalizedRecord } from '@logtrace/shared/schema';

/**
 * The fields `logtrace trace <id>` finds a request by: its linking ids, and the
 * caller's own `client_request_id` (the X-Request-ID the backend kept beside its own
 * request_id). Only ID_FIELDS are followed as links: a client id may be reused.
 */
export const LOOKUP_FIELDS = [...ID_FIELDS, 'client_request_id'] as const;

/** One of LOOKUP_FIELDS. */
export type LookupField = (typeof LOOKUP_FIELDS)[number];

/** A record's value of a lookup field, when it is a string. */
export function lookupValue(record: NormalizedRecord, field: LookupField): string | undefined {
  if (field !== 'client_request_id') return record[field];
  const value = record.extra[field];
  return typeof value === 'string' ? value : undefined;
}
