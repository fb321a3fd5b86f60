"""Listings: the classes, the instances of a class and the faceted project list."""

from __future__ import annotations

import math
from typing import Any

import pyoxigraph as ox
from flask import (
    Response,
    request,
    url_for,
)

from corridor.derived import figures as figures
from corridor.derived.figures import FACET_TITLES, FACETS, stats_for
from corridor.rdf.namespaces import COR
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui.common import (
    PAGE_SIZE,
    bp,
    figures_time,
    page_number,
    params_without,
    render_page,
)


@bp.get("/browse")
def browse() -> Response:
    stats = stats_for(get_store())
    cls = request.args.get("class", "").strip()
    langs = lbl.preferred_languages()
    if not cls:
        labels = lbl.fetch_labels([c for c, _ in stats.classes], langs)
        classes = [
            {
                "iri": c,
                "label": lbl.label_or_name(c, labels),
                "count": n,
                "url": url_for("browse.browse", **{"class": c}),
                "short": lbl.shorten(c),
            }
            for c, n in stats.classes
        ]
        return render_page("classes.html", title="Browse", classes=classes)
    if cls == f"{COR}Project":
        return projects()
    return _instances_page(cls, dict(stats.classes).get(cls, 0), langs)


@bp.get("/browse/projects")
def projects() -> Response:
    stats = stats_for(get_store())
    langs = lbl.preferred_languages()
    selected = {f: set(request.args.getlist(f)) for f in FACETS}
    chosen = {f: v for f, v in selected.items() if v}
    key = tuple(sorted((f, tuple(sorted(v))) for f, v in chosen.items()))
    counts = stats.memo(("facet_counts", key), lambda: stats.facet_counts(chosen))
    sort = request.args.get("sort", "label")
    every = stats.memo(("rows", tuple(langs), sort), lambda: _project_rows(stats, langs, sort))
    if chosen:
        find = lambda: stats.matching_projects(chosen)  # noqa: E731
        matching = set(stats.memo(("matching", key), find))
        rows = [r for r in every if r["iri"] in matching]
    else:
        rows = every
    shown = [v for c in counts.values() for v, _ in c.most_common(60)]
    labels = lbl.fetch_labels([v for v in shown if v.startswith(("http:", "https:"))], langs)
    page = page_number()
    total_pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    facets = []
    for facet in FACETS:
        values = []
        for value, n in counts[facet].most_common(60):
            values.append(
                {
                    "value": value,
                    "count": n,
                    "checked": value in selected[facet],
                    "label": lbl.label_or_name(value, labels)
                    if value.startswith("http")
                    else value,
                }
            )
        if facet == "period":
            values.sort(key=lambda v: v["value"])
        facets.append({"name": facet, "title": FACET_TITLES[facet], "values": values})
    return render_page(
        "projects.html",
        title="Projects",
        figures_at=figures_time(stats),
        figures_version=stats.version,
        version=get_store().version,
        rows=rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        total=len(rows),
        page=page,
        total_pages=total_pages,
        facets=facets,
        sort=sort,
        params=params_without("page"),
    )


def _instances_page(cls: str, count: int, langs: list[str]) -> Response:
    page = page_number()
    sort = "-label" if request.args.get("sort") == "-label" else "label"
    ordered = stats_for(get_store()).memo(("instances", cls), lambda: _instances_by_label(cls))
    if sort == "-label":
        ordered = ordered[::-1]
    iris = ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    labels = lbl.fetch_labels(iris + [cls], langs)
    rows = [
        {"iri": i, "label": lbl.label_or_name(i, labels), "url": lbl.resource_url(i)} for i in iris
    ]
    return render_page(
        "instances.html",
        title=lbl.label_or_name(cls, labels),
        cls=cls,
        rows=rows,
        count=count,
        page=page,
        total_pages=max(1, math.ceil(count / PAGE_SIZE)),
        sort=sort,
        params=params_without("page"),
    )


def _instances_by_label(cls: str) -> list[str]:
    """Instances of ``cls`` sorted by a label (computed once per store version and class)."""
    node = ox.NamedNode(cls)
    label_props = " ".join(f"<{p}>" for p in lbl.LABEL_PROPERTIES[:3])
    query = f"""SELECT ?s (SAMPLE(COALESCE(?l, STR(?s))) AS ?sortkey) WHERE {{
        ?s a {node} OPTIONAL {{ VALUES ?lp {{ {label_props} }} ?s ?lp ?l }} }}
        GROUP BY ?s ORDER BY LCASE(?sortkey)"""
    return [r["s"].value for r in get_store().query(query) if isinstance(r["s"], ox.NamedNode)]


def _project_rows(stats, langs: list[str], sort: str) -> list[dict[str, Any]]:
    """Every project as a list row, sorted; labels come with the figures (no lookups)."""
    rows = []
    for p, entry in stats.projects.items():
        options = stats.project_labels.get(p)
        if options:
            label = min(options, key=lambda o: (lbl.language_rank(o[2], langs), o[0]))[1]
        else:
            label = lbl.label_or_name(p, {})
        rows.append(
            {
                "iri": p,
                "label": label,
                "url": lbl.resource_url(p),
                "start": entry["start"],
                "end": entry["end"],
                "budget": entry["budget"],
            }
        )
    return _sorted(rows, sort)


def _sorted(rows: list[dict], sort: str) -> list[dict]:
    key = sort.lstrip("-")
    reverse = sort.startswith("-")
    if key not in ("label", "start", "end", "budget"):
        key = "label"
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    present.sort(
        key=lambda r: r[key].lower() if isinstance(r[key], str) else r[key], reverse=reverse
    )
    return present + sorted(missing, key=lambda r: r["label"].lower())
