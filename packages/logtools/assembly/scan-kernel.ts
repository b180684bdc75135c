// The byte-level hot loop of logtrace's JSON-lines reader, compiled to WebAssembly
// (SIMD) by `npm run build:kernel -w @logtrace/logtools`. No allocation: the host
// writes lines and tables into this module's memory at the fixed offsets below and
// reads the result records back. Layout and record format: src/input/scan-kernel.ts.

// Memory layout (bytes). Kept in sync with src/input/scan-kernel.ts.
const KEY_TABLE: usize = 65536; // 256 entries × 32 bytes: len, slot, key bytes
const NEEDLE_TABLE: usize = 73728; // 16 entries × 64 bytes: len, anchor a, anchor b, kind, bytes
const LEVEL_TABLE: usize = 74752; // 32 entries × 16 bytes: len, lower-case token
const EVENT_TABLE: usize = 75264; // 8 entries × 32 bytes: len, event name
const LEVEL_NAMES: usize = 75520; // 16 entries × 16 bytes: len, rank, lower-case level name
const OUT_BASE: usize = 131072; // result records
const MAX_KEYS: i32 = 24;
const MAX_EVENTS: i32 = 8;
const MAX_LEVEL_NAMES: i32 = 16;
// Slots of the keys the kernel reads itself (the host's KEY_NAMES order).
const SLOT_TIME: i32 = 0;
const SLOT_TIMESTAMP: i32 = 1;
const SLOT_LEVEL: i32 = 2;
const SLOT_LEVELNAME: i32 = 3;
const SLOT_EVENT: i32 = 6;
const SLOT_DURATION: i32 = 12;
// After the slots, what the kernel derives from them: event index (i32), level rank
// (i32), time (f64, epoch ms), duration_ms (f64). See derive().
const DERIVED: usize = 16 + (<usize>MAX_KEYS << 3);
const REC_WORDS: i32 = 4 + 2 * MAX_KEYS + 6;
/** Derived value: the host must read the field itself. */
const ASK: f64 = NaN;
/** Derived value: the field is missing or of a type that means "none". */
const NONE: f64 = -Infinity;
const RANK_ASK: i32 = -2;
const RANK_NONE: i32 = -1;
const REC_BYTES: usize = <usize>REC_WORDS * 4;

/** Record status: the line is valid JSON and its top-level keys are in the slots. */
const FAST: i32 = 0;
/** The kernel cannot vouch for the line: the host decodes it with JSON.parse. */
const SLOW: i32 = 1;
/** The line is longer than the cap: the host decides. */
const LONG: i32 = 2;

/** Value types stored in the top 4 bits of a slot's end. */
const T_STRING: i32 = 1;
const T_STRING_ESC: i32 = 2;
const T_NUMBER: i32 = 3;
const T_TRUE: i32 = 4;
const T_FALSE: i32 = 5;
const T_NULL: i32 = 6;
const T_OBJECT: i32 = 7;
const T_ARRAY: i32 = 8;

const MODE_ALL: i32 = 0;
const MODE_NEEDLES: i32 = 1;
const KIND_LEVEL: i32 = 1;
const MAX_DEPTH: i32 = 64;

let gLines: i32 = 0;
let gResume: usize = 0;
let gEscape: bool = false;
let gType: i32 = 0;

/** Newlines counted by the last scan call. */
export function lines(): i32 {
  return gLines;
}

/** Where the last scan call stopped (its `end` unless the output area filled up). */
export function resume(): usize {
  return gResume;
}

/**
 * Walks the whole lines of [start, end) (end is just past a `\n`): counts them, and
 * writes one record per candidate line (every line in MODE_ALL, lines holding a needle
 * in MODE_NEEDLES) and per line longer than maxLine, at most outCap records.
 * Sixteen bytes at a time: one compare finds the newlines; for the needles, two
 * compares per needle (its two rarest bytes, at their offsets) find where one may
 * start, and only those places are compared in full.
 */
