#!/usr/bin/env bash
# The demo: starts the stack if it is not running, drives a few dozen mixed requests
# (successes and every kind of failure) through the backend, then shows what logtrace
# makes of the logs: perf, errors, and the trace of one failed request.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

logtrace() {
  node "$LOGTRACE_ROOT/packages/logtools/bin/logtrace.js" "$@" --dir "$LOG_DIR"
}

# banner TEXT — a heading before each command, with the command itself.
banner() {
  printf '\n\033[1m$ %s\033[0m\n' "$*"
}

TMP_DIR="$(mktemp -d)"
trap 'rm -rf "$TMP_DIR"' EXIT

main() {
  local tmp=$TMP_DIR
  "$LOGTRACE_ROOT/scripts/startup.sh"
  node "$DIST_BIN/demo-requests.js" --url "http://$HOST:$BACKEND_PORT" \
    --count "${DEMO_REQUESTS:-32}" --concurrency 4 --trace-id-file "$tmp/trace-id"
  banner "logtrace perf --slow 2s"
  logtrace perf --slow 2s
  banner "logtrace errors"
  logtrace errors || true
  if [[ -s "$tmp/trace-id" ]]; then
    banner "logtrace trace $(<"$tmp/trace-id")"
    logtrace trace "$(<"$tmp/trace-id")" || true
  fi
  printf '\nThe stack is still running: try logtrace yourself (npx logtrace --help), stop it with npm stop.\n'
}

main "$@"
