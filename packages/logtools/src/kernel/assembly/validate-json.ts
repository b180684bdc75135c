// JSON validation of one line and location of its top-level keys (see validateLine).
import { FAST, KEY_TABLE, MAX_DEPTH, MAX_KEYS, SLOW, T_ARRAY, T_FALSE, T_NULL, T_NUMBER, T_OBJECT, T_STRING, T_STRING_ESC, T_TRUE } from './layout';
import { matches } from './match-bytes';

let gEscape: bool = false;
let gType: i32 = 0;

export function skipSpace(at: usize, end: usize): usize {
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
export function validateLine(s: usize, e: usize, rec: usize): i32 {
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
