import { describe, expect, it } from 'vitest';
import { EVENT_CATALOG, EVENT_NAMES } from './event-catalog.js';
import { EVENT, POST_ATTEMPT_EVENTS } from './event-names.js';
import { RECORD_KEY_ALIASES, RECORD_KEYS } from './record-keys.js';

describe('event names and record keys', () => {
  it('name every catalog event once, as itself', () => {
    expect(Object.keys(EVENT)).toEqual(EVENT_NAMES);
    for (const name of EVENT_NAMES) expect(EVENT[name]).toBe(name);
  });

  it('POST attempts are GPU server events', () => {
    for (const name of POST_ATTEMPT_EVENTS) expect(EVENT_CATALOG[name].service).toBe('gpu_server');
  });

  it('list every alias of every core field once, ours first', () => {
    expect(new Set(RECORD_KEYS).size).toBe(RECORD_KEYS.length);
    for (const [field, keys] of Object.entries(RECORD_KEY_ALIASES)) expect(keys[0]).toBe(field);
  });
});
