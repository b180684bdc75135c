#!/usr/bin/env bash
# Sends real requests through the running stack — a success, an invalid request, one
# that times out, one where ComfyUI fails — and checks with `logtrace trace --json`
# that every expected event was logged, by the right service, with the right ids. The
# success carries a caller's own X-Request-ID, sent again with the invalid request: the
# backend must make its own request_id each time and keep the caller's as
# client_request_id.
# Prints PASS/FAIL per check; exits 1 if any check failed, 2 if the stack is not up.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BACKEND_URL="http://$HOST:$BACKEND_PORT"
LOGTRACE_BIN="$LOGTRACE_ROOT/packages/logtools/bin/logtrace.js"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
PASSED=0
FAILED=0

pass() { printf 'PASS %s\n' "$1"; PASSED=$((PASSED + 1)); }
fail() { printf 'FAIL %s%s\n' "$1" "${2:+ — $2}"; FAILED=$((FAILED + 1)); }

# send NAME JSON_BODY [CURL_ARGS...] — POST to the backend; saves NAME.status, NAME.id
# (X-Request-ID), NAME.client (X-Client-Request-ID), NAME.body.
send() {
  local name=$1 body=$2
  shift 2
  curl -sS -o "$TMP/$name.body" -D "$TMP/$name.headers" -w '%{http_code}' --max-time 60 \
    -H 'content-type: application/json' "$@" --data "$body" "$BACKEND_URL/api/generate" >"$TMP/$name.status" ||
    printf '000' >"$TMP/$name.status"
  tr -d '\r' <"$TMP/$name.headers" | awk -F': ' 'tolower($1) == "x-request-id" { print $2 }' >"$TMP/$name.id"
  tr -d '\r' <"$TMP/$name.headers" | awk -F': ' 'tolower($1) == "x-client-request-id" { print $2 }' >"$TMP/$name.client"
}

# check_client_id NAME CLIENT_ID — the caller's X-Request-ID CLIENT_ID came back as
# X-Client-Request-ID, is not the backend's request_id, and is on the backend's
# generate_request and response_sent lines of the request (NAME.trace, from check_trace).
check_client_id() {
  local name=$1 client=$2
  if [[ "$(<"$TMP/$name.id")" != "$client" ]]; then pass "$name: request_id is the backend's own"; else fail "$name: request_id is the backend's own" "it took the caller's"; fi
  if [[ "$(<"$TMP/$name.client")" == "$client" ]]; then pass "$name: X-Client-Request-ID echoes the caller's id"; else fail "$name: X-Client-Request-ID echoes the caller's id" "got '$(<"$TMP/$name.client")'"; fi
  if node -e '
    const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const lines = t.events.filter((e) => e.service === "backend" && ["generate_request", "response_sent"].includes(e.event));
    process.exit(lines.length === 2 && lines.every((e) => e.client_request_id === process.argv[2]) ? 0 : 1);
  ' "$TMP/$name.trace" "$client"; then
    pass "$name: backend.log has client_request_id on generate_request and response_sent"
  else
    fail "$name: backend.log has client_request_id on generate_request and response_sent"
  fi
}

# check_status NAME EXPECTED
check_status() {
  local got
  got="$(<"$TMP/$1.status")"
  if [[ "$got" == "$2" ]]; then pass "$1: HTTP $2"; else fail "$1: HTTP $2" "got $got"; fi
}

