#!/usr/bin/env bash
# Stops what startup.sh started: SIGTERM to each service's process group (a ComfyUI
# launcher wrapper and what it started included), a bounded wait (STOP_GRACE seconds,
# default 10), then SIGKILL; removes the pid files, group files and ComfyUI's FIFO. A
# ComfyUI that startup.sh did not start is left alone, and so is a process that merely
# got a recorded pid again (see scripts/process_group.sh).
set -Eeuo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
  log "stopping the stack (run directory $RUN_DIR)"
  stop_service backend
  stop_service gpu_server
  stop_service comfyui
  log "stopped"
}

main "$@"
