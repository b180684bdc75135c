import { describe, expect, it } from 'vitest';
import { formatPyFloat, formatPyJson, formatPyRepr, formatPyStr } from './python-format.js';

describe('Python formatting', () => {
  it('reprs dicts as ComfyUI prints them in `invalid prompt:` lines', () => {
    expect(formatPyRepr({ type: 'invalid_prompt', details: "Node ID '#2'", extra_info: {}, n: [1, 2.5, null, true] })).toBe(
      `{'type': 'invalid_prompt', 'details': "Node ID '#2'", 'extra_info': {}, 'n': [1, 2.5, None, True]}`,
    );
  });

  it('escapes control and bidi characters in str reprs', () => {
    expect(formatPyStr('a\nb\\c\u001b\u202e')).toBe("'a\\nb\\\\c\\x1b\\u202e'");
    expect(formatPyStr(`it's "x"`)).toBe(`'it\\'s "x"'`);
  });

  it('formats floats like Python', () => {
    expect([8, 0.1, 1e-5, 1.5e-7, 1e16, Infinity].map(formatPyFloat)).toEqual(['8.0', '0.1', '1e-05', '1.5e-07', '1e+16', 'inf']);
  });

  it('dumps JSON with json.dumps separators and ASCII escapes', () => {
    expect(formatPyJson({ a: [1, 'é'], b: { c: null } })).toBe('{"a": [1, "\\u00e9"], "b": {"c": null}}');
  });
});
