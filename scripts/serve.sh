#!/usr/bin/env bash
# First command of the README: install, then serve the bundled data on http://127.0.0.1:8000/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/corridor serve "$@"
