#!/usr/bin/env bash
# Starts the stack: ComfyUI (a real one when COMFYUI_DIR or COMFYUI_URL is set, else the
# embedded emulator), then the GPU server, then the backend, each waited for on its
# health endpoint. Safe to run twice: running healthy services are left alone.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# start_comfyui — ComfyUI's output goes through the line stamper into comfyui.log. Each
# runs in a process group of its own: a launcher (COMFYUI_PYTHON) and whatever it starts
# are tracked and stopped as one.
start_comfyui() {
  local fifo="$RUN_DIR/comfyui.pipe"
  if [[ -n "${COMFYUI_DIR:-}" ]]; then
    [[ -f "$COMFYUI_DIR/main.py" ]] || die "COMFYUI_DIR=$COMFYUI_DIR has no main.py"
  fi
  rm -f "$fifo"
  mkfifo "$fifo"
  spawn_group comfyui_stamper "$fifo" "$LOG_DIR/comfyui_stamper.out" "$PWD" node "$DIST_BIN/stamp-lines.js" "$LOG_DIR/comfyui.log"
  if [[ -n "${COMFYUI_DIR:-}" ]]; then
    spawn_group comfyui /dev/null "$fifo" "$COMFYUI_DIR" env PYTHONUNBUFFERED=1 "${COMFYUI_PYTHON:-python3}" main.py \
      --listen "$HOST" --port "$COMFYUI_PORT" "${COMFYUI_EXTRA_ARGS[@]}"
    log "started ComfyUI from $COMFYUI_DIR (pid $SPAWNED_PID, process group $SPAWNED_PID, port $COMFYUI_PORT${COMFYUI_EXTRA_ARGS[*]:+, extra arguments ${COMFYUI_EXTRA_ARGS[*]}}; output in $LOG_DIR/comfyui.log)"
  else
    spawn_group comfyui /dev/null "$fifo" "$PWD" env HOST="$HOST" PORT="$COMFYUI_PORT" node "$DIST_BIN/comfyui-emulator.js"
    log "started the ComfyUI emulator (pid $SPAWNED_PID, port $COMFYUI_PORT; output in $LOG_DIR/comfyui.log)"
  fi
}

ensure_comfyui() {
  if [[ -n "${COMFYUI_URL:-}" ]]; then
    wait_for_http "$(health_url comfyui)" "$STARTUP_TIMEOUT" ||
      die "COMFYUI_URL=$COMFYUI_URL does not answer GET /system_stats; is ComfyUI running there?"
    log "using the ComfyUI already running at $COMFYUI_URL"
    return 0
  fi
  if [[ -n "${COMFYUI_ARGS:-}" && -z "${COMFYUI_DIR:-}" ]]; then
    log "COMFYUI_ARGS is used only with COMFYUI_DIR (a ComfyUI checkout); ignoring it"
  fi
  if ! read_pid comfyui >/dev/null && http_ok "$(health_url comfyui)"; then
    log "a ComfyUI not started by this script answers at $(comfyui_url); using it"
    return 0
  fi
  ensure_service comfyui start_comfyui
}

usage() {
  cat <<'EOF'
usage: scripts/startup.sh            (npm start)

Starts ComfyUI, the GPU server and the backend, each waited for on its health endpoint;
running healthy services are left alone. Settings, from the environment:
  LOG_DIR, RUN_DIR, HOST, BACKEND_PORT, GPU_PORT, COMFYUI_PORT, STARTUP_TIMEOUT (see README)
  COMFYUI_URL      use the ComfyUI already running there
  COMFYUI_DIR      run the ComfyUI checkout there: PYTHON main.py --listen HOST --port PORT ARGS
  COMFYUI_PYTHON   the PYTHON above (default python3); may be a launcher script, which gets
                   "main.py --listen ..." as its arguments
  COMFYUI_ARGS     extra arguments for main.py, split on blanks (e.g. "--cpu --disable-api-nodes");
                   a --port there is ComfyUI's port (COMFYUI_PORT, when set, must agree);
                   --listen is refused (HOST is where every service listens)
Neither COMFYUI_URL nor COMFYUI_DIR: the embedded ComfyUI emulator.

Every process started runs in a process group of its own, recorded in RUN_DIR
(SERVICE.pid, SERVICE.group); scripts/stop_services.sh stops the groups. A service that
exits before it is healthy is reported at once with the last lines of its output.
EOF
}

main() {
  if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
    usage
    return 0
  fi
  check_config
  mkdir -p "$RUN_DIR"
  touch "$LOG_FILE" 2>/dev/null || die "LOG_DIR=$LOG_DIR is not writable (check its owner and permissions)"
  log "startup: LOG_DIR=$LOG_DIR RUN_DIR=$RUN_DIR"
  local full
  full="$(disk_full_note "$LOG_DIR")"
  # The services run on a full disk (they count the lines they lose); say so up front.
  [[ -z "$full" ]] || log "WARNING: $full: the services will start, but their log lines and output are lost until space is freed"
  command -v node >/dev/null || die "node is not installed (Node.js >= 20.19 is required)"
  ensure_comfyui
  ensure_service gpu_server start_gpu_server
  ensure_service backend start_backend
  print_status_table
  log "stack is up: backend http://$HOST:$BACKEND_PORT  logs in $LOG_DIR  (stop with scripts/stop_services.sh)"
}

main "$@"
