#!/usr/bin/env bash
# Install Corridor into ./.venv (Python packages from PyPI, front-end packages from npm).
# Usage: scripts/setup.sh [--test]   (--test adds the test tools and headless Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# front-end libraries first: the package ships them (see pyproject.toml, corridor.bundle)
if [ -f package.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install --quiet -e '.[test]'
  # the remote-backend tests start real servers: Oxigraph server (PyPI) and Virtuoso 7 (Debian)
  .venv/bin/python -m pip install --quiet oxigraph
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  missing=""
  command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
  command -v virtuoso-t >/dev/null 2>&1 || missing="$missing virtuoso-opensource"
  if [ -n "$missing" ]; then
    # the package's own service is not wanted: the tests start Virtuoso in temporary folders
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      $SUDO apt-get install -y -qq $missing >/dev/null
  fi
else
  .venv/bin/python -m pip install --quiet -e .
fi
