#!/usr/bin/env bash
# Installs the Debian packages of the commands (or absolute paths: a file or directory a
# package installs) that are missing.
#   scripts/apt_install.sh COMMAND[=PACKAGE]...   e.g. shellcheck rg=ripgrep /usr/bin/time=time
# Exits 0 when every command is there afterwards, 1 (with a message) when one is not.
set -euo pipefail

present() {
  if [[ $1 == /* ]]; then [[ -x $1 ]]; else command -v "$1" >/dev/null 2>&1; fi
}

missing=()
for wanted in "$@"; do
  present "${wanted%%=*}" || missing+=("${wanted#*=}")
done
((${#missing[@]} == 0)) && exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "apt_install: ${missing[*]} missing; install with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

echo "apt_install: installing ${missing[*]} from Debian" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
  { "${sudo[@]}" apt-get update >/dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } ||
  { echo "apt_install: could not install ${missing[*]}" >&2; exit 1; }
