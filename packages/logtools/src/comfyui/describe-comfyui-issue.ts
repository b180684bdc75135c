import type { Level } from '@logtrace/shared/schema';
import type { ComfyuiEntry } from './parse-comfyui-entries.js';
import { summarizeTraceback } from '../core/summarize-traceback.js';

/** A problem ComfyUI printed, in the terms `logtrace errors` groups by. */
export interface ComfyuiIssue {
  readonly level: Level;
  /** `exception`, `request_error`, `invalid_prompt`, `outputs_ignored`, `interrupted` or `warning`. */
  readonly event: string;
  /** Exception type or ComfyUI's error type (`prompt_outputs_failed_validation`); null when there is none. */
  readonly type: string | null;
  /** First line of the message. */
  readonly message: string;
  /** Last traceback frame, `file:line in function`. */
  readonly lastFrame: string | null;
}

const EXCEPTION_HEAD = /^!!! Exception during processing ?!!! ?/;
const INVALID_PROMPT = /^invalid prompt: (.*)$/;
/** A validation report's reason line: `  - Required input is missing: image` (ComfyUI prints `{message}: {details}`). */
const REASON_LINE = /^\s+- (.*)$/;
/** ComfyUI's error type for a prompt rejected because of its nodes' inputs: the report's reasons say why. */
const OUTPUTS_FAILED = 'prompt_outputs_failed_validation';

/**
 * Turns an entry into the problem it reports: exceptions with their traceback's type,
 * message and last frame; aiohttp's `Error handling request`; rejected prompts
 * (`invalid prompt: {...}`, with ComfyUI's error type and message, or for
 * `prompt_outputs_failed_validation` the report's reasons: rejectedReasons); outputs ignored
 * after a partial validation failure; interrupts; `WARNING:` lines. Other entries
 * give undefined.
 */
export function describeComfyuiIssue(entry: ComfyuiEntry): ComfyuiIssue | undefined {
  const texts = entry.lines.map((l) => l.text);
  const first = texts[0] ?? '';
  switch (entry.kind) {
    case 'exception':
    case 'request_error': {
      const headline = entry.kind === 'exception' ? first.replace(EXCEPTION_HEAD, '') : first;
      const summary = summarizeTraceback(texts, headline);
      return { level: 'ERROR', event: entry.kind, ...summary };
    }
    case 'validation': {
      const invalid = texts.map((t) => INVALID_PROMPT.exec(t)).find((m) => m !== null);
      if (invalid == null) {
        const detail =
          texts
            .find((t) => /^\s+- /.test(t))
            ?.trim()
            .replace(/^- /, '') ?? first;
        return { level: 'WARN', event: 'outputs_ignored', type: null, message: detail, lastFrame: null };
      }
      const fields = readPythonDict(invalid[1] ?? '');
      const type = fields.get('type') ?? null;
      const reasons = type === OUTPUTS_FAILED ? rejectedReasons(texts) : '';
      return {
        level: 'ERROR',
        event: 'invalid_prompt',
        type,
        message: reasons !== '' ? reasons : (fields.get('message') ?? invalid[1] ?? ''),
        lastFrame: null,
      };
    }
    case 'interrupted':
      return { level: 'WARN', event: 'interrupted', type: null, message: first, lastFrame: null };
    case 'warning':
      return { level: 'WARN', event: 'warning', type: null, message: first.replace(/^WARNING:?\s*/, ''), lastFrame: null };
    default:
      return undefined;
  }
}

/**
 * Why ComfyUI rejected a prompt, from its validation report: each distinct reason's
 * message without its details (`Required input is missing`, `Value not in list`,
 * `Value 0 smaller than min of 1`), in report order, joined by `; `. Empty when the
 * report lists none.
 */
export function rejectedReasons(texts: readonly string[]): string {
  const reasons: string[] = [];
  for (const text of texts) {
    const line = REASON_LINE.exec(text)?.[1];
    if (line === undefined) continue;
    const colon = line.indexOf(': ');
    const reason = (colon === -1 ? line : line.slice(0, colon)).trim();
    if (reason !== '' && !reasons.includes(reason)) reasons.push(reason);
  }
  return reasons.join('; ');
}

const PY_ITEM = /'(\w+)':\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g;

/** The string-valued items of a Python dict repr such as `{'type': 'x', 'message': "it's"}`. */
export function readPythonDict(text: string): Map<string, string> {
  const items = new Map<string, string>();
  for (const m of text.matchAll(PY_ITEM)) {
    const key = m[1];
    const value = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
    if (key !== undefined && !items.has(key)) items.set(key, value);
  }
  return items;
}