export function scan(start: usize, end: usize, mode: i32, needles: i32, levels: i32, minRank: i32, maxLine: i32, outCap: i32): i32 {
  const nlv = i8x16.splat(0x0a);
  // The first three needles' anchors stay in locals; more needles take the table loop.
  const a0 = anchorOffset(0, 1);
  const b0 = anchorOffset(0, 2);
  const va0 = anchorByte(0, a0);
  const vb0 = anchorByte(0, b0);
  const a1 = anchorOffset(1, 1);
  const b1 = anchorOffset(1, 2);
  const va1 = anchorByte(1, a1);
  const vb1 = anchorByte(1, b1);
  const a2 = anchorOffset(2, 1);
  const b2 = anchorOffset(2, 2);
  const va2 = anchorByte(2, a2);
  const vb2 = anchorByte(2, b2);
  const search = mode == MODE_NEEDLES;
  let p = start;
  let lineStart = start;
  let hit: bool = mode == MODE_ALL;
  let lineNo: i32 = 0;
  let n: i32 = 0;
  // Thirty-two bytes a turn: bit k of a mask is byte p + k.
  while (p < end) {
    let nl = i8x16.bitmask(i8x16.eq(v128.load(p), nlv)) | (i8x16.bitmask(i8x16.eq(v128.load(p + 16), nlv)) << 16);
    let hits: i32 = 0;
    if (search) {
      let maybe = anchorMask(p, a0, b0, va0, vb0) | (anchorMask(p + 16, a0, b0, va0, vb0) << 16);
      if (needles > 1) maybe |= anchorMask(p, a1, b1, va1, vb1) | (anchorMask(p + 16, a1, b1, va1, vb1) << 16);
      if (needles > 2) maybe |= anchorMask(p, a2, b2, va2, vb2) | (anchorMask(p + 16, a2, b2, va2, vb2) << 16);
      if (needles > 3) maybe |= candidatesFrom(p, 3, needles) | (candidatesFrom(p + 16, 3, needles) << 16);
      if (maybe != 0) hits = verifyHits(p, maybe, end, needles, levels, minRank);
    }
    if (nl == 0 && hits == 0) {
      p += 32;
      continue;
    }
    if (p + 32 > end) {
      const keep = (1 << <i32>(end - p)) - 1;
      nl &= keep;
      hits &= keep;
    }
    while (nl != 0) {
      const bit = ctz(nl);
      const q = p + <usize>bit;
      const below = (1 << bit) - 1;
      if ((hits & below) != 0) hit = true;
      hits &= ~((below << 1) | 1);
      lineNo++;
      if (<i32>(q - lineStart) > maxLine) {
        writeHeader(n++, lineStart, q, lineNo, LONG);
      } else if (hit) {
        const rec = OUT_BASE + <usize>n * REC_BYTES;
        const status = validateLine(lineStart, q, rec);
        if (status == FAST) derive(rec);
        writeHeader(n++, lineStart, q, lineNo, status);
      }
      lineStart = q + 1;
      hit = mode == MODE_ALL;
      if (n >= outCap) {
        gLines = lineNo;
        gResume = lineStart;
        return n;
      }
      nl &= nl - 1;
    }
    if (hits != 0) hit = true;
    p += 32;
  }
  gLines = lineNo;
  gResume = end;
  return n;
}

/** Bit k set: the two anchor bytes (at offsets a and b) match for a needle starting at p + k. */
// @ts-ignore: decorator
@inline
function anchorMask(p: usize, a: usize, b: usize, va: v128, vb: v128): i32 {
  return i8x16.bitmask(v128.and(i8x16.eq(v128.load(p + a), va), i8x16.eq(v128.load(p + b), vb)));
}

function writeHeader(n: i32, s: usize, e: usize, lineNo: i32, status: i32): void {
  const rec = OUT_BASE + <usize>n * REC_BYTES;
  store<i32>(rec, <i32>s);
  store<i32>(rec, <i32>e, 4);
  store<i32>(rec, lineNo, 8);
  store<i32>(rec, status, 12);
}

