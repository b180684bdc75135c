import { isRecord } from './node-catalog.js';
import { formatPyFloat, formatPyInt, formatPyRepr, formatPyStr } from './python-format.js';
import { pyTypeName } from './python-error.js';

/** A literal input after ComfyUI's conversion, or the Python error text of the failure. */
export type Conversion = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

const PY_INT = /^[+-]?\d+(?:_\d+)*$/;
const PY_FLOAT = /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:e[+-]?\d+)?|\d+(?:_\d+)*\.(?:e[+-]?\d+)?|inf(?:inity)?|nan)$/i;

/**
 * ComfyUI converts literal inputs before checking them: `int(v)` for INT, `float(v)` for
 * FLOAT, `str(v)` for STRING, `bool(v)` for BOOLEAN; other types pass unchanged. Also
 * unwraps `{"__value__": v}`. The error text is Python's own message.
 */
export function convertInputValue(type: unknown, raw: unknown): Conversion {
  const value = isRecord(raw) && Object.hasOwn(raw, '__value__') ? raw['__value__'] : raw;
  switch (type) {
    case 'INT':
      return toInt(value);
    case 'FLOAT':
      return toFloat(value);
    case 'STRING':
      return { ok: true, value: pyStr(value) };
    case 'BOOLEAN':
      return { ok: true, value: pyTruthy(value) };
    default:
      return { ok: true, value };
  }
}

function toInt(value: unknown): Conversion {
  if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { ok: false, error: 'cannot convert float NaN to integer' };
    if (!Number.isFinite(value)) return { ok: false, error: 'cannot convert float infinity to integer' };
    return { ok: true, value: Math.trunc(value) };
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (PY_INT.test(text)) return { ok: true, value: Number(text.replace(/_/g, '')) };
    return { ok: false, error: `invalid literal for int() with base 10: ${formatPyStr(value)}` };
  }
  return {
    ok: false,
    error: `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`,
  };
}

function toFloat(value: unknown): Conversion {
  if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
  if (typeof value === 'number') return { ok: true, value };
  if (typeof value === 'string') {
    const text = value.trim();
    if (PY_FLOAT.test(text)) {
      const lower = text.toLowerCase().replace(/_/g, '');
      if (lower.endsWith('nan')) return { ok: true, value: Number.NaN };
      if (lower.includes('inf')) return { ok: true, value: lower.startsWith('-') ? -Infinity : Infinity };
      return { ok: true, value: Number(lower) };
    }
    return { ok: false, error: `could not convert string to float: ${formatPyStr(value)}` };
  }
  return { ok: false, error: `float() argument must be a string or a real number, not '${pyTypeName(value)}'` };
}

/** Python's `str()`: text as is, anything else as its repr. */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? formatPyInt(value) : formatPyFloat(value);
  return formatPyRepr(value);
}

/** Python truthiness of a JSON value: `None`, `False`, `0`, `''`, `[]`, `{}` are false. */
export function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0;
  if (isRecord(value)) return Object.keys(value).length > 0;
  return true;
}

/** Python `==` on JSON values: numbers and booleans compare by value (`1 == True`). */
export function pyEquals(a: unknown, b: unknown): boolean {
  const numeric = (v: unknown): v is number | boolean => typeof v === 'number' || typeof v === 'boolean';
  if (numeric(a) && numeric(b)) return Number(a) === Number(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  return JSON.stringify(a) === JSON.stringify(b);
}
