#!/usr/bin/env bash
# Stops what startup.sh started (SIGTERM, a bounded wait, then SIGKILL) and removes the
# pid files. A ComfyUI that startup.sh did not start is left alone.
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
  log "stopping the stack (run directory $RUN_DIR)"
  stop_service backend
  stop_service gpu_server
  stop_service comfyui
  # The stamper ends by itself when ComfyUI's output closes; give it a moment first.
  STOP_GRACE=3 stop_service comfyui_stamper
  rm -f "$RUN_DIR/comfyui.pipe"
  log "stopped"
}

main "$@"