/** Offset of anchor `which` (1 or 2) of needle i. */
function anchorOffset(i: i32, which: usize): usize {
  return <usize>load<u8>(NEEDLE_TABLE + (<usize>i << 6) + which);
}

/** The byte at offset `at` of needle i, in every lane. */
function anchorByte(i: i32, at: usize): v128 {
  return i8x16.splat(load<i8>(NEEDLE_TABLE + (<usize>i << 6) + 4 + at));
}

/** Bit k set: one of needles [from, count) may start at p + k (its anchor bytes match). */
function candidatesFrom(p: usize, from: i32, count: i32): i32 {
  let maybe: i32 = 0;
  for (let i = from; i < count; i++) {
    const a = anchorOffset(i, 1);
    const b = anchorOffset(i, 2);
    maybe |= i8x16.bitmask(v128.and(i8x16.eq(v128.load(p + a), anchorByte(i, a)), i8x16.eq(v128.load(p + b), anchorByte(i, b))));
  }
  return maybe;
}

/** Of the places in `maybe`, those where a needle starts (level keys: and whose value may reach minRank). */
function verifyHits(p: usize, maybe: i32, end: usize, needles: i32, levels: i32, minRank: i32): i32 {
  let hits: i32 = 0;
  let m = maybe;
  while (m != 0) {
    const k = ctz(m);
    const at = p + <usize>k;
    for (let i: i32 = 0; i < needles; i++) {
      const entry = NEEDLE_TABLE + (<usize>i << 6);
      const len = <usize>load<u8>(entry);
      if (at + len <= end && matches(at, entry + 4, len)) {
        if (load<u8>(entry, 3) != KIND_LEVEL || levelMayReach(at + len, end, levels, minRank)) {
          hits |= 1 << k;
          break;
        }
      }
    }
    m &= m - 1;
  }
  return hits;
}

function matches(at: usize, needle: usize, len: usize): bool {
  for (let j: usize = 0; j < len; j++) {
    if (load<u8>(at + j) != load<u8>(needle + j)) return false;
  }
  return true;
}

/**
 * After `"level`: whether this is the `"level"` or `"levelname"` key and its value may
 * mean minRank or above: a listed token (any case), an integer at or above minRank
 * (0 for DEBUG), any other number, or a string with an escape or too long to read.
 */
function levelMayReach(at: usize, end: usize, levels: i32, minRank: i32): bool {
  let p = at;
  if (p < end && load<u8>(p) == 0x22) p++;
  else if (p + 5 <= end && load<u8>(p) == 0x6e && load<u8>(p + 1) == 0x61 && load<u8>(p + 2) == 0x6d && load<u8>(p + 3) == 0x65 && load<u8>(p + 4) == 0x22) p += 5;
  else return false;
  p = skipSpace(p, end);
  if (p >= end || load<u8>(p) != 0x3a) return false;
  p = skipSpace(p + 1, end);
  if (p >= end) return false;
  const c = <i32>load<u8>(p);
  if (c == 0x22) {
    const s = p + 1;
    let q = s;
    while (q < end && q - s <= 24) {
      const d = load<u8>(q);
      if (d == 0x5c) return true;
      if (d == 0x22) break;
      q++;
    }
    if (q >= end || load<u8>(q) != 0x22) return true;
    return levelListed(s, q, levels);
  }
  if (c >= 0x30 && c <= 0x39) {
    let q = p;
    let value: i32 = 0;
    while (q < end && q - p < 6) {
      const d = <i32>load<u8>(q);
      if (d < 0x30 || d > 0x39) break;
      value = value * 10 + d - 0x30;
      q++;
    }
    const d = q < end ? <i32>load<u8>(q) : 0x20;
    if (d == 0x2e || d == 0x65 || d == 0x45 || (d >= 0x30 && d <= 0x39)) return true;
    return value >= (minRank <= 20 ? 0 : minRank);
  }
  return c == 0x2d;
}

