"""The application factory: one blueprint per capability, the store shared by all of them."""

from __future__ import annotations

from flask import Flask

from corridor.config import Config
from corridor.store import OxigraphStore, open_store
from corridor.web import catalog, graph_store, importer, linked_data, sparql
from corridor.web import ui as browse

BLUEPRINTS = (sparql.bp, graph_store.bp, importer.bp, linked_data.bp, catalog.bp, browse.bp)


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
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app
