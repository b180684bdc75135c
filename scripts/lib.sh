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

# http_ok URL [TIMEOUT_MS] — true when URL answers 2xx within TIMEOUT_MS (default 2000).
http_ok() {
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(Number(process.argv[2])) })
      .then((r) => { r.body?.cancel(); process.exit(r.ok ? 0 : 1); })
      .catch(() => process.exit(1));
  ' "$1" "${2:-2000}"
}

# now_ms — milliseconds since the epoch.
now_ms() {
  local t=${EPOCHREALTIME/[^0-9]/}
  printf '%s' "$((10#$t / 1000))"
}

# wait_for_http URL SECONDS [SERVICE] — wait until URL answers 2xx, polling every 0.25 s,
# for at most SECONDS of wall-clock time (each probe included); returns 2 as soon as
# SERVICE, the service that should answer, has no live process left.
wait_for_http() {
  local url=$1 seconds=$2 service=${3:-} deadline left
  deadline=$(($(now_ms) + seconds * 1000))
  while :; do
    left=$((deadline - $(now_ms)))
    ((left > 0)) || return 1
    http_ok "$url" "$((left < 2000 ? left : 2000))" && return 0
    if [[ -n "$service" ]] && ! group_running "$service"; then return 2; fi
    sleep 0.25
  done
}

# disk_full_note DIR — prints "DIR is full (N KiB free)" when DIR's file system has less
# than 16 KiB free (a few dozen log lines), nothing otherwise.
disk_full_note() {
  local free
  free="$(df -Pk -- "$1" 2>/dev/null | awk 'NR == 2 { print $4 }')" || return 0
  if [[ "$free" =~ ^[0-9]+$ ]] && ((free < 16)); then
    printf 'LOG_DIR=%s is full (%s KiB free)' "$1" "$free"
  fi
}

# shellcheck source=scripts/process_group.sh
source "$(dirname "${BASH_SOURCE[0]}")/process_group.sh"

# ---------------------------------------------------------------------------------------
# The stack: where things are, and how each service is started, checked and stopped.

LOG_DIR="$(mkdir -p "${LOG_DIR:-$PWD/logs}" 2>/dev/null && cd "${LOG_DIR:-$PWD/logs}" && pwd)" ||
  { printf 'cannot create or enter LOG_DIR=%s\n' "${LOG_DIR:-$PWD/logs}" >&2; exit 1; }
RUN_DIR="${RUN_DIR:-$LOGTRACE_ROOT/run}"
HOST="${HOST:-127.0.0.1}"
BACKEND_PORT="${BACKEND_PORT:-8000}"
GPU_PORT="${GPU_PORT:-8002}"
COMFYUI_PORT_SET="${COMFYUI_PORT:-}"
COMFYUI_PORT="${COMFYUI_PORT:-8188}"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-30}"
LOG_FILE="$LOG_DIR/startup.log"
DIST_BIN="$LOGTRACE_ROOT/packages/services/dist/bin"
export LOG_DIR

# Problems found in the settings, all reported at once by check_config.
CONFIG_PROBLEMS=()