function levelListed(s: usize, e: usize, levels: i32): bool {
  const len = e - s;
  for (let i: i32 = 0; i < levels; i++) {
    const entry = LEVEL_TABLE + (<usize>i << 4);
    if (<usize>load<u8>(entry) != len) continue;
    let same = true;
    for (let j: usize = 0; j < len && same; j++) {
      let c = <i32>load<u8>(s + j);
      if (c >= 0x41 && c <= 0x5a) c |= 0x20;
      same = c == <i32>load<u8>(entry + 1 + j);
    }
    if (same) return true;
  }
  return false;
}

function skipSpace(at: usize, end: usize): usize {
  let p = at;
  while (p < end) {
    const c = load<u8>(p);
    if (c != 0x20 && c != 0x09 && c != 0x0d) break;
    p++;
  }
  return p;
}

/**
 * FAST when [s, e) is one JSON object (RFC 8259, as JSON.parse reads it) made of
 * ASCII only, with no escape in a key and no nesting deeper than MAX_DEPTH; then each
 * top-level key found in the key table has its value's bounds in its slot (the last
 * one wins, as with JSON.parse). SLOW otherwise, including for invalid lines.
 */
function validateLine(s: usize, e: usize, rec: usize): i32 {
  for (let k: i32 = 0; k < MAX_KEYS; k++) store<i32>(rec + 16 + (<usize>k << 3), -1);
  let p = skipSpace(s, e);
  if (p >= e || load<u8>(p) != 0x7b) return SLOW;
  p = skipSpace(p + 1, e);
  if (p < e && load<u8>(p) == 0x7d) return SLOW;
  while (true) {
    if (p >= e || load<u8>(p) != 0x22) return SLOW;
    const keyStart = p + 1;
    p = scanString(keyStart, e);
    if (p == 0 || gEscape) return SLOW;
    const slot = lookupKey(keyStart, p - 1);
    p = skipSpace(p, e);
    if (p >= e || load<u8>(p) != 0x3a) return SLOW;
    p = skipSpace(p + 1, e);
    const valueStart = p;
    p = scanValue(p, e, 1);
    if (p == 0) return SLOW;
    if (slot >= 0) {
      const at = rec + 16 + (<usize>slot << 3);
      store<i32>(at, <i32>valueStart);
      store<i32>(at, <i32>p | (gType << 28), 4);
    }
    p = skipSpace(p, e);
    if (p >= e) return SLOW;
    const c = load<u8>(p);
    if (c == 0x2c) {
      p = skipSpace(p + 1, e);
      continue;
    }
    if (c != 0x7d) return SLOW;
    p = skipSpace(p + 1, e);
    return p == e ? FAST : SLOW;
  }
}

/** Slot of a key in the host's table, or -1. */
function lookupKey(s: usize, e: usize): i32 {
  const len = <i32>(e - s);
  if (len == 0 || len > 30) return -1;
  let h = (len * 7 + <i32>load<u8>(s) * 31 + <i32>load<u8>(e - 1) * 13) & 255;
  while (true) {
    const entry = KEY_TABLE + (<usize>h << 5);
    const l = <i32>load<u8>(entry);
    if (l == 0) return -1;
    if (l == len && matches(s, entry + 2, <usize>len)) return <i32>load<u8>(entry, 1);
    h = (h + 1) & 255;
  }
}

