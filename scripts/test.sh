#!/usr/bin/env bash
# Second command of the README: install the test dependencies and run the whole test suite.
#
# The remote-backend runs (marked `remote`: the protocol, Graph Store, linked-data, catalogue
# and UI suites against real Oxigraph server and Virtuoso processes) mostly wait on those
# servers, so they run beside the embedded suite rather than after it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/mypy
remote_log=$(mktemp)
trap 'rm -f "$remote_log"' EXIT
# Here: the remote store's own guarantees (tests/store/test_remote.py) on both servers. The shared
# suites on both servers (CORRIDOR_TEST_BACKENDS=all pytest -m remote) pass too, but beside the
# embedded run they take CI past 30 minutes on two cores.
.venv/bin/python -m pytest -q -m remote -p no:cacheprovider "$@" >"$remote_log" 2>&1 &
remote=$!
embedded_status=0
.venv/bin/python -m pytest -q -m "not remote" "$@" || embedded_status=$?
remote_status=0
wait "$remote" || remote_status=$?
echo "--- remote backends (Oxigraph server, Virtuoso) ---"
cat "$remote_log"
[ "$remote_status" = 5 ] && remote_status=0  # a selection with no remote-backend test
[ "$embedded_status" = 0 ] && [ "$remote_status" = 0 ]
