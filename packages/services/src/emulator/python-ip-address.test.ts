import { describe, expect, it } from 'vitest';
import { pyIpAddress } from './python-ip-address.js';

describe('pyIpAddress (Python 3.11 ipaddress.ip_address)', () => {
  it.each([
    ['127.0.0.1', { version: 4, loopback: true }],
    ['127.255.0.9', { version: 4, loopback: true }],
    ['128.0.0.1', { version: 4, loopback: false }],
    ['::1', { version: 6, loopback: true }],
    ['0:0:0:0:0:0:0:0001', { version: 6, loopback: true }],
    ['::1%lo', { version: 6, loopback: true }],
    ['::ffff:127.0.0.1', { version: 6, loopback: false }],
    ['fe80::1%eth0', { version: 6, loopback: false }],
    ['1::', { version: 6, loopback: false }],
  ])('%s → %j', (text, expected) => {
    expect(pyIpAddress(text)).toEqual(expected);
  });

  it.each([
    '127.000.000.001',
    '127.1',
    '2130706433',
    '0x7f.0.0.1',
    '256.0.0.1',
    '1::2::3',
    ':1',
    '1:',
    '::1%',
    '::1%a%b',
    '12345::',
    'localhost',
    '',
    '::1/128',
  ])('%j is no address (ValueError)', (text) => {
    expect(pyIpAddress(text)).toBeUndefined();
  });
});
