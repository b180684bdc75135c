// ComfyUI is Python: its log lines hold Python reprs (`invalid prompt: {'type': ...}`) and
// its JSON bodies come from `json.dumps` (", " and ": " separators, non-ASCII escaped).
// These functions reproduce those texts from JSON-like values.

/** Python's `str()` of an int (no exponent, however large). */
export function formatPyInt(value: number): string {
  return Number.isFinite(value) ? BigInt(Math.trunc(value)).toString() : formatPyFloat(value);
}

/** Python's `repr()` of a float: `8.0`, `0.1`, `1e-05`, `inf`. */
export function formatPyFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  const exponent = value === 0 ? 0 : Math.floor(Math.log10(Math.abs(value)));
  // Python switches to exponent notation below 1e-4 and from 1e16; JavaScript at 1e-7 and 1e21.
  const text = exponent < -4 || exponent >= 16 ? value.toExponential() : String(value);
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Python's `repr()` of a number as JSON gives it: ints stay ints, fractions are floats. */
function formatPyNumber(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? formatPyInt(value) : formatPyFloat(value);
}

// Characters Python's str.isprintable() rejects among the ones we can meet: C0, DEL, C1,
// the line/paragraph separators and the bidirectional controls.
const NON_PRINTABLE = /[\u0000-\u001f\u007f-\u00a0\u00ad\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Python's `repr()` of a str: single quotes unless the text has only `'`. */
export function formatPyStr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const body = text
    .replace(/\\/g, '\\\\')
    .replace(new RegExp(quote, 'g'), `\\${quote}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(NON_PRINTABLE, (ch) => {
      const code = ch.charCodeAt(0);
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    });
  return `${quote}${body}${quote}`;
}

/** Python's `repr()` of a JSON-like value (dict, list, str, int/float, bool, None). */
export function formatPyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return formatPyNumber(value);
  if (typeof value === 'string') return formatPyStr(value);
  if (Array.isArray(value)) return `[${value.map(formatPyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${formatPyStr(k)}: ${formatPyRepr(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return formatPyStr(String(value));
}

/** Python's `json.dumps()` with its defaults: `", "`/`": "` separators, ASCII only. */
export function formatPyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    return formatPyNumber(value);
  }
  if (typeof value === 'string') return asciiJsonString(value);
  if (Array.isArray(value)) return `[${value.map(formatPyJson).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${asciiJsonString(k)}: ${formatPyJson(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return asciiJsonString(String(value));
}

function asciiJsonString(text: string): string {
  return JSON.stringify(text).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
