"""The timeline of projects and events."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Response

from corridor.derived.figures import stats_for
from corridor.rdf.namespaces import COR
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui import i18n
from corridor.web.ui.common import (
    bp,
    listing,
    memo_json,
    memo_view,
)


@bp.get("/timeline")
def timeline_view() -> Response:
    """Projects as bars and events as marks on one time axis; undated projects listed apart
    (with the dates of their events when they have some)."""
    items = [dict(p) for p in memo_view("_timeline_data", _timeline_data_uncached)]
    years = [y for p in items for y in (p["startYear"], p["endYear"]) if y]
    lo, hi = (min(years), max(years) + 1) if years else (2000, 2001)
    for p in items:
        if p["startYear"]:
            p["left"] = round(100 * (p["startFraction"] - lo) / (hi - lo), 2)
            p["width"] = max(
                0.8, round(100 * (p["endFraction"] - p["startFraction"]) / (hi - lo), 2)
            )
    dated = [p for p in items if p["startYear"]]
    undated = [p for p in items if not p["startYear"]]
    columns = (("kind", "Kind"), ("iri", "IRI"), ("label", "Label"), ("start", "Start"),
               ("end", "End"), ("project", "Project"), ("url", "Page"))
    return listing(
        "timeline.html", items, columns, title=i18n.translate("Timeline of projects"),
        dated=dated, undated=undated, years=list(range(lo, hi + 1)),
    )


@bp.get("/views/timeline.json")
def timeline_json() -> Response:
    return memo_json("_timeline_data", _timeline_data_uncached)


def _timeline_data_uncached() -> list[dict[str, Any]]:
    stats = stats_for(get_store())
    events = _events()
    labels = lbl.fetch_labels(list(stats.projects) + [e["iri"] for e in events])
    out = []
    for p, entry in stats.projects.items():
        start, end, basis = entry["start"], entry["end"], "project"
        if start is None and p in stats.project_activity_dates:  # known from its activities
            (start, end), basis = stats.project_activity_dates[p], "activity"
        item = _item("project", p, lbl.label_or_name(p, labels), start, end)
        item["basis"] = basis
        out.append(item)
    for e in events:
        item = _item("event", e["iri"], lbl.label_or_name(e["iri"], labels), e["start"], e["end"])
        item["project"] = e["project"]
        item["project_label"] = lbl.label_or_name(e["project"], labels) if e["project"] else None
        item["project_url"] = lbl.resource_url(e["project"]) if e["project"] else None
        out.append(item)
    for item in out:  # an undated project is placed by its events
        if item["kind"] == "project" and not item["start"]:
            own = sorted(e["start"] for e in events if e["project"] == item["iri"] and e["start"])
            item["events_from"] = own[0] if own else None
    return sorted(out, key=lambda p: (p["start"] is None, p["start"] or "",
                                      i18n.sort_key(p["label"])))


def _item(kind: str, iri: str, label: str, start: str | None, end: str | None) -> dict[str, Any]:
    last = end or start
    return {
        "kind": kind,
        "iri": iri,
        "label": label,
        "url": lbl.resource_url(iri),
        "start": start,
        "end": end,
        "project": None,
        "startYear": _year(start),
        "endYear": _year(last),
        "startFraction": _fraction(start),
        "endFraction": _fraction(last, end=True),
    }


def _events() -> list[dict[str, Any]]:
    """Events with their dates and the project they belong to (one query per version)."""
    rows = get_store().query(f"""PREFIX schema: <https://schema.org/>
        SELECT ?e (SAMPLE(?s) AS ?start) (SAMPLE(?t) AS ?end) (SAMPLE(?p) AS ?project) WHERE {{
          ?e a <{COR}Event> .
          OPTIONAL {{ ?e schema:startDate ?s }} OPTIONAL {{ ?e schema:endDate ?t }}
          OPTIONAL {{ ?e <{COR}withinProject> ?p }} }} GROUP BY ?e LIMIT 2000""")
    return [
        {
            "iri": r["e"].value,
            "start": r["start"].value if r["start"] is not None else None,
            "end": r["end"].value if r["end"] is not None else None,
            "project": r["project"].value if r["project"] is not None else None,
        }
        for r in rows
        if isinstance(r["e"], ox.NamedNode)
    ]


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def _fraction(date: str | None, end: bool = False) -> float | None:
    if not date or not date[:4].isdigit():
        return None
    year = int(date[:4])
    month = int(date[5:7]) if len(date) >= 7 and date[5:7].isdigit() else (12 if end else 1)
    return year + (month - (0 if end else 1)) / 12
