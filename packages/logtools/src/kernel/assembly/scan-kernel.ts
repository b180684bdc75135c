// The byte-level hot loop of logtrace's JSON-lines reader, compiled to WebAssembly
// (SIMD) by `npm run build:kernel -w @logtrace/logtools`. No allocation: the host
// writes lines and tables into this module's memory at the fixed offsets of layout.ts
// and reads the result records back (layout and record format: src/kernel/kernel-layout.ts).
import { derive } from './derive-fields';
import { FAST, KIND_LEVEL, LEVEL_TABLE, LONG, MODE_ALL, MODE_NEEDLES, NEEDLE_TABLE, OUT_BASE, REC_BYTES } from './layout';
import { matches } from './match-bytes';
import { skipSpace, validateLine } from './validate-json';

let gLines: i32 = 0;
let gResume: usize = 0;

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






















