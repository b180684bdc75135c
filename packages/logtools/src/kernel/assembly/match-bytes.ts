/** True when the len bytes at `at` equal those at `needle`. */
export function matches(at: usize, needle: usize, len: usize): bool {
  for (let j: usize = 0; j < len; j++) {
    if (load<u8>(at + j) != load<u8>(needle + j)) return false;
  }
  return true;
}