/** Position after a value starting at p, or 0 when it is not valid JSON; sets gType. */
function scanValue(p: usize, e: usize, depth: i32): usize {
  if (p >= e) return 0;
  const c = <i32>load<u8>(p);
  if (c == 0x22) {
    const q = scanString(p + 1, e);
    gType = gEscape ? T_STRING_ESC : T_STRING;
    return q;
  }
  if (c == 0x2d || (c >= 0x30 && c <= 0x39)) {
    gType = T_NUMBER;
    return scanNumber(p, e);
  }
  if (c == 0x74) {
    gType = T_TRUE;
    return p + 4 <= e && load<u8>(p + 1) == 0x72 && load<u8>(p + 2) == 0x75 && load<u8>(p + 3) == 0x65 ? p + 4 : 0;
  }
  if (c == 0x66) {
    gType = T_FALSE;
    return p + 5 <= e && load<u8>(p + 1) == 0x61 && load<u8>(p + 2) == 0x6c && load<u8>(p + 3) == 0x73 && load<u8>(p + 4) == 0x65 ? p + 5 : 0;
  }
  if (c == 0x6e) {
    gType = T_NULL;
    return p + 4 <= e && load<u8>(p + 1) == 0x75 && load<u8>(p + 2) == 0x6c && load<u8>(p + 3) == 0x6c ? p + 4 : 0;
  }
  if (depth >= MAX_DEPTH) return 0;
  if (c == 0x7b) {
    const q = scanObject(p + 1, e, depth + 1);
    gType = T_OBJECT;
    return q;
  }
  if (c == 0x5b) {
    const q = scanArray(p + 1, e, depth + 1);
    gType = T_ARRAY;
    return q;
  }
  return 0;
}

function scanObject(at: usize, e: usize, depth: i32): usize {
  let p = skipSpace(at, e);
  if (p < e && load<u8>(p) == 0x7d) return p + 1;
  while (true) {
    if (p >= e || load<u8>(p) != 0x22) return 0;
    p = scanString(p + 1, e);
    if (p == 0) return 0;
    p = skipSpace(p, e);
    if (p >= e || load<u8>(p) != 0x3a) return 0;
    p = scanValue(skipSpace(p + 1, e), e, depth);
    if (p == 0) return 0;
    p = skipSpace(p, e);
    if (p >= e) return 0;
    const c = load<u8>(p);
    if (c == 0x7d) return p + 1;
    if (c != 0x2c) return 0;
    p = skipSpace(p + 1, e);
  }
}

function scanArray(at: usize, e: usize, depth: i32): usize {
  let p = skipSpace(at, e);
  if (p < e && load<u8>(p) == 0x5d) return p + 1;
  while (true) {
    p = scanValue(p, e, depth);
    if (p == 0) return 0;
    p = skipSpace(p, e);
    if (p >= e) return 0;
    const c = load<u8>(p);
    if (c == 0x5d) return p + 1;
    if (c != 0x2c) return 0;
    p = skipSpace(p + 1, e);
  }
}

/**
 * Position after the closing quote of a string whose content starts at p, or 0 when
 * it is invalid or holds a non-ASCII byte (left to the host's UTF-8 check). Sixteen
 * bytes at a time: a quote, a backslash, a control byte or a byte >= 0x80 stops the
 * vector loop. Sets gEscape when the string holds an escape.
 */
function scanString(at: usize, e: usize): usize {
  const quote = i8x16.splat(0x22);
  const backslash = i8x16.splat(0x5c);
  const space = i8x16.splat(0x20);
  let p = at;
  gEscape = false;
  while (true) {
    const v = v128.load(p);
    const m = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash)), i8x16.lt_s(v, space)));
    if (m == 0) {
      p += 16;
      if (p >= e) return 0;
      continue;
    }
    const q = p + <usize>ctz(m);
    if (q >= e) return 0;
    const c = load<u8>(q);
    if (c == 0x22) return q + 1;
    if (c != 0x5c) return 0;
    gEscape = true;
    if (q + 1 >= e) return 0;
    const d = load<u8>(q + 1);
    if (d == 0x75) {
      if (q + 6 > e || !isHex(load<u8>(q + 2)) || !isHex(load<u8>(q + 3)) || !isHex(load<u8>(q + 4)) || !isHex(load<u8>(q + 5))) return 0;
      p = q + 6;
    } else if (d == 0x22 || d == 0x5c || d == 0x2f || d == 0x62 || d == 0x66 || d == 0x6e || d == 0x72 || d == 0x74) {
      p = q + 2;
    } else {
      return 0;
    }
  }
}