# check_trace NAME ID OUTCOME SERVICE:EVENT... — `logtrace trace ID --json` must report
# OUTCOME and contain every SERVICE:EVENT with the request's request_id (and, for the GPU
# server, its generation_id).
check_trace() {
  local name=$1 id=$2 outcome=$3
  shift 3
  if ! node "$LOGTRACE_BIN" trace "$id" --dir "$LOG_DIR" --json >"$TMP/$name.trace" 2>"$TMP/$name.trace.err"; then
    fail "$name: logtrace trace $id" "$(head -c 300 "$TMP/$name.trace.err")"
    return
  fi
  # shellcheck disable=SC2016  # JavaScript template literals, not shell expansions
  node --input-type=module -e '
    import { readFileSync } from "node:fs";
    const [file, name, requestId, outcome, ...expected] = process.argv.slice(1);
    const trace = JSON.parse(readFileSync(file, "utf8"));
    const say = (ok, what, why = "") => console.log(`${ok ? "PASS" : "FAIL"} ${name}: ${what}${ok || !why ? "" : ` — ${why}`}`);
    say(trace.request_id === requestId, `trace request_id is ${requestId}`, `got ${trace.request_id}`);
    say(trace.outcome === outcome, `outcome ${outcome}`, `got ${trace.outcome}`);
    const generationIds = trace.generation_ids ?? [];
    for (const want of expected) {
      const [service, event] = want.split(":");
      const found = trace.events.filter((e) => e.service === service && e.event === event);
      const ok = found.length > 0 && found.every((e) => e.request_id === requestId &&
        (service !== "gpu_server" || generationIds.includes(e.generation_id)));
      say(ok, `${service}.log has ${event} with the request${service === "gpu_server" ? " and generation" : ""} id`,
        found.length === 0 ? "missing" : "wrong ids");
    }
  ' "$TMP/$name.trace" "$name" "$(<"$TMP/$name.id")" "$outcome" "$@" | tee "$TMP/$name.checks"
  PASSED=$((PASSED + $(grep -c '^PASS' "$TMP/$name.checks" || true)))
  FAILED=$((FAILED + $(grep -c '^FAIL' "$TMP/$name.checks" || true)))
}

# check_same_trace NAME FIELD — tracing by the generation or prompt id finds the same request.
check_same_trace() {
  local name=$1 field=$2 other
  other="$(node -e 'const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log((t[process.argv[2]] ?? [])[0] ?? "")' "$TMP/$name.trace" "$field")"
  if [[ -z "$other" ]]; then fail "$name: trace has a ${field%s}" "none"; return; fi
  if node "$LOGTRACE_BIN" trace "$other" --dir "$LOG_DIR" --json 2>/dev/null |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => process.exit(JSON.parse(s).request_id === process.argv[1] ? 0 : 1))' "$(<"$TMP/$name.id")"; then
    pass "$name: trace by ${field%s} finds the same request"
  else
    fail "$name: trace by ${field%s} finds the same request"
  fi
}

main() {
  http_ok "$BACKEND_URL/health" || { printf 'the stack is not running at %s (start it with npm start)\n' "$BACKEND_URL" >&2; exit 2; }
  [[ -f "$LOGTRACE_BIN" ]] || { printf '%s is missing: run npm ci first\n' "$LOGTRACE_BIN" >&2; exit 2; }

  local client
  client="$(node -e 'console.log(crypto.randomUUID())')"
  send success '{"prompt":"a lighthouse at dusk, test_logging","width":64,"height":64,"steps":4}' -H "x-request-id: $client"
  check_status success 200
  check_trace success "$(<"$TMP/success.id")" ok \
    backend:generate_request backend:gpu_request backend:gpu_response backend:response_sent \
    gpu_server:generation_start gpu_server:workflow_loaded gpu_server:comfyui_prompt_sent \
    gpu_server:comfyui_complete gpu_server:image_retrieved
  check_same_trace success generation_ids
  check_same_trace success prompt_ids
  check_client_id success "$client"

  # The same caller id again (a replay, or another caller's id): a new request, its own trace.
  send invalid '{"prompt":"","width":13}' -H "x-request-id: $client"
  check_status invalid 400
  check_trace invalid "$(<"$TMP/invalid.id")" validation_error \
    backend:generate_request backend:validation_error backend:response_sent
  check_client_id invalid "$client"
  if [[ "$(<"$TMP/invalid.id")" != "$(<"$TMP/success.id")" ]]; then
    pass "invalid: a reused caller id gets a new request_id"
  else
    fail "invalid: a reused caller id gets a new request_id" "both are $(<"$TMP/success.id")"
  fi

  send comfyui_failure '{"prompt":"[[fault:error]] test_logging","width":64,"height":64,"steps":4}'
  check_status comfyui_failure 502
  check_trace comfyui_failure "$(<"$TMP/comfyui_failure.id")" error \
    backend:generate_request backend:gpu_request backend:gpu_response backend:response_sent \
    gpu_server:generation_start gpu_server:comfyui_prompt_sent gpu_server:error_comfyui

  send timeout '{"prompt":"[[fault:hang]] test_logging","width":64,"height":64,"steps":4}' \
    -H 'x-request-timeout-ms: 1500'
  check_status timeout 504
  check_trace timeout "$(<"$TMP/timeout.id")" timeout \
    backend:generate_request backend:gpu_request backend:timeout_error backend:response_sent \
    gpu_server:generation_start gpu_server:comfyui_prompt_sent

  printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
  ((FAILED == 0))
}

main "$@"
