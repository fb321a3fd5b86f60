#!/usr/bin/env bash
# Second command of the README: install the test dependencies and run the whole test suite.
#
# Three runs side by side: the embedded store; the protocol, Graph Store, linked-data, catalogue
# and UI suites (and the remote store's own tests) against a real Oxigraph server; the same
# against a real Virtuoso 7. The remote runs mostly wait on their servers, so beside the
# embedded run they add little to the wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/mypy
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
backends=(oxigraph virtuoso)
pids=()
for backend in "${backends[@]}"; do
  CORRIDOR_TEST_BACKENDS=$backend .venv/bin/python -m pytest -q -m remote -p no:cacheprovider \
    "$@" >"$logs/$backend.log" 2>&1 &
  pids+=("$!")
done
status=0
.venv/bin/python -m pytest -q -m "not remote" "$@" || status=$?
for i in "${!backends[@]}"; do
  backend=${backends[$i]}
  remote_status=0
  wait "${pids[$i]}" || remote_status=$?
  echo "--- the shared suites on $backend ---"
  cat "$logs/$backend.log"
  # 5: a selection with no remote-backend test (e.g. one test file given)
  [ "$remote_status" = 0 ] || [ "$remote_status" = 5 ] || status=$remote_status
done
exit "$status"
