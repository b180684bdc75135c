#!/usr/bin/env bash
# Starts the stack: ComfyUI (a real one when COMFYUI_DIR or COMFYUI_URL is set, else the
# embedded emulator), then the GPU server, then the backend, each waited for on its
# health endpoint. Safe to run twice: running healthy services are left alone.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# start_comfyui — ComfyUI's output goes through the line stamper into comfyui.log.
start_comfyui() {
  local fifo="$RUN_DIR/comfyui.pipe"
  rm -f "$fifo"
  mkfifo "$fifo"
  nohup node "$DIST_BIN/stamp-lines.js" "$LOG_DIR/comfyui.log" <"$fifo" >/dev/null 2>>"$LOG_DIR/comfyui_stamper.out" &
  printf '%s' "$!" >"$(pid_file comfyui_stamper)"
  if [[ -n "${COMFYUI_DIR:-}" ]]; then
    [[ -f "$COMFYUI_DIR/main.py" ]] || die "COMFYUI_DIR=$COMFYUI_DIR has no main.py"
    (cd "$COMFYUI_DIR" && PYTHONUNBUFFERED=1 exec nohup "${COMFYUI_PYTHON:-python3}" main.py \
      --listen "$HOST" --port "$COMFYUI_PORT" >"$fifo" 2>&1 </dev/null) &
    printf '%s' "$!" >"$(pid_file comfyui)"
    log "started ComfyUI from $COMFYUI_DIR (pid $!, port $COMFYUI_PORT; output in $LOG_DIR/comfyui.log)"
  else
    HOST="$HOST" PORT="$COMFYUI_PORT" nohup node "$DIST_BIN/comfyui-emulator.js" >"$fifo" 2>&1 </dev/null &
    printf '%s' "$!" >"$(pid_file comfyui)"
    log "started the ComfyUI emulator (pid $!, port $COMFYUI_PORT; output in $LOG_DIR/comfyui.log)"
  fi
}

ensure_comfyui() {
  if [[ -n "${COMFYUI_URL:-}" ]]; then
    wait_for_http "$(health_url comfyui)" "$STARTUP_TIMEOUT" ||
      die "COMFYUI_URL=$COMFYUI_URL does not answer GET /system_stats; is ComfyUI running there?"
    log "using the ComfyUI already running at $COMFYUI_URL"
    return 0
  fi
  if ! read_pid comfyui >/dev/null && http_ok "$(health_url comfyui)"; then
    log "a ComfyUI not started by this script answers at $(comfyui_url); using it"
    return 0
  fi
  ensure_service comfyui start_comfyui
}

main() {
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
