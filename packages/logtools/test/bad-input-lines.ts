// The good lines every bad-input case holds (test/fixtures/bad-input/README.md), and
// what logtrace must make of them.

/** 2026-11-28T05:00:00Z: the good lines are 1 to 6 s after it, extra lines 7 s and on. */
export const T0 = Date.UTC(2026, 10, 28, 5);

/** Our format's time, `s` seconds after T0. */
export const iso = (s: number): string => new Date(T0 + s * 1000).toISOString();

/** Python's `datetime.utcnow().isoformat()`, `s` seconds after T0. */
export const pythonTime = (s: number): string => `${iso(s).slice(0, 23)}000`;

/** The ids of case `n` (a two-digit number in each). */
export function caseIds(n: number): { readonly R: string; readonly G: string; readonly P: string } {
  const nn = String(n).padStart(2, '0');
  return { R: `0badc0de-0000-4000-8000-0000000000${nn}`, G: `9e9e9e9e-0000-4000-8000-0000000000${nn}`, P: `7f7f7f7f-0000-4000-8000-0000000000${nn}` };
}

/**
 * The six good lines of case `n`: a generation time (comfyui_complete) and an error in
 * each producer style. Ours carries non-ASCII text, so the scan kernel leaves it to
 * JSON.parse; the Python-style and pino lines are parsed by the kernel itself.
 */
export function goodLines(n: number): string[] {
  const { R, G, P } = caseIds(n);
  return [
    `{"level":"INFO","time":"${iso(1)}","service":"gpu_server","pid":7,"request_id":"${R}","generation_id":"${G}","prompt_id":"${P}","duration_ms":1000,"event":"comfyui_complete","msg":"Génération terminée"}`,
    `{"timestamp": "${pythonTime(2)}", "level": "INFO", "service": "gpu_server", "event": "comfyui_complete", "request_id": "${R}", "generation_id": "${G}", "prompt_id": "${P}", "duration_ms": 2000, "message": "ComfyUI finished the prompt"}`,
    `{"level":30,"time":${T0 + 3000},"pid":7,"hostname":"gpu-host-1","name":"gpu_server","request_id":"${R}","generation_id":"${G}","prompt_id":"${P}","duration_ms":3000,"event":"comfyui_complete","msg":"ComfyUI finished the prompt"}`,
    `{"level":"ERROR","time":"${iso(4)}","service":"gpu_server","pid":7,"request_id":"${R}","generation_id":"${G}","event":"error_comfyui","error_code":"comfyui_timeout","error":"ComfyUI did not finish within 90000 ms","msg":"ComfyUI failed"}`,
    `{"timestamp": "${pythonTime(5)}", "level": "CRITICAL", "service": "backend", "event": "error_gpu", "request_id": "${R}", "error_code": "gpu_unreachable", "error": "connect ECONNREFUSED 127.0.0.1:8001", "message": "GPU server unreachable"}`,
    `{"level":50,"time":${T0 + 6000},"pid":7,"hostname":"gpu-host-1","name":"gpu_server","request_id":"${R}","event":"error_comfyui","error_code":"comfyui_http_500","err":{"type":"Error","message":"HTTP 500","stack":"Error: HTTP 500\\n    at post (/app/comfy.js:1:1)"},"msg":"ComfyUI answered 500"}`,
  ];
}

/** comfyui_complete.duration_ms of the good lines. */
export const GOOD_GENERATIONS: readonly number[] = [1000, 2000, 3000];

/** Error groups (`service/event/error_code`) of the good lines. */
export const GOOD_ERRORS: Readonly<Record<string, number>> = {
  'gpu_server/error_comfyui/comfyui_timeout': 1,
  'backend/error_gpu/gpu_unreachable': 1,
  'gpu_server/error_comfyui/comfyui_http_500': 1,
};

/** Events of the good lines, in time order. */
export const GOOD_EVENTS: readonly string[] = ['comfyui_complete', 'comfyui_complete', 'comfyui_complete', 'error_comfyui', 'error_gpu', 'error_comfyui'];

/** Error counts by `service/event/error_code` from a `--json` groups list. */
export function errorCounts(groups: readonly Record<string, unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const g of groups) {
    const key = `${String(g['service'])}/${String(g['event'])}/${String(g['error_code'])}`;
    counts[key] = (counts[key] ?? 0) + Number(g['count']);
  }
  return counts;
}

/** Sum of a reasons record. */
export function totalOf(reasons: Readonly<Record<string, number>>): number {
  return Object.values(reasons).reduce((s, n) => s + n, 0);
}

/** Control characters (but `\n`), DEL, C1, bidi controls and line separators: none may reach a terminal raw. */
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** Output of a run that did not crash: no stack trace, no internal error. */
export const CRASH = /internal error|^\s+at .+:\d+:\d+\)?$/m;
