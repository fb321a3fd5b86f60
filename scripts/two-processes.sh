#!/usr/bin/env bash
# Scale-out example: two Corridor web processes over one Oxigraph server (no compose needed).
# Writes through the first, reads the same answer from the second. Ports 18880-18882.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
.venv/bin/oxigraph serve -l "$work/oxigraph" -b 127.0.0.1:18880 --timeout-s 30 >"$work/oxi.log" 2>&1 &
sleep 1
export CORRIDOR_STORE_URL=http://127.0.0.1:18880/query CORRIDOR_UPDATE_URL=http://127.0.0.1:18880/update
export CORRIDOR_WRITE_TOKEN=example-token
.venv/bin/corridor serve --store "$work/web1" --port 18881 2>"$work/web1.log" &
sleep 8   # the first process loads the bundled data (validated) into the empty remote store
.venv/bin/corridor serve --store "$work/web2" --port 18882 2>"$work/web2.log" &
sleep 4
curl -s -X PUT -H 'Authorization: Bearer example-token' -H 'Content-Type: text/turtle' \
  --data '<http://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "hello" .' \
  'http://127.0.0.1:18881/graph-store?graph=https://w3id.org/corridor/graph/example' -o /dev/null -w 'PUT via process 1: %{http_code}\n'
sleep 1.5
for port in 18881 18882; do
  echo "process on $port answers:"
  curl -s -H 'Accept: text/csv' --data-urlencode \
    'query=SELECT ?l { GRAPH <https://w3id.org/corridor/graph/example> { ?s ?p ?l } }' \
    "http://127.0.0.1:$port/sparql"
done
