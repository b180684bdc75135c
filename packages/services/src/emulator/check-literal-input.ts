import type { NodeCatalog, NodeInput } from './node-catalog.js';
import { convertInputValue, pyEquals, pyStr } from './convert-input-value.js';
import { formatPyFloat, formatPyInt, formatPyRepr } from './python-format.js';
import type { ComfyuiErrorItem } from './prompt-types.js';

/**
 * Converts a literal input in place (ComfyUI stores the converted value) and checks it
 * against min, max and the combo list; returns ComfyUI's error for it, if any.
 */
export function checkLiteral(
  input: NodeInput,
  raw: unknown,
  inputs: Record<string, unknown>,
  customChecked: boolean,
): ComfyuiErrorItem | undefined {
  const info = [input.type, input.options];
  const converted = convertInputValue(input.type, raw);
  if (!converted.ok) {
    return {
      type: 'invalid_input_type',
      message: `Failed to convert an input value to a ${pyStr(input.type)} value`,
      details: `${input.name}, ${pyStr(raw)}, ${converted.error}`,
      extra_info: { input_name: input.name, input_config: info, received_value: raw, exception_message: converted.error },
    };
  }
  const value = converted.value;
  inputs[input.name] = value;
  if (customChecked) return undefined;
  const format = input.type === 'FLOAT' ? formatPyFloat : formatPyInt;
  const min = input.options['min'];
  const max = input.options['max'];
  if (typeof min === 'number' && typeof value === 'number' && value < min) {
    return {
      type: 'value_smaller_than_min',
      message: `Value ${format(value)} smaller than min of ${format(min)}`,
      details: input.name,
      extra_info: { input_name: input.name, input_config: info, received_value: value },
    };
  }
  if (typeof max === 'number' && typeof value === 'number' && value > max) {
    return {
      type: 'value_bigger_than_max',
      message: `Value ${format(value)} bigger than max of ${format(max)}`,
      details: input.name,
      extra_info: { input_name: input.name, input_config: info, received_value: value },
    };
  }
  const options = Array.isArray(input.type)
    ? input.type
    : input.type === 'COMBO' && Array.isArray(input.options['options'])
      ? (input.options['options'] as unknown[])
      : undefined;
  if (options !== undefined && !options.some((option) => pyEquals(option, value))) {
    // ComfyUI does not send back long lists (e.g. hundreds of scanned model files).
    const long = options.length > 20;
    return {
      type: 'value_not_in_list',
      message: 'Value not in list',
      details: `${input.name}: '${pyStr(value)}' not in ${long ? `(list of length ${options.length})` : formatPyRepr(options)}`,
      extra_info: { input_name: input.name, input_config: long ? null : info, received_value: value },
    };
  }
  return undefined;
}

// Node classes whose VALIDATE_INPUTS checks an input instead of the combo list.
const CUSTOM_VALIDATED: Readonly<Record<string, readonly string[]>> = {
  LoadImage: ['image'],
  LoadImageMask: ['image'],
};

/** Inputs of a class checked by its own VALIDATE_INPUTS instead of the combo list. */
export function customValidation(classType: string): Set<string> {
  return new Set(CUSTOM_VALIDATED[classType] ?? []);
}

/** LoadImage's VALIDATE_INPUTS: the file must exist in the input folder; returns the reason otherwise. */
export function runCustomValidation(classType: string, name: string, value: unknown, catalog: NodeCatalog): string | undefined {
  const nodeClass = catalog.get(classType);
  const spec = nodeClass?.inputs.find((input) => input.name === name);
  const files = Array.isArray(spec?.type) ? spec.type : [];
  const file = pyStr(value).replace(/ \[(?:input|output|temp)\]$/, '');
  return files.includes(file) ? undefined : `Invalid image file: ${pyStr(value)}`;
}
