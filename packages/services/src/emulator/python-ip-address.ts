/** What Python's `ipaddress.ip_address(text)` makes of a string. */
export interface PyIpAddress {
  readonly version: 4 | 6;
  /** `is_loopback` as Python 3.11 has it: 127.0.0.0/8, or exactly ::1 (an IPv4-mapped ::ffff:127.x is not). */
  readonly loopback: boolean;
}

/**
 * Python 3.11's `ipaddress.ip_address(text)` for a string: a strict dotted-quad IPv4
 * address (no leading zeros, no shorthand) or an IPv6 address (hextets of up to 4 hex
 * digits, one `::`, an optional trailing dotted quad and `%scope`). Undefined where
 * Python raises ValueError. Pure.
 */
export function pyIpAddress(text: string): PyIpAddress | undefined {
  if (text.includes('/')) return undefined;
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, loopback: v4 >>> 24 === 127 };
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return { version: 6, loopback: v6.slice(0, 7).every((h) => h === 0) && v6[7] === 1 };
  return undefined;
}

function parseIpv4(text: string): number | undefined {
  const octets = text.split('.');
  if (octets.length !== 4) return undefined;
  let value = 0;
  for (const octet of octets) {
    if (!/^[0-9]{1,3}$/.test(octet) || (octet !== '0' && octet.startsWith('0'))) return undefined;
    const n = Number(octet);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

function parseIpv6(text: string): number[] | undefined {
  const percent = text.indexOf('%');
  let address = text;
  if (percent >= 0) {
    const scope = text.slice(percent + 1);
    if (scope === '' || scope.includes('%')) return undefined;
    address = text.slice(0, percent);
  }
  if (address === '') return undefined;
  const parts = address.split(':');
  if (parts.length < 3) return undefined;
  const last = parts[parts.length - 1] as string;
  if (last.includes('.')) {
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    parts.splice(parts.length - 1, 1, ((v4 >>> 16) & 0xffff).toString(16), (v4 & 0xffff).toString(16));
  }
  if (parts.length > 9) return undefined;
  let skip: number | undefined;
  for (let i = 1; i < parts.length - 1; i += 1) {
    if (parts[i] !== '') continue;
    if (skip !== undefined) return undefined;
    skip = i;
  }
  let hi: number;
  let lo: number;
  let skipped: number;
  if (skip !== undefined) {
    hi = skip;
    lo = parts.length - skip - 1;
    if (parts[0] === '' && --hi !== 0) return undefined;
    if (parts[parts.length - 1] === '' && --lo !== 0) return undefined;
    skipped = 8 - (hi + lo);
    if (skipped < 1) return undefined;
  } else {
    if (parts.length !== 8 || parts[0] === '' || parts[7] === '') return undefined;
    hi = 8;
    lo = 0;
    skipped = 0;
  }
  const hextets: number[] = [];
  for (const part of [...parts.slice(0, hi), ...Array<string>(skipped).fill('0'), ...parts.slice(parts.length - lo)]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
    hextets.push(Number.parseInt(part, 16));
  }
  return hextets;
}
