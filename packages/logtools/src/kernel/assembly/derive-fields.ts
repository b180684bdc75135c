// Values the kernel reads itself from a valid line's slots (see derive).
import { ASK, DERIVED, EVENT_TABLE, LEVEL_NAMES, MAX_EVENTS, MAX_LEVEL_NAMES, NONE, RANK_ASK, RANK_NONE, SLOT_DURATION, SLOT_EVENT, SLOT_LEVEL, SLOT_LEVELNAME, SLOT_TIME, SLOT_TIMESTAMP, T_NULL, T_NUMBER, T_STRING, T_STRING_ESC } from './layout';
import { matches } from './match-bytes';

/**
 * What the host would otherwise read from the slots of a FAST line, computed here for
 * the common shapes (else ASK / RANK_ASK, and the host reads the field itself):
 * the index of `event` in the event table; the level's rank (normalizeLevel of
 * `level`, else `levelname`); the time in epoch ms (parseTime of `time`, else
 * `timestamp`: ISO-8601 in UTC or without zone, or epoch seconds or milliseconds);
 * `duration_ms` when it is a whole number.
 */
export function derive(rec: usize): void {
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
    let sub = false;
    while (q < end) {
      const c = <i32>load<u8>(q) - 0x30;
      if (c < 0 || c > 9) break;
      if (q - first < 3) ms = ms * 10 + c;
      else if (c != 0) sub = true;
      q++;
    }
    const digits = <i32>(q - first);
    // Digits past the millisecond are kept as a fraction: the host reads those (parseIsoBytes).
    if (digits == 0 || digits > 9 || sub) return ASK;
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
