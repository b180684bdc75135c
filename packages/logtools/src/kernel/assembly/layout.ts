// Memory layout, record format and codes shared by the scan kernel's modules. Kept in
// sync with src/input/scan-kernel.ts (the host side).
export const KEY_TABLE: usize = 65536; // 256 entries × 32 bytes: len, slot, key bytes
export const NEEDLE_TABLE: usize = 73728; // 16 entries × 64 bytes: len, anchor a, anchor b, kind, bytes
export const LEVEL_TABLE: usize = 74752; // 32 entries × 16 bytes: len, lower-case token
export const EVENT_TABLE: usize = 75264; // 8 entries × 32 bytes: len, event name
export const LEVEL_NAMES: usize = 75520; // 16 entries × 16 bytes: len, rank, lower-case level name
export const OUT_BASE: usize = 131072; // result records
export const MAX_KEYS: i32 = 24;
export const MAX_EVENTS: i32 = 8;
export const MAX_LEVEL_NAMES: i32 = 16;
// Slots of the keys the kernel reads itself (the host's KEY_NAMES order).
export const SLOT_TIME: i32 = 0;
export const SLOT_TIMESTAMP: i32 = 1;
export const SLOT_LEVEL: i32 = 2;
export const SLOT_LEVELNAME: i32 = 3;
export const SLOT_EVENT: i32 = 6;
export const SLOT_DURATION: i32 = 12;
// After the slots, what the kernel derives from them: event index (i32), level rank
// (i32), time (f64, epoch ms), duration_ms (f64). See derive().
export const DERIVED: usize = 16 + (<usize>MAX_KEYS << 3);
export const REC_WORDS: i32 = 4 + 2 * MAX_KEYS + 6;
/** Derived value: the host must read the field itself. */
export const ASK: f64 = NaN;
/** Derived value: the field is missing or of a type that means "none". */
export const NONE: f64 = -Infinity;
export const RANK_ASK: i32 = -2;
export const RANK_NONE: i32 = -1;
export const REC_BYTES: usize = <usize>REC_WORDS * 4;

/** Record status: the line is valid JSON and its top-level keys are in the slots. */
export const FAST: i32 = 0;
/** The kernel cannot vouch for the line: the host decodes it with JSON.parse. */
export const SLOW: i32 = 1;
/** The line is longer than the cap: the host decides. */
export const LONG: i32 = 2;

/** Value types stored in the top 4 bits of a slot's end. */
export const T_STRING: i32 = 1;
export const T_STRING_ESC: i32 = 2;
export const T_NUMBER: i32 = 3;
export const T_TRUE: i32 = 4;
export const T_FALSE: i32 = 5;
export const T_NULL: i32 = 6;
export const T_OBJECT: i32 = 7;
export const T_ARRAY: i32 = 8;

export const MODE_ALL: i32 = 0;
export const MODE_NEEDLES: i32 = 1;
export const KIND_LEVEL: i32 = 1;
export const MAX_DEPTH: i32 = 64;

/** True when the len bytes at `at` equal those at `needle`. */
export function matches(at: usize, needle: usize, len: usize): bool {
  for (let j: usize = 0; j < len; j++) {
    if (load<u8>(at + j) != load<u8>(needle + j)) return false;
  }
  return true;
}