# parse_comfyui_args — COMFYUI_ARGS, split on blanks (no quoting: an argument cannot hold
# a space), into COMFYUI_EXTRA_ARGS, passed to a checkout's main.py after --listen and
# --port. A --port N (or --port=N) there is the port: the scripts wait for ComfyUI, and
# point the GPU server, at it; with COMFYUI_PORT also set to another port, the start
# stops and says so. --listen is refused: ComfyUI listens on HOST, as every service.
parse_comfyui_args() {
  local -a words
  local i word port="" port_given=0 count
  read -ra words <<<"${COMFYUI_ARGS:-}"
  COMFYUI_EXTRA_ARGS=()
  count=${#words[@]}
  for ((i = 0; i < count; i++)); do
    word=${words[i]}
    case "$word" in
      --port=*) port=${word#--port=} port_given=1 ;;
      --port)
        i=$((i + 1))
        port=${words[i]:-} port_given=1
        ;;
      --listen | --listen=*) CONFIG_PROBLEMS+=("COMFYUI_ARGS: remove $word; ComfyUI listens on HOST=$HOST, as the other services") ;;
      *) COMFYUI_EXTRA_ARGS+=("$word") ;;
    esac
  done
  ((port_given)) || return 0
  if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
    CONFIG_PROBLEMS+=("COMFYUI_ARGS: --port needs a port number from 1 to 65535, got '${port}'")
  elif [[ -n "$COMFYUI_PORT_SET" && "$COMFYUI_PORT_SET" != "$((10#$port))" ]]; then
    CONFIG_PROBLEMS+=("COMFYUI_PORT=$COMFYUI_PORT_SET and --port $port in COMFYUI_ARGS disagree; set one of them")
  else
    COMFYUI_PORT=$((10#$port))
  fi
}
if [[ -n "${COMFYUI_DIR:-}" ]]; then parse_comfyui_args; fi

# check_config — stop with every problem in the settings listed at once.
check_config() {
  ((${#CONFIG_PROBLEMS[@]} == 0)) && return 0
  local problem
  for problem in "${CONFIG_PROBLEMS[@]}"; do log "ERROR: $problem"; done
  die "the settings above are wrong; nothing was started"
}

comfyui_url() { printf '%s' "${COMFYUI_URL:-http://$HOST:$COMFYUI_PORT}"; }

# health_url SERVICE — the URL that says SERVICE is up.
health_url() {
  case "$1" in
    backend) printf 'http://%s:%s/health' "$HOST" "$BACKEND_PORT" ;;
    gpu_server) printf 'http://%s:%s/health' "$HOST" "$GPU_PORT" ;;
    comfyui) printf '%s/system_stats' "$(comfyui_url)" ;;
    *) die "unknown service $1" ;;
  esac
}

# service_port SERVICE
service_port() {
  case "$1" in
    backend) printf '%s' "$BACKEND_PORT" ;;
    gpu_server) printf '%s' "$GPU_PORT" ;;
    comfyui) local url; url="$(comfyui_url)"; url="${url##*:}"; printf '%s' "${url%%/*}" ;;
  esac
}

pid_file() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

# read_pid SERVICE — the pid in SERVICE's pid file (its process group's id) while a
# process of that group is still ours (see process_group.sh); a stale pid file (all gone,
# or the pid reused by another program) is removed.
read_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  if group_running "$1"; then
    read -r pid <"$file"
    printf '%s' "$pid"
    return 0
  fi
  log "removing stale pid file $file"
  rm -f "$file" "$(group_file "$1")"
  return 1
}

# start_node_service SERVICE SCRIPT PORT [ENV=VALUE...] — start one of our services in the
# background, output into $LOG_DIR/SERVICE.out, pid into the run directory.
start_node_service() {
  local service=$1 script=$2 port=$3
  shift 3
  [[ -f "$DIST_BIN/$script" ]] || die "$DIST_BIN/$script is missing: run 'npm ci' (or 'npm run build') first"
  spawn_group "$service" /dev/null "$LOG_DIR/$service.out" "$PWD" \
    env "$@" HOST="$HOST" PORT="$port" LOG_DIR="$LOG_DIR" node "$DIST_BIN/$script"
  log "started $service (pid $SPAWNED_PID, port $port; output in $LOG_DIR/$service.out)"
}

