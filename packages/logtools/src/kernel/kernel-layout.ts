// The scan kernel's memory layout, record format and codes: the one definition both
// sides use. The host (scan-kernel.ts, fast-line.ts, read-json-lines.ts) imports it;
// the AssemblyScript side gets assembly/layout.ts, written from it by
// `npm run build:kernel -w @logtrace/logtools` (a test checks that file is current).
import { LEVEL_ALIASES, RECORD_KEYS, type FieldName, type RecordKey } from '@logtrace/shared/schema';

/**
 * The top-level keys the kernel locates in each line it parses: the keys a record's
 * core fields come from (shared RECORD_KEYS, in that order), then the fields readers
 * need besides. A key's index is its slot in a result record.
 */
export const KEY_NAMES: readonly KeyName[] = Object.freeze([
  ...RECORD_KEYS,
  'status',
  'comfyui_cancel',
  // perf's ComfyUI stages, node classes and sampler speed (issue 13)
  'queue_wait_ms',
  'execution_ms',
  'node_id',
  'class_type',
  'steps_per_s',
  'value',
  'max',
  // trace by the caller's own id (issue 18)
  'client_request_id',
  // the machine a record names (core/record-host.ts)
  'hostname',
  'host',
]);

/** One of KEY_NAMES. */
export type KeyName = RecordKey | FieldName | 'host';

/** Slot index of each key in a result record. */
export const SLOT = Object.freeze(Object.fromEntries(KEY_NAMES.map((k, i) => [k, i])) as Readonly<Record<KeyName, number>>);

/** Every level spelling the kernel reads itself (normalizeLevel's aliases; any case), with its rank. */
export const LEVEL_WORDS: readonly string[] = Object.freeze([...LEVEL_ALIASES.keys()]);

/** Memory offsets (bytes) of the tables the host writes and the records the kernel writes. */
export const KEY_TABLE = 65536; // 256 entries × 32 bytes: len, slot, key bytes
export const NEEDLE_TABLE = 73728; // 16 entries × 64 bytes: len, anchor a, anchor b, kind, bytes
export const LEVEL_TABLE = 74752; // 32 entries × 16 bytes: len, lower-case token
export const EVENT_TABLE = 75264; // 8 entries × 32 bytes: len, event name
export const LEVEL_NAMES = 75520; // 16 entries × 16 bytes: len, rank, lower-case level name
export const OUT_BASE = 131072; // result records
/** Where lines to scan are placed, and how many bytes fit (64 more stay zero for vector reads). */
export const IN_BASE = 1024 * 1024;
export const IN_BYTES = 6 * 1024 * 1024;

export const MAX_KEYS = 40;
export const MAX_EVENTS = 8;
export const MAX_LEVEL_NAMES = 16;
export const MAX_NEEDLES = 16;
export const MAX_NEEDLE_BYTES = 60;
export const MAX_LEVEL_TOKENS = 32;
/** Nesting the kernel validates itself; deeper lines go to JSON.parse. */
export const MAX_DEPTH = 64;

/** Words per result record: start, end, line number, status, two per key slot, then the derived values. */
export const REC_WORDS = 4 + 2 * MAX_KEYS + 6;
/** Word offset in a record of what the kernel derives for a fast line: event index, level rank, then two f64: time, duration. */
export const DERIVED_WORD = 4 + 2 * MAX_KEYS;

/** Status of a result record: parsed by the kernel, left to JSON.parse, longer than the cap. */
export const LINE_STATUS = Object.freeze({ fast: 0, slow: 1, long: 2 } as const);

/** Value types of a key slot (top 4 bits of its end word). */
export const VALUE_TYPE = Object.freeze({
  absent: 0,
  string: 1,
  escapedString: 2,
  number: 3,
  true: 4,
  false: 5,
  null: 6,
  object: 7,
  array: 8,
} as const);

/** Which lines a scan returns: every line, or those holding a needle. */
export const SCAN_MODE = Object.freeze({ all: 0, needles: 1 } as const);
/** Kind of a needle: plain bytes, or a level key whose value is checked. */
export const NEEDLE_KIND = Object.freeze({ bytes: 0, level: 1 } as const);
/** Derived time or duration: the host must read the field itself (NaN), or the field is missing or "none" (-Infinity). */
export const DERIVED_ASK = Number.NaN;
export const DERIVED_NONE = -Infinity;
/** Derived level rank: the host must read the level itself, or the line has none. */
export const RANK_ASK = -2;
export const RANK_NONE = -1;

