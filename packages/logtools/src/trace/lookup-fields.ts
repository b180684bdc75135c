import { ID_FIELDS, type NormalizedRecord } from '@logtrace/shared/schema';

/**
 * The fields `logtrace trace <id>` finds a request by: its linking ids, the
 * caller's own `client_request_id` (the X-Request-ID the backend kept beside its own
 * request_id) and the W3C `trace_id`. Only ID_FIELDS are followed as links: a client
 * id may be reused, and one trace may hold several requests.
 */
export const LOOKUP_FIELDS = [...ID_FIELDS, 'client_request_id', 'trace_id'] as const;

/** The lookup fields that stand for the request_id beside them rather than link by themselves. */
export const ALIAS_FIELDS: ReadonlySet<LookupField> = new Set(['client_request_id', 'trace_id']);

/** One of LOOKUP_FIELDS. */
export type LookupField = (typeof LOOKUP_FIELDS)[number];

/** A record's value of a lookup field, when it is a string. */
export function lookupValue(record: NormalizedRecord, field: LookupField): string | undefined {
  if (field !== 'client_request_id' && field !== 'trace_id') return record[field];
  const value = record.extra[field];
  return typeof value === 'string' ? value : undefined;
}