# await_health SERVICE — wait for SERVICE's health endpoint, or stop what is left of it
# and fail pointing at its log (and at a full log disk, which leaves that log empty).
await_health() {
  local service=$1 url out pid full rc=0
  url="$(health_url "$service")"
  pid="$(cat "$(pid_file "$service")" 2>/dev/null || true)"
  wait_for_http "$url" "$STARTUP_TIMEOUT" "$service" || rc=$?
  if ((rc == 0)); then
    log "$service is healthy ($url)"
    return 0
  fi
  out="$LOG_DIR/$service.out"
  [[ "$service" == comfyui ]] && out="$LOG_DIR/comfyui.log"
  if ((rc == 2)); then
    log "$service (pid $pid) exited before it became healthy at $url"
  else
    log "$service did not become healthy within ${STARTUP_TIMEOUT}s at $url; stopping it"
  fi
  # What is left of it (a launcher's children) goes; the stamper then has ComfyUI's last
  # lines in comfyui.log before they are shown.
  stop_group "$service" "${STOP_GRACE:-10}"
  if [[ "$service" == comfyui ]]; then stop_stamper; fi
  full="$(disk_full_note "$LOG_DIR")"
  if [[ -s "$out" ]]; then
    log "last lines of $out:"
    tail -n 20 "$out" >&2 || true
  elif [[ -n "$full" ]]; then
    log "$out is empty: $full, so $service could not write why it stopped; free space and run again"
  else
    log "$out is empty"
  fi
  [[ -z "$full" ]] || log "$full"
  if [[ "$service" == comfyui ]]; then die "$service failed to start; see $out"; fi
  die "$service failed to start; see $out (and $LOG_DIR/$service.log for its JSON log)"
}

# port_busy PORT — true when something already listens on 127.0.0.1:PORT.
port_busy() {
  node -e '
    const s = require("node:net").connect({ host: process.argv[1], port: Number(process.argv[2]) });
    s.on("connect", () => { s.destroy(); process.exit(0); });
    s.on("error", () => process.exit(1));
  ' "$HOST" "$1"
}

# stop_service SERVICE — stop SERVICE's process group if we started it; remove its pid
# and group files. ComfyUI's output stamper then ends by itself (see stop_stamper).
stop_service() {
  local service=$1 pid
  if pid="$(read_pid "$service")"; then
    log "stopping $service (pid $pid, process group $pid)"
    stop_group "$service" "${STOP_GRACE:-10}"
  fi
  rm -f "$(pid_file "$service")" "$(group_file "$service")"
  if [[ "$service" == comfyui ]]; then stop_stamper; fi
}

# stop_stamper — the stamper ends by itself once ComfyUI's output closes; wait up to 3 s
# for that, then stop it; remove the FIFO between them.
stop_stamper() {
  local i
  for ((i = 0; i < 30; i++)); do
    group_running comfyui_stamper || break
    sleep 0.1
  done
  stop_group comfyui_stamper 3
  rm -f "$RUN_DIR/comfyui.pipe"
}

start_backend() {
  start_node_service backend backend.js "$BACKEND_PORT" GPU_SERVER_URL="http://$HOST:$GPU_PORT"
}

start_gpu_server() {
  start_node_service gpu_server gpu-server.js "$GPU_PORT" COMFYUI_URL="$(comfyui_url)"
}

# ensure_service SERVICE START_FUNCTION — start SERVICE unless it already runs healthy.
ensure_service() {
  local service=$1 starter=$2 pid
  if pid="$(read_pid "$service")"; then
    if http_ok "$(health_url "$service")"; then
      log "$service already running (pid $pid)"
      return 0
    fi
    log "$service (pid $pid) is running but not healthy; restarting it"
    stop_service "$service"
  fi
  if port_busy "$(service_port "$service")"; then
    die "port $(service_port "$service") is in use by another program; stop it or set the port (see README)"
  fi
  "$starter"
  await_health "$service"
}

# print_status_table — the status table on stdout, and in $LOG_FILE when it can be written
# (a full log disk must not fail the script).
print_status_table() {
  local table
  table="$(status_table)"
  printf '%s\n' "$table"
  printf '%s\n' "$table" >>"$LOG_FILE" 2>/dev/null || true
}

# status_table — one line per service: pid, port, health.
status_table() {
  local service pid health
  printf '%-12s %-8s %-6s %s\n' SERVICE PID PORT HEALTH
  for service in comfyui gpu_server backend; do
    pid="$(read_pid "$service" 2>/dev/null || printf -- '-')"
    if http_ok "$(health_url "$service")"; then health=healthy; else health=DOWN; fi
    printf '%-12s %-8s %-6s %s\n' "$service" "$pid" "$(service_port "$service")" "$health"
  done
}
