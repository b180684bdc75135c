#!/usr/bin/env bash
# Restarts the backend and the GPU server (after a deploy), leaving ComfyUI running.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
  check_config
  mkdir -p "$RUN_DIR"
  log "restarting backend and GPU server"
  http_ok "$(health_url comfyui)" ||
    log "WARNING: ComfyUI does not answer at $(comfyui_url); the GPU server will report it unhealthy (start it with scripts/startup.sh)"
  stop_service backend
  stop_service gpu_server
  ensure_service gpu_server start_gpu_server
  ensure_service backend start_backend
  print_status_table
}

main "$@"