function isHex(c: u8): bool {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** Position after a JSON number starting at p, or 0. */
function scanNumber(at: usize, e: usize): usize {
  let p = at;
  if (load<u8>(p) == 0x2d) p++;
  if (p >= e) return 0;
  let c = load<u8>(p);
  if (c == 0x30) {
    p++;
  } else if (c >= 0x31 && c <= 0x39) {
    p = digits(p + 1, e);
  } else {
    return 0;
  }
  if (p < e && load<u8>(p) == 0x2e) {
    const q = digits(p + 1, e);
    if (q == p + 1) return 0;
    p = q;
  }
  if (p < e) {
    c = load<u8>(p);
    if (c == 0x65 || c == 0x45) {
      p++;
      if (p < e && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) p++;
      const q = digits(p, e);
      if (q == p) return 0;
      p = q;
    }
  }
  return p;
}

function digits(at: usize, e: usize): usize {
  let p = at;
  while (p < e) {
    const c = load<u8>(p);
    if (c < 0x30 || c > 0x39) break;
    p++;
  }
  return p;
}

/**
 * What the host would otherwise read from the slots of a FAST line, computed here for
 * the common shapes (else ASK / RANK_ASK, and the host reads the field itself):
 * the index of `event` in the event table; the level's rank (normalizeLevel of
 * `level`, else `levelname`); the time in epoch ms (parseTime of `time`, else
 * `timestamp`: ISO-8601 in UTC or without zone, or epoch seconds or milliseconds);
 * `duration_ms` when it is a whole number.
 */
function derive(rec: usize): void {
  store<i32>(rec + DERIVED, eventIndex(rec));
  store<i32>(rec + DERIVED + 4, levelRank(rec));
  store<f64>(rec + DERIVED + 8, timeValue(rec));
  store<f64>(rec + DERIVED + 16, durationValue(rec));
}

function slotStart(rec: usize, slot: i32): i32 {
  return load<i32>(rec + 16 + (<usize>slot << 3));
}

function slotWord(rec: usize, slot: i32): i32 {
  return load<i32>(rec + 20 + (<usize>slot << 3));
}

function slotType(rec: usize, slot: i32): i32 {
  return slotStart(rec, slot) < 0 ? 0 : <i32>(<u32>slotWord(rec, slot) >> 28);
}

/** `level` unless it is missing or null, then `levelname` (JavaScript's `??`); same for time. */
function present(rec: usize, slot: i32, fallback: i32): i32 {
  const type = slotType(rec, slot);
  return type == 0 || type == T_NULL ? fallback : slot;
}

function eventIndex(rec: usize): i32 {
  if (slotType(rec, SLOT_EVENT) != T_STRING) return -1;
  const s = <usize>slotStart(rec, SLOT_EVENT) + 1;
  const len = <usize>(slotWord(rec, SLOT_EVENT) & 0x0fffffff) - 1 - s;
  for (let i: i32 = 0; i < MAX_EVENTS; i++) {
    const entry = EVENT_TABLE + (<usize>i << 5);
    const l = <usize>load<u8>(entry);
    if (l == 0) break;
    if (l == len && matches(s, entry + 1, len)) return i;
  }
  return -1;
}

function levelRank(rec: usize): i32 {
  const slot = present(rec, SLOT_LEVEL, SLOT_LEVELNAME);
  const type = slotType(rec, slot);
  const s = <usize>slotStart(rec, slot);
  const e = <usize>(slotWord(rec, slot) & 0x0fffffff);
  if (type == T_STRING) {
    const len = e - 2 - s;
    for (let i: i32 = 0; i < MAX_LEVEL_NAMES; i++) {
      const entry = LEVEL_NAMES + (<usize>i << 4);
      const l = <usize>load<u8>(entry);
      if (l == 0) break;
      if (l != len) continue;
      let same = true;
      for (let j: usize = 0; j < len && same; j++) {
        let c = <i32>load<u8>(s + 1 + j);
        if (c >= 0x41 && c <= 0x5a) c |= 0x20;
        same = c == <i32>load<u8>(entry + 2 + j);
      }
      if (same) return <i32>load<u8>(entry, 1);
    }
    return RANK_NONE;
  }
  if (type == T_NUMBER) {
    const v = wholeNumber(s, e);
    if (isNaN(v)) return RANK_ASK;
    return v >= 60 ? 60 : v >= 50 ? 50 : v >= 40 ? 40 : v >= 30 ? 30 : 20;
  }
  return type == T_STRING_ESC ? RANK_ASK : RANK_NONE;
}

function timeValue(rec: usize): f64 {
  const slot = present(rec, SLOT_TIME, SLOT_TIMESTAMP);
  const type = slotType(rec, slot);
  const s = <usize>slotStart(rec, slot);
  const e = <usize>(slotWord(rec, slot) & 0x0fffffff);
  if (type == T_STRING) return isoTime(s + 1, e - 1);
  if (type == T_NUMBER) {
    const v = wholeNumber(s, e);
    if (isNaN(v)) return ASK;
    if (v <= 0) return NONE;
    if (v < 1e11) return v * 1000;
    return v < 1e14 ? v : ASK;
  }
  return type == T_STRING_ESC ? ASK : NONE;
}

function durationValue(rec: usize): f64 {
  if (slotType(rec, SLOT_DURATION) != T_NUMBER) return NONE;
  return wholeNumber(<usize>slotStart(rec, SLOT_DURATION), <usize>(slotWord(rec, SLOT_DURATION) & 0x0fffffff));
}

/** The digits of [s, e) as a number when they are only digits (at most 15), else NaN. */
function wholeNumber(s: usize, e: usize): f64 {
  if (e <= s || e - s > 15) return NaN;
  let v: f64 = 0;
  for (let p = s; p < e; p++) {
    const c = <i32>load<u8>(p);
    if (c < 0x30 || c > 0x39) return NaN;
    v = v * 10 + <f64>(c - 0x30);
  }
  return v;
}

function digit2(p: usize): i32 {
  const a = <i32>load<u8>(p) - 0x30;
  const b = <i32>load<u8>(p + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * parseTime of `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z]` at [p, end), for years from
 * 100 (Date.UTC maps 0–99 to 1900–1999) and months 1–12: days from the civil date,
 * then hours, minutes, seconds and the first three fraction digits, as Date.UTC adds
 * them. ASK for any other text.
 */
function isoTime(p: usize, end: usize): f64 {
  const len = end - p;
  if (len < 19) return ASK;
  const sep = load<u8>(p + 10);
  if (load<u8>(p + 4) != 0x2d || load<u8>(p + 7) != 0x2d || (sep != 0x54 && sep != 0x20) || load<u8>(p + 13) != 0x3a || load<u8>(p + 16) != 0x3a) return ASK;
  const y1 = digit2(p);
  const y2 = digit2(p + 2);
  const mo = digit2(p + 5);
  const d = digit2(p + 8);
  const h = digit2(p + 11);
  const mi = digit2(p + 14);
  const sec = digit2(p + 17);
  if ((y1 | y2 | mo | d | h | mi | sec) < 0) return ASK;
  let y = y1 * 100 + y2;
  if (y < 100 || mo < 1 || mo > 12) return ASK;
  let q = p + 19;
  let ms: i32 = 0;
  if (q < end && (load<u8>(q) == 0x2e || load<u8>(q) == 0x2c)) {
    q++;
    const first = q;
    while (q < end) {
      const c = <i32>load<u8>(q) - 0x30;
      if (c < 0 || c > 9) break;
      if (q - first < 3) ms = ms * 10 + c;
      q++;
    }
    const digits = <i32>(q - first);
    if (digits == 0 || digits > 9) return ASK;
    if (digits == 1) ms *= 100;
    else if (digits == 2) ms *= 10;
  }
  if (q < end && (load<u8>(q) == 0x5a || load<u8>(q) == 0x7a)) q++;
  if (q != end) return ASK;
  if (mo <= 2) y -= 1;
  const era = y / 400;
  const yoe = y - era * 400;
  const doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const days = <f64>(era * 146097 + doe - 719468);
  return days * 86400000 + <f64>h * 3600000 + <f64>mi * 60000 + <f64>sec * 1000 + <f64>ms;
}
