import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { ScannedSegment } from '../engine/scan-index.js';
import type { FileIdentity } from './file-identity.js';

/** Bumped whenever the layout of an entry or of a job's partial results changes. */
export const ENTRY_FORMAT = 1;

const MAGIC = Buffer.from('LTCACHE\n', 'latin1');

/** What an entry says about itself, readable without its payload (`cache info` reads only this). */
export interface EntryHeader {
  readonly format: number;
  /** The logtrace version that wrote it: another version's partial results are never reused. */
  readonly version: string;
  readonly kind: string;
  /** The job's spec as stableSpecKey gives it. */
  readonly spec: string;
  readonly service: string;
  readonly gz: boolean;
  /** The file's path when it was written (for `cache info`; the file is known by its identity). */
  readonly path: string;
  readonly identity: FileIdentity;
  readonly segments: number;
  readonly payloadBytes: number;
  readonly payloadHash: string;
}

/** An entry: one file's segments for one job and spec. */
export interface CacheEntry {
  readonly header: EntryHeader;
  readonly segments: readonly ScannedSegment<unknown>[];
}

/** A cache file that cannot be used, and why (said with --verbose). */
export class BadEntryError extends Error {}

/** The spec as text, the same for equal specs (JSON; numbers that JSON cannot hold, such as an open window's ±Infinity, spelled out). */
export function stableSpecKey(spec: unknown): string {
  return JSON.stringify(spec, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? `number:${String(value)}` : value,
  );
}

/** The bytes of an entry: magic, header length (u32), header JSON, payload (v8 serialization of the segments). */
export function encodeEntry(
  header: Omit<EntryHeader, 'payloadBytes' | 'payloadHash' | 'segments' | 'format'>,
  segments: readonly ScannedSegment<unknown>[],
): Buffer {
  const payload = serialize(segments);
  const full: EntryHeader = {
    ...header,
    format: ENTRY_FORMAT,
    segments: segments.length,
    payloadBytes: payload.length,
    payloadHash: hashOf(payload),
  };
  const head = Buffer.from(JSON.stringify(full), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.length);
  return Buffer.concat([MAGIC, length, head, payload]);
}

/** Reads an entry's header from its first bytes (all of it, or a prefix holding the header). */
export function decodeHeader(bytes: Buffer): { header: EntryHeader; payloadStart: number } {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC))
    throw new BadEntryError('not a logtrace cache file');
  const length = bytes.readUInt32LE(MAGIC.length);
  const payloadStart = MAGIC.length + 4 + length;
  if (payloadStart > bytes.length) throw new BadEntryError('cut short in its header');
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.subarray(MAGIC.length + 4, payloadStart).toString('utf8'));
  } catch {
    throw new BadEntryError('its header is not JSON');
  }
  if (!isHeader(parsed)) throw new BadEntryError('its header is not one this version writes');
  return { header: parsed, payloadStart };
}

/** Reads a whole entry, checking its format, version and payload hash. */
export function decodeEntry(bytes: Buffer, version: string): CacheEntry {
  const { header, payloadStart } = decodeHeader(bytes);
  if (header.format !== ENTRY_FORMAT || header.version !== version)
    throw new BadEntryError(`written by another logtrace version (${header.version}, format ${header.format})`);
  const payload = bytes.subarray(payloadStart);
  if (payload.length !== header.payloadBytes)
    throw new BadEntryError(`cut short (${payload.length} of ${header.payloadBytes} payload bytes)`);
  if (hashOf(payload) !== header.payloadHash) throw new BadEntryError('corrupt (its checksum does not match)');
  let segments: unknown;
  try {
    segments = deserialize(payload);
  } catch {
    throw new BadEntryError('corrupt (its payload does not deserialize)');
  }
  if (!isSegmentList(segments, header.identity.end, header.segments))
    throw new BadEntryError('its segments do not cover the indexed bytes');
  return { header, segments };
}

function hashOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isHeader(value: unknown): value is EntryHeader {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as Record<string, unknown>;
  const id = h['identity'] as Record<string, unknown> | undefined;
  return (
    typeof h['format'] === 'number' &&
    typeof h['version'] === 'string' &&
    typeof h['kind'] === 'string' &&
    typeof h['spec'] === 'string' &&
    typeof h['service'] === 'string' &&
    typeof h['gz'] === 'boolean' &&
    typeof h['path'] === 'string' &&
    typeof h['segments'] === 'number' &&
    typeof h['payloadBytes'] === 'number' &&
    typeof h['payloadHash'] === 'string' &&
    typeof id === 'object' &&
    id !== null &&
    ['dev', 'ino', 'headLength', 'end', 'tailStart'].every((k) => typeof id[k] === 'number') &&
    typeof id['headHash'] === 'string' &&
    typeof id['tailHash'] === 'string'
  );
}

/** Segments from byte 0 to `end`, each starting where the one before ended, each with a result. */
function isSegmentList(value: unknown, end: number, count: number): value is ScannedSegment<unknown>[] {
  if (!Array.isArray(value) || value.length !== count || count === 0) return false;
  let at = 0;
  for (const s of value as unknown[]) {
    if (typeof s !== 'object' || s === null) return false;
    const { start, end: segmentEnd, result } = s as Record<string, unknown>;
    if (start !== at || typeof segmentEnd !== 'number' || segmentEnd < at || typeof result !== 'object' || result === null) return false;
    at = segmentEnd;
  }
  return at === end;
}
