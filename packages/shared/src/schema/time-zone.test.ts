import { describe, expect, it } from 'vitest';
import { parseTime } from './parse-time.js';
import { LOCAL_ZONE, machineTimeZone, resolveTimeZone, UTC_ZONE, type TimeZone } from './time-zone.js';

const wall = (iso: string) => Date.parse(`${iso}Z`);
const zone = (name: string) => resolveTimeZone(name) as TimeZone;

describe('time zones for times written without one', () => {
  it('take the offset in force at the time, across daylight-saving changes', () => {
    const ny = zone('America/New_York');
    expect(ny.utc).toBe(false);
    expect(ny.fromWallClock(wall('2026-03-08T01:59:59.999'))).toBe(Date.parse('2026-03-08T06:59:59.999Z'));
    expect(ny.fromWallClock(wall('2026-03-08T03:00:00.000'))).toBe(Date.parse('2026-03-08T07:00:00.000Z'));
    expect(ny.fromWallClock(wall('2026-07-01T12:00:00'))).toBe(Date.parse('2026-07-01T16:00:00Z'));
    expect(ny.fromWallClock(wall('2026-11-01T00:59:00'))).toBe(Date.parse('2026-11-01T04:59:00Z'));
    expect(ny.fromWallClock(wall('2026-11-01T02:00:00'))).toBe(Date.parse('2026-11-01T07:00:00Z'));
    const sydney = zone('Australia/Sydney');
    expect(sydney.fromWallClock(wall('2026-01-15T10:00:00'))).toBe(Date.parse('2026-01-14T23:00:00Z'));
    expect(sydney.fromWallClock(wall('2026-06-15T10:00:00'))).toBe(Date.parse('2026-06-15T00:00:00Z'));
    expect(zone('Asia/Kolkata').fromWallClock(wall('2026-06-15T10:00:00'))).toBe(Date.parse('2026-06-15T04:30:00Z'));
  });

  it('read a repeated hour as its first time, and a skipped hour with the offset before the change', () => {
    const ny = zone('America/New_York');
    expect(ny.fromWallClock(wall('2026-11-01T01:30:00'))).toBe(Date.parse('2026-11-01T05:30:00Z'));
    expect(ny.fromWallClock(wall('2026-03-08T02:30:00'))).toBe(Date.parse('2026-03-08T07:30:00Z'));
  });

  it('agree with the runtime on every hour of a year', () => {
    const berlin = zone('Europe/Berlin');
    const format = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'medium' });
    for (let t = Date.parse('2026-01-01T00:17:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 3_600_000) {
      const local = format.format(t).replace(' ', 'T');
      // The repeated hour reads as its first time: skip the second one.
      if (berlin.fromWallClock(wall(local)) !== t) expect(berlin.fromWallClock(wall(local))).toBe(t - 3_600_000);
    }
  });

  it('take UTC and fixed offsets', () => {
    expect(resolveTimeZone('UTC')).toBe(UTC_ZONE);
    expect(zone('+05:30').fromWallClock(wall('2026-06-15T10:00:00'))).toBe(Date.parse('2026-06-15T04:30:00Z'));
    expect(zone('-0800').fromWallClock(wall('2026-06-15T10:00:00'))).toBe(Date.parse('2026-06-15T18:00:00Z'));
    expect(resolveTimeZone('+00:00')).toBe(UTC_ZONE);
    expect(resolveTimeZone('Etc/UTC')).toBe(UTC_ZONE);
    expect(resolveTimeZone('local')).toBe(LOCAL_ZONE);
  });

  it('refuse what is not a zone', () => {
    for (const name of ['Mars/Olympus_Mons', '+25:00', '+05:75', 'EST+5', '', 'Local']) expect(resolveTimeZone(name)).toBeUndefined();
  });

  it("take the machine's zone from the command's TZ, this process's own through Date", () => {
    expect(machineTimeZone({ TZ: 'Asia/Tokyo' }, undefined).name).toBe('Asia/Tokyo');
    expect(machineTimeZone({ TZ: ':Europe/Paris' }, 'UTC').name).toBe('Europe/Paris');
    expect(machineTimeZone({ TZ: 'Nowhere/Else' }, undefined)).toBe(LOCAL_ZONE);
    expect(machineTimeZone({ TZ: 'Asia/Tokyo' }, 'Asia/Tokyo')).toBe(LOCAL_ZONE);
    expect(machineTimeZone({}, undefined)).toBe(LOCAL_ZONE);
    expect(machineTimeZone({ TZ: 'UTC' }, 'UTC')).toBe(UTC_ZONE);
  });

  it("read this process's zone as the runtime's zone data does", () => {
    const own = zone(new Intl.DateTimeFormat().resolvedOptions().timeZone);
    for (const time of [
      '2026-03-08T01:30:00',
      '2026-03-08T03:30:00',
      '2026-11-01T00:30:00',
      '2026-11-01T02:30:00',
      '1999-12-31T23:59:59.999',
    ]) {
      expect(LOCAL_ZONE.fromWallClock(wall(time)), time).toBe(own.fromWallClock(wall(time)));
    }
  });

  it('apply only to times written without a zone', () => {
    const ny = zone('America/New_York');
    expect(parseTime('2026-11-28 05:03:21,123', ny)).toBe(Date.parse('2026-11-28T10:03:21.123Z'));
    expect(parseTime('2026-11-28T05:03:21.123456', ny)).toBe(Date.parse('2026-11-28T10:03:21.123Z') + 0.456);
    expect(parseTime('2026-11-28T05:03:21Z', ny)).toBe(Date.parse('2026-11-28T05:03:21Z'));
    expect(parseTime('2026-11-28T05:03:21+01:00', ny)).toBe(Date.parse('2026-11-28T04:03:21Z'));
    expect(parseTime(1795842201123, ny)).toBe(1795842201123);
    expect(parseTime('2026-11-28T05:03:21')).toBe(Date.parse('2026-11-28T05:03:21Z'));
  });
});
