"""Blueprint: the human web interface, one module per kind of page.

Pages are server-rendered and work without JavaScript; scripts only enhance them (map, network,
YASGUI). Data reaches scripts as JSON endpoints or ``<script type="application/json">`` blocks
written with ``tojson``; nothing from the graph is ever spliced into script code. Aggregates come
from :mod:`corridor.derived.figures` (once per store version), text search from
:mod:`corridor.derived.search`. Every listing answers HTML, JSON and CSV from the same view.
"""

from __future__ import annotations

from corridor.web.ui import (  # noqa: F401 - importing a module registers its routes
    budgets,
    home,
    map,
    network,
    projects,
    query,
    resource,
    search,
    timeline,
)
from corridor.web.ui.common import bp
from corridor.web.ui.query import query_page
from corridor.web.ui.resource import resource_html

__all__ = ["bp", "query_page", "resource_html"]
