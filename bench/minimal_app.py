"""The smallest Flask + pyoxigraph SPARQL endpoint, served by waitress (the bench baseline).

Usage: python bench/minimal_app.py DATA.nt PORT
"""

import sys

import pyoxigraph as ox
from flask import Flask, Response, request
from waitress import serve

store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
app = Flask(__name__)


@app.get("/sparql")
def sparql() -> Response:
    result = store.query(request.args["query"])
    body = result.serialize(format=ox.QueryResultsFormat.JSON)
    return Response(body, content_type="application/sparql-results+json")


if __name__ == "__main__":
    serve(app, host="127.0.0.1", port=int(sys.argv[2]), threads=8)
