"""The collaboration network (organisations, countries or regions sharing projects)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Response, request

from corridor.derived.figures import network, stats_for
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui import factsheets, i18n
from corridor.web.ui.common import (
    bp,
    cached_json,
    listing,
    memo_json,
    memo_view,
    nav_url,
    network_level,
)

NETWORK_NODES = 300  # the nodes in most projects: a browser draws no more usefully


@bp.get("/network")
def network_view() -> Response:
    """The network drawn by Cytoscape, with a legend, a search box, an ego view (``?focus=``)
    and the same nodes and links as tables with links (and as JSON/CSV)."""
    level = network_level()
    data = memo_view("network", lambda: _network_data_uncached(level), level)
    focus = request.args.get("focus", "").strip()
    if focus:
        data = _ego(data, focus)
    rows = data["nodes"]
    columns = (("id", "IRI"), ("label", "Label"), ("projects", "Projects"), ("group", "Group"),
               ("url", "Page"))
    return listing(
        "network.html", rows, columns, data={"level": level, "edges": data["edges"]},
        title=i18n.translate("Collaboration network"), level=level, graph=data, focus=focus,
        focus_label=next((n["label"] for n in rows if n["id"] == focus), None),
    )


@bp.get("/views/network.json")
def network_json() -> Response:
    level = network_level()
    focus = request.args.get("focus", "").strip()
    if not focus:
        return memo_json("network", lambda: _network_data_uncached(level), level)
    return cached_json(_ego(memo_view("network", lambda: _network_data_uncached(level), level),
                            focus))


def _ego(data: dict[str, Any], focus: str) -> dict[str, Any]:
    """The node ``focus`` with its neighbours and the links among them."""
    near = {focus}
    for e in data["edges"]:
        if focus in (e["source"], e["target"]):
            near |= {e["source"], e["target"]}
    return {
        **data,
        "nodes": [n for n in data["nodes"] if n["id"] in near],
        "edges": [e for e in data["edges"] if e["source"] in near and e["target"] in near],
        "focus": focus,
    }


PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf", "#ff7f0e", "#393b79", "#637939")


def _network_data_uncached(level: str) -> dict[str, Any]:
    """Nodes coloured by country (organisations, regions) or each its own (countries)."""
    stats = stats_for(get_store())
    project_level: set[tuple[str, str]] = set()
    nodes, edges = network(stats, level, NETWORK_NODES, project_level)
    organisations, _ = stats.links() if level == "organisation" else ({}, [])
    reader = get_store().reader()
    groups: dict[str, str | None] = {}
    for n in nodes:
        if level == "organisation":
            groups[n] = (organisations.get(n) or {}).get("country")
        elif level == "country":
            groups[n] = n
        else:
            groups[n] = factsheets.nuts_country(reader, n)
    labels = lbl.fetch_labels(list(nodes) + [g for g in groups.values() if g])
    ranked = Counter(g for g in groups.values() if g).most_common()
    colours = {g: PALETTE[i] for i, (g, _) in enumerate(ranked[: len(PALETTE)])}
    legend = [
        {"iri": g, "label": lbl.label_or_name(g, labels), "colour": colours[g], "nodes": n}
        for g, n in ranked[: len(PALETTE)]
    ]
    if len(ranked) > len(PALETTE) or any(g is None for g in groups.values()):
        legend.append({"iri": None, "label": i18n.translate("other or unknown"), "colour": OTHER,
                       "nodes": None})
    label_of = {n: lbl.label_or_name(n, labels) for n in nodes}
    return {
        "level": level,
        "limit": NETWORK_NODES,
        "legend": legend,
        "nodes": [
            {
                "id": n,
                "label": label_of[n],
                "url": lbl.resource_url(n),
                "ego": nav_url("browse.network_view", level=level, focus=n),
                "projects": count,
                "group": lbl.label_or_name(g, labels) if (g := groups.get(n)) else None,
                "colour": colours.get(groups.get(n) or "", OTHER),
            }
            for n, count in sorted(nodes.items(), key=lambda kv: i18n.sort_key(label_of[kv[0]]))
        ],
        "edges": [
            {"source": a, "target": b, "projects": w, "projectLevel": (a, b) in project_level,
             "source_label": label_of[a], "target_label": label_of[b],
             "source_url": lbl.resource_url(a), "target_url": lbl.resource_url(b)}
            for (a, b), w in sorted(edges.items(), key=lambda kv: -kv[1])
        ],
    }


OTHER = "#9aa5ad"
