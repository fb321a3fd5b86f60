"""The collaboration network (organisations, countries or regions sharing projects)."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
)

from corridor.derived import figures as figures
from corridor.derived.figures import network, stats_for
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui.common import (
    bp,
    cached_json,
    memo_view,
    network_level,
    render_page,
)

NETWORK_NODES = 300  # the nodes in most projects: a browser draws no more usefully


@bp.get("/network")
def network_view() -> Response:
    level = network_level()
    data = memo_view("network", lambda: _network_data_uncached(level), level)
    return render_page("network.html", title="Collaboration network", level=level, data=data)


@bp.get("/views/network.json")
def network_json() -> Response:
    level = network_level()
    return cached_json(memo_view("network", lambda: _network_data_uncached(level), level))


def _network_data_uncached(level: str) -> dict[str, Any]:
    stats = stats_for(get_store())
    nodes, edges = network(stats, level, NETWORK_NODES)
    labels = lbl.fetch_labels(list(nodes))
    return {
        "level": level,
        "limit": NETWORK_NODES,
        "nodes": [
            {
                "id": n,
                "label": lbl.label_or_name(n, labels),
                "url": lbl.resource_url(n),
                "projects": count,
            }
            for n, count in sorted(nodes.items())
        ],
        "edges": [{"source": a, "target": b, "projects": w} for (a, b), w in sorted(edges.items())],
    }
