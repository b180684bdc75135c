import { describe, expect, it } from 'vitest';
import { pickFault } from './pick-fault.js';

const graph = (text: string): unknown => ({ '6': { class_type: 'CLIPTextEncode', inputs: { text, clip: ['4', 1] } } });
const none = { faults: [], rate: 1 };

describe('pickFault', () => {
  it('finds a [[fault:NAME]] marker in any text input', () => {
    expect(pickFault(graph('a cat [[fault:OOM]] on a mat'), none, Math.random)).toBe('oom');
    expect(pickFault(graph('[[fault:meteor]] [[fault:hang]]'), none, Math.random)).toBe('hang');
    expect(pickFault(graph('a cat'), none, Math.random)).toBeUndefined();
    expect(pickFault('not a graph', none, Math.random)).toBeUndefined();
  });

  it('gives configured faults to the configured share of prompts', () => {
    const settings = { faults: ['error', 'oom'] as const, rate: 0.5 };
    expect(pickFault(graph('x'), settings, () => 0.49)).toBe('error');
    expect(pickFault(graph('x'), settings, () => 0.5)).toBeUndefined();
    expect(pickFault(graph('[[fault:hang]]'), settings, () => 0.99)).toBe('hang');
  });
});
