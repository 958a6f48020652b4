# shellcheck shell=bash
# Shared helpers for the project scripts: where the toolchain lives and how to
# run a command with Python >= 3.14.2 (directly, or inside a Debian testing
# root through bubblewrap when the host has no such Python).
# Scripts source it and run with strict options; an interactive shell may
# source it too (`source scripts/lib.sh; in_env python ...`) and keeps its own
# options (set -e there would close the terminal on the next failing command).
case $- in
  *i*) ;;
  *) set -euo pipefail ;;
esac

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${CAMERA_BRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/camera-bridge}"
ROOTFS="$CACHE/rootfs"
VENVS="$CACHE/venvs"
PIP_CACHE="$CACHE/pip"
# LEG=newest (requirements_test.txt), LEG=minimum (requirements_test_min.txt)
# or LEG=smoke (requirements_smoke.txt: the newest Home Assistant release, run
# for real by scripts/smoke)
LEG="${LEG:-newest}"
case "$LEG" in
  newest) REQS="$REPO/requirements_test.txt" ;;
  minimum) REQS="$REPO/requirements_test_min.txt" ;;
  smoke) REQS="$REPO/requirements_smoke.txt" ;;
  *) echo "unknown LEG=$LEG (newest|minimum|smoke)" >&2; return 2 ;;
esac
VENV="$VENVS/$LEG"

python_ok() { # python_ok CMD -> 0 when CMD is Python >= 3.14.2
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)' 2>/dev/null
}

host_python() {
  local c
  for c in python3.14 python3.15 python3; do
    if command -v "$c" >/dev/null 2>&1 && python_ok "$c"; then
      command -v "$c"
      return 0
    fi
  done
  return 1
}

if [ -n "${CAMERA_BRIDGE_FORCE_ROOTFS:-}" ]; then
  HOST_PY=""
else
  HOST_PY="$(host_python || true)"
fi

# in_env CMD...: run CMD where Python 3.14 lives. Inside bubblewrap every bind
# mount belongs to the bwrap process and disappears with it; none is made
# inside the checkout, the checkout itself is bound at its own path.
in_env() {
  if [ -n "$HOST_PY" ]; then
    PATH="$VENV/bin:$PATH" "$@"
    return
  fi
  mkdir -p "$VENVS" "$PIP_CACHE"
  local extra=()
  [ -e /etc/hosts ] && extra+=(--ro-bind /etc/hosts /etc/hosts)
  bwrap --bind "$ROOTFS" / --proc /proc --dev /dev --tmpfs /tmp \
    --bind "$REPO" "$REPO" --bind "$VENVS" "$VENVS" --bind "$PIP_CACHE" "$PIP_CACHE" \
    --ro-bind /etc/resolv.conf /etc/resolv.conf "${extra[@]}" \
    --setenv PATH "$VENV/bin:/usr/local/bin:/usr/bin:/bin" \
    --setenv HOME /root --setenv PIP_CACHE_DIR "$PIP_CACHE" \
    --setenv LANG C.UTF-8 --unsetenv PIP_FIND_LINKS --chdir "$REPO" -- "$@"
}

python_cmd() { # the interpreter used to create venvs
  if [ -n "$HOST_PY" ]; then echo "$HOST_PY"; else echo python3.14; fi
}
