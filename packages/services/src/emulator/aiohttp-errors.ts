import { EMULATED_MACHINE } from './emulated-machine.js';
import { PythonError, formatPyTraceback, type PyFrame } from './python-error.js';

const SITE = `${EMULATED_MACHINE.root}/venv/lib/python3.11/site-packages`;
const PYLIB = '/usr/lib/python3.11';

/** aiohttp's answer when a handler raises: 500, text/plain, this body. */
export const AIOHTTP_500_BODY = '500 Internal Server Error\n\nServer got itself in trouble';

// aiohttp and ComfyUI's middlewares, the frames above every handler (as captured).
const SERVER_FRAMES: readonly PyFrame[] = [
  {
    file: `${SITE}/aiohttp/web_protocol.py`,
    line: 440,
    func: '_handle_request',
    code: 'resp = await request_handler(request)',
    caret: true,
  },
  { file: `${SITE}/aiohttp/web_app.py`, line: 504, func: '_handle', code: 'resp = await handler(request)', caret: true },
  { file: `${SITE}/aiohttp/web_middlewares.py`, line: 117, func: 'impl', code: 'return await handler(request)', caret: true },
  {
    file: `${EMULATED_MACHINE.root}/middleware/cache_middleware.py`,
    line: 27,
    func: 'cache_control',
    code: 'response: web.Response = await handler(request)',
    caret: true,
  },
  {
    file: `${EMULATED_MACHINE.root}/server.py`,
    line: 137,
    func: 'origin_only_middleware',
    code: 'response = await handler(request)',
    caret: true,
  },
];

const JSON_FRAMES: readonly PyFrame[] = [
  { file: `${SITE}/aiohttp/web_request.py`, line: 671, func: 'json', code: 'return loads(body)', caret: true },
  { file: `${PYLIB}/json/__init__.py`, line: 346, func: 'loads', code: 'return _default_decoder.decode(s)', caret: true },
  { file: `${PYLIB}/json/decoder.py`, line: 337, func: 'decode', code: 'obj, end = self.raw_decode(s, idx=_w(s, 0).end())', caret: true },
  { file: `${PYLIB}/json/decoder.py`, line: 353, func: 'raw_decode', code: 'obj, end = self.scan_once(s, idx)', caret: true },
];

/** A ComfyUI route handler frame, e.g. `post_prompt` at `json_data =  await request.json()`. */
export function handlerFrame(func: string, line: number, code: string): PyFrame {
  return { file: `${EMULATED_MACHINE.root}/server.py`, line, func, code, caret: true };
}

/**
 * `await request.json()`: JSON.parse with Python's json module's error, raised from the
 * given handler frame. Python also accepts NaN and Infinity, which JSON.parse does not;
 * such bodies are rare enough to answer like any other malformed body.
 */
export function parseRequestJson(text: string, handler: PyFrame): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const v8 = err instanceof Error ? err.message : '';
    const at = /position (\d+)/.exec(v8);
    const firstValue = text.length - text.trimStart().length;
    const pos = at !== null ? Number(at[1]) : text.trim() === '' ? text.length : firstValue;
    const what = /property name/.test(v8)
      ? 'Expecting property name enclosed in double quotes'
      : /non-whitespace character after JSON/.test(v8)
        ? 'Extra data'
        : "Expecting ',' delimiter";
    const kind = at === null || pos === firstValue ? 'Expecting value' : what;
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    throw new PythonError('json.decoder.JSONDecodeError', `${kind}: line ${line} column ${column} (char ${pos})`, [
      handler,
      ...JSON_FRAMES,
    ]);
  }
}

/** What aiohttp logs when a handler raised: `Error handling request` and the traceback. */
export function formatHandlerFailure(error: PythonError): string {
  // Raised in the origin middleware itself: its own frame replaces the one that awaits the handler.
  const above = error.frames[0]?.func === 'origin_only_middleware' ? SERVER_FRAMES.slice(0, -1) : SERVER_FRAMES;
  const full = new PythonError(error.pyType, error.message, [...above, ...error.frames], error.context);
  return `Error handling request\n${formatPyTraceback(full).replace(/\n$/, '')}`;
}
