/** Text of bytes[s, e) read as Latin-1 (the kernel passes ASCII only): Buffer's fastest decoder. */
export function latin1(bytes: Buffer, s: number, e: number): string {
  return (bytes as unknown as { latin1Slice(start: number, end: number): string }).latin1Slice(s, e);
}
