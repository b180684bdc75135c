#!/usr/bin/env bash
# Stops what startup.sh started (SIGTERM, a bounded wait, then SIGKILL) and removes the
# pid files. A ComfyUI that startup.sh did not start is left alone.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# stop_stamper — the stamper ends by itself once ComfyUI's output closes; wait up to 3 s
# for that, then stop it.
stop_stamper() {
  local file pid i
  file="$(pid_file comfyui_stamper)"
  [[ -f "$file" ]] || return 0
  pid="$(<"$file")"
  for ((i = 0; i < 30; i++)); do
    pid_alive "$pid" || break
    sleep 0.1
  done
  if pid_alive "$pid" && grep -qa -- "$(pid_marker comfyui_stamper)" "/proc/$pid/cmdline" 2>/dev/null; then
    stop_pid "$pid" 3
  fi
  rm -f "$file"
}

main() {
  log "stopping the stack (run directory $RUN_DIR)"
  stop_service backend
  stop_service gpu_server
  stop_service comfyui
  stop_stamper
  rm -f "$RUN_DIR/comfyui.pipe"
  log "stopped"
}

main "$@"