if (KEY_NAMES.length > MAX_KEYS) throw new Error(`the scan kernel locates at most ${MAX_KEYS} keys, ${KEY_NAMES.length} are listed`);
if (LEVEL_WORDS.length > MAX_LEVEL_NAMES)
  throw new Error(`the scan kernel reads at most ${MAX_LEVEL_NAMES} level words, ${LEVEL_WORDS.length} are listed`);

type AssemblyType = 'usize' | 'i32' | 'f64';

/** What assembly/layout.ts declares: name, AssemblyScript type, value. */
const ASSEMBLY_CONSTANTS: readonly (readonly [string, AssemblyType, number])[] = [
  ['KEY_TABLE', 'usize', KEY_TABLE],
  ['NEEDLE_TABLE', 'usize', NEEDLE_TABLE],
  ['LEVEL_TABLE', 'usize', LEVEL_TABLE],
  ['EVENT_TABLE', 'usize', EVENT_TABLE],
  ['LEVEL_NAMES', 'usize', LEVEL_NAMES],
  ['OUT_BASE', 'usize', OUT_BASE],
  ['MAX_KEYS', 'i32', MAX_KEYS],
  ['MAX_EVENTS', 'i32', MAX_EVENTS],
  ['MAX_LEVEL_NAMES', 'i32', MAX_LEVEL_NAMES],
  ['MAX_DEPTH', 'i32', MAX_DEPTH],
  ['SLOT_TIME', 'i32', SLOT.time],
  ['SLOT_TIMESTAMP', 'i32', SLOT.timestamp],
  ['SLOT_LEVEL', 'i32', SLOT.level],
  ['SLOT_LEVELNAME', 'i32', SLOT.levelname],
  ['SLOT_EVENT', 'i32', SLOT.event],
  ['SLOT_DURATION', 'i32', SLOT.duration_ms],
  ['DERIVED', 'usize', DERIVED_WORD * 4],
  ['REC_WORDS', 'i32', REC_WORDS],
  ['REC_BYTES', 'usize', REC_WORDS * 4],
  ['ASK', 'f64', DERIVED_ASK],
  ['NONE', 'f64', DERIVED_NONE],
  ['RANK_ASK', 'i32', RANK_ASK],
  ['RANK_NONE', 'i32', RANK_NONE],
  ['FAST', 'i32', LINE_STATUS.fast],
  ['SLOW', 'i32', LINE_STATUS.slow],
  ['LONG', 'i32', LINE_STATUS.long],
  ['T_STRING', 'i32', VALUE_TYPE.string],
  ['T_STRING_ESC', 'i32', VALUE_TYPE.escapedString],
  ['T_NUMBER', 'i32', VALUE_TYPE.number],
  ['T_TRUE', 'i32', VALUE_TYPE.true],
  ['T_FALSE', 'i32', VALUE_TYPE.false],
  ['T_NULL', 'i32', VALUE_TYPE.null],
  ['T_OBJECT', 'i32', VALUE_TYPE.object],
  ['T_ARRAY', 'i32', VALUE_TYPE.array],
  ['MODE_ALL', 'i32', SCAN_MODE.all],
  ['MODE_NEEDLES', 'i32', SCAN_MODE.needles],
  ['KIND_LEVEL', 'i32', NEEDLE_KIND.level],
];

/** The text of assembly/layout.ts: the constants above, typed for AssemblyScript. */
export function assemblyLayoutSource(): string {
  const literal = (value: number) => (Number.isNaN(value) ? 'NaN' : String(value));
  return [
    '// Generated by scripts/build-kernel.mjs from src/kernel/kernel-layout.ts (the memory',
    '// layout, record format and codes the host uses too): do not edit.',
    ...ASSEMBLY_CONSTANTS.map(([name, type, value]) => `export const ${name}: ${type} = ${literal(value)};`),
    '',
  ].join('\n');
}
