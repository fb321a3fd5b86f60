"""Corridor: a linked-data knowledge graph of European interregional innovation cooperation.

Layers, each a subpackage with a small public surface, data flowing one way::

    ingest -> validation -> store -> derived -> web

``rdf`` (formats, namespaces, term conversion) is shared by all of them; ``query`` runs user
SPARQL under limits; ``config`` and ``resources`` say where everything is.
"""

__version__ = "0.1.0"
