#!/usr/bin/env bash
# Shared helpers for the logtrace scripts. Source it; do not run it.
# shellcheck disable=SC2034  # variables here are used by the scripts that source it

# Repository root, whatever the caller's working directory.
LOGTRACE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# log MESSAGE... — a timestamped line on stderr (and in $LOG_FILE when set).
log() {
  local line
  line="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $*"
  printf '%s\n' "$line" >&2
  if [[ -n "${LOG_FILE:-}" ]]; then printf '%s\n' "$line" >>"$LOG_FILE" 2>/dev/null || true; fi
}

# die MESSAGE... — log the message and exit 1.
die() {
  log "ERROR: $*"
  exit 1
}

# retry ATTEMPTS DELAY_SECONDS COMMAND... — run COMMAND until it succeeds, at most ATTEMPTS times.
retry() {
  local attempts=$1 delay=$2 i
  shift 2
  for ((i = 1; i <= attempts; i++)); do
    "$@" && return 0
    ((i < attempts)) && sleep "$delay"
  done
  return 1
}

# http_ok URL — true when URL answers 2xx within 2 seconds.
http_ok() {
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
      .then((r) => { r.body?.cancel(); process.exit(r.ok ? 0 : 1); })
      .catch(() => process.exit(1));
  ' "$1"
}

# wait_for_http URL SECONDS — wait until URL answers 2xx, polling every 0.25 s.
wait_for_http() {
  local url=$1 seconds=$2
  retry "$((seconds * 4))" 0.25 http_ok "$url"
}

# pid_alive PID — true when the process exists.
pid_alive() {
  [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null
}

# stop_pid PID [GRACE_SECONDS] — SIGTERM, wait up to GRACE_SECONDS (default 10), then SIGKILL.
stop_pid() {
  local pid=$1 grace=${2:-10} i
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < grace * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  log "pid $pid did not stop within ${grace}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}
