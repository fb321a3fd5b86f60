"""The application factory: one blueprint per capability, wired here and nowhere else.

The app owns the store (and through it every per-store service: query workers, kept figures,
the search index, dumps), installs the app-wide behaviour (HTTP validators) and hands the UI's
page renderers to the protocol blueprints that can answer with HTML.
"""

from __future__ import annotations

from flask import Flask

from corridor import derived
from corridor.config import Config
from corridor.store import OxigraphStore, open_store
from corridor.web import (
    brokerage,
    caching,
    catalog,
    graph_store,
    importer,
    linked_data,
    sparql,
    ui,
)


def create_app(config: Config | None = None, store: OxigraphStore | None = None) -> Flask:
    """Build the WSGI app; with no arguments it serves the bundled data from ./corridor-store."""
    config = config or Config.from_env()
    if store is None:
        store = open_store(config)
        if store.version == 0 and not store.named_graphs(public=False):
            from corridor.ingest.loader import load_bundled

            load_bundled(store)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    app.extensions["corridor.config"] = config
    app.extensions["corridor.store"] = store
    app.extensions["corridor.pages"] = {"resource": ui.resource_html, "query": ui.query_page}
    for blueprint in (
        sparql.bp, graph_store.bp, importer.bp, linked_data.bp, catalog.bp, ui.bp, brokerage.bp,
    ):
        app.register_blueprint(blueprint)
    caching.install(app)
    derived.warm(store)
    return app
