"""The smallest Flask + pyoxigraph SPARQL endpoint, served by waitress (the bench baseline).

Usage: python bench/minimal_app.py DATA PORT

DATA is an N-Triples file (bulk-loaded into an in-memory store) or a store directory (opened
read-only on disk: the same storage Corridor reads, so that the comparison measures Corridor,
not memory versus disk). /describe?iri=I answers a resource's triples (out and in) as Turtle:
the raw floor of a resource page.
"""

import sys
from pathlib import Path

import pyoxigraph as ox
from flask import Flask, Response, request
from waitress import serve

if Path(sys.argv[1]).is_dir():
    store = ox.Store.read_only(sys.argv[1])
else:
    store = ox.Store()
    store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
app = Flask(__name__)


@app.get("/sparql")
def sparql() -> Response:
    result = store.query(request.args["query"], use_default_graph_as_union=True)
    body = result.serialize(format=ox.QueryResultsFormat.JSON)
    return Response(body, content_type="application/sparql-results+json")


@app.get("/describe")
def describe() -> Response:
    node = ox.NamedNode(request.args["iri"])
    quads = [*store.quads_for_pattern(node, None, None), *store.quads_for_pattern(None, None, node)]
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return Response(ox.serialize(triples, format=ox.RdfFormat.TURTLE), content_type="text/turtle")


if __name__ == "__main__":
    serve(app, host="127.0.0.1", port=int(sys.argv[2]), threads=8)
