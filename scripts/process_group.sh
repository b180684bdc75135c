#!/usr/bin/env bash
# Process-group tracking for the services the scripts start. Sourced by lib.sh; do not run it.
#
# Each service runs in a process group of its own (setsid), so a launcher wrapper
# (COMFYUI_PYTHON=./launch.sh) and everything it starts are tracked and stopped together,
# whatever their command lines say. RUN_DIR/SERVICE.pid holds the leader's pid (the
# group's id); RUN_DIR/SERVICE.group holds what recognises the group after a pid reuse:
# the leader's start time (clock ticks since boot, /proc/PID/stat field 22) and a random
# token put in the environment of every process of the group (LOGTRACE_GROUP).
#   - leader alive with that start time: the group is ours (the kernel does not hand out
#     a pid that is still a process group's id), signalled with kill -- -PGID;
#   - leader gone: its group's id cannot be reused while members remain, but the number
#     can once they are all gone, so only members carrying the token are ours, signalled
#     one by one. A stranger is never signalled.
# shellcheck disable=SC2034  # variables here are used by the scripts that source it

group_file() { printf '%s/%s.group' "$RUN_DIR" "$1"; }

# read_proc_stat PID — sets PROC_STATE, PROC_PGID and PROC_START (start time, clock ticks
# since boot) of PID; fails when PID does not exist. No subshell: group_members calls it
# for every process on the machine. The command name (field 2) may hold spaces and
# parentheses, so fields are counted after its last closing parenthesis.
read_proc_stat() {
  local stat
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat="${stat##*) }"
  local -a f
  read -ra f <<<"$stat"
  PROC_STATE="${f[0]}" PROC_PGID="${f[2]}" PROC_START="${f[19]}"
}

# spawn_group SERVICE INPUT OUTPUT DIR COMMAND... — run COMMAND in DIR in the background,
# in a new session and process group, stdin from INPUT, stdout and stderr appended to
# OUTPUT; records its pid file and group file and sets SPAWNED_PID.
spawn_group() {
  local service=$1 input=$2 output=$3 dir=$4 token
  shift 4
  token="$(cat /proc/sys/kernel/random/uuid 2>/dev/null || printf '%s-%s' "$$" "$EPOCHREALTIME")"
  # The subshell is not a group leader, so setsid makes the new session without forking
  # again: $! is the pid of COMMAND itself.
  (cd "$dir" && LOGTRACE_GROUP="$token" exec setsid nohup "$@" >>"$output" 2>&1 <"$input") &
  local pid=$!
  printf '%s\n' "$pid" >"$(pid_file "$service")"
  # The start time does not change at exec; a process already gone gets "none", which
  # matches nothing.
  PROC_START=none
  read_proc_stat "$pid" || PROC_START=none
  printf '%s %s\n' "$PROC_START" "$token" >"$(group_file "$service")"
  SPAWNED_PID=$pid
}

# group_members SERVICE — the pids of SERVICE's live processes (zombies excluded), one per
# line, the leader first when alive; fails when SERVICE has no pid file or no live process.
group_members() {
  local service=$1 file pid start token proc found=1 leader_ours=0
  # Paths spelled out, not $(pid_file …): no subshell on a path polled every 0.1 s.
  file="$RUN_DIR/$service.pid"
  [[ -f "$file" ]] || return 1
  read -r pid <"$file" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  { read -r start token <"$RUN_DIR/$service.group"; } 2>/dev/null || return 1
  [[ -n "$token" ]] || return 1
  if read_proc_stat "$pid" && [[ "$PROC_STATE" != Z && "$PROC_START" == "$start" ]]; then
    leader_ours=1
    printf '%s\n' "$pid"
    found=0
  fi
  for proc in /proc/[0-9]*; do
    proc="${proc#/proc/}"
    [[ "$proc" != "$pid" ]] || continue
    read_proc_stat "$proc" || continue
    [[ "$PROC_PGID" == "$pid" && "$PROC_STATE" != Z ]] || continue
    if ((leader_ours)) || grep -qzxF -- "LOGTRACE_GROUP=$token" "/proc/$proc/environ" 2>/dev/null; then
      printf '%s\n' "$proc"
      found=0
    fi
  done
  return "$found"
}

# leader_recognised SERVICE — true when the leader in SERVICE's pid file is alive with the
# start time recorded for it (then the whole group is ours); sets LEADER_PID.
leader_recognised() {
  local file="$RUN_DIR/$1.pid" start token
  LEADER_PID=""
  [[ -f "$file" ]] || return 1
  read -r LEADER_PID <"$file" || return 1
  { read -r start token <"$RUN_DIR/$1.group"; } 2>/dev/null || return 1
  [[ "$LEADER_PID" =~ ^[0-9]+$ ]] && read_proc_stat "$LEADER_PID" && [[ "$PROC_STATE" != Z && "$PROC_START" == "$start" ]]
}

# group_running SERVICE — true while SERVICE's process group has a live process of ours.
# The recognised leader answers without the scan of every process group_members makes.
group_running() {
  leader_recognised "$1" || group_members "$1" >/dev/null
}

# signal_group SERVICE SIGNAL — send SIGNAL to SERVICE's processes (the whole group when
# its leader is recognised, else each member carrying the token).
signal_group() {
  local service=$1 signal=$2 members pid
  if leader_recognised "$service"; then
    kill "-$signal" -- "-$LEADER_PID" 2>/dev/null || true
    return 0
  fi
  members="$(group_members "$service")" || return 0
  while read -r pid; do kill "-$signal" "$pid" 2>/dev/null || true; done <<<"$members"
}

# stop_group SERVICE [GRACE_SECONDS] — SIGTERM to the group, wait up to GRACE_SECONDS
# (default 10) for all of it to end, then SIGKILL; removes the pid and group files.
stop_group() {
  local service=$1 grace=${2:-10} i
  if group_running "$service"; then
    signal_group "$service" TERM
    for ((i = 0; i < grace * 10; i++)); do
      group_running "$service" || break
      sleep 0.1
    done
    if group_running "$service"; then
      log "$service did not stop within ${grace}s; sending SIGKILL to its processes ($(group_members "$service" | paste -sd ' '))"
      signal_group "$service" KILL
    fi
  fi
  rm -f "$(pid_file "$service")" "$(group_file "$service")"
}
