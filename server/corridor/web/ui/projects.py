"""Listings: the classes, the instances of a class and the faceted project list.

Each listing is one view in HTML, JSON and CSV (``?format=`` or ``Accept``), same filters and
order; the project list is built from the per-version figures (no graph queries per request).
"""

from __future__ import annotations

import math
from typing import Any

import pyoxigraph as ox
from flask import Response, request

from corridor.derived.figures import FACETS, UNKNOWN, Stats, stats_for
from corridor.rdf.namespaces import COR
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui import i18n
from corridor.web.ui.common import (
    PAGE_SIZE,
    bp,
    figures_time,
    listing,
    nav_url,
    page_number,
    params_without,
    project_label,
)

PROJECT_COLUMNS = (
    ("label", i18n.N_("Project")),
    ("programme", i18n.N_("Programme")),
    ("countries", i18n.N_("Countries")),
    ("partners", i18n.N_("Partners")),
    ("start", i18n.N_("Start")),
    ("end", i18n.N_("End")),
    ("budget", i18n.N_("Total budget")),
    ("eu", i18n.N_("EU contribution")),
)
# the facets of corridor.derived.figures.FACETS as the interface names them
FACET_TITLES = {
    "programme": i18n.N_("Programme"),
    "country": i18n.N_("Country"),
    "region": i18n.N_("Region"),
    "theme": i18n.N_("Thematic area"),
    "period": i18n.N_("Period"),
    "role": i18n.N_("Role"),
}
MACHINE_COLUMNS = (("iri", "IRI"), *PROJECT_COLUMNS, ("url", "Page"))
SORTS = {key for key, _ in PROJECT_COLUMNS}
FACET_VALUES = 60  # values listed per facet (the rest stay reachable by search)


@bp.get("/browse")
def browse() -> Response:
    """Every class with its number of instances, or (``?class=``) the instances of one."""
    stats = stats_for(get_store())
    cls = request.args.get("class", "").strip()
    langs = lbl.preferred_languages()
    if cls == f"{COR}Project":
        return projects()
    if cls:
        return _instances_page(cls, dict(stats.classes).get(cls, 0), langs)
    labels = lbl.fetch_labels([c for c, _ in stats.classes], langs)
    rows = [
        {
            "iri": c,
            "label": lbl.label_or_name(c, labels),
            "count": n,
            "url": nav_url("browse.browse", **{"class": c}),
            "short": lbl.shorten(c),
        }
        for c, n in stats.classes
    ]
    columns = (("iri", "IRI"), ("label", "Class"), ("short", "Term"), ("count", "Instances"))
    return listing("classes.html", rows, columns, title=i18n.translate("Browse"),
                   data={"total": len(rows)})


@bp.get("/browse/projects")
def projects() -> Response:
    """Projects filtered by facets (values of one facet OR-ed, facets AND-ed), sortable."""
    stats = stats_for(get_store())
    langs = lbl.preferred_languages()
    selected = {f: set(request.args.getlist(f)) for f in FACETS}
    chosen = {f: v for f, v in selected.items() if v}
    key = tuple(sorted((f, tuple(sorted(v))) for f, v in chosen.items()))
    counts = stats.memo(("facet_counts", key), lambda: stats.facet_counts(chosen))
    sort = sort_arg()
    view_key = ("rows", tuple(langs), lbl.current_language(), sort)
    every = stats.memo(view_key, lambda: _project_rows(stats, langs, sort))
    if chosen:
        matching = set(stats.memo(("matching", key), lambda: stats.matching_projects(chosen)))
        rows = [r for r in every if r["iri"] in matching]
    else:
        rows = every
    shown = [v for c in counts.values() for v, _ in c.most_common(FACET_VALUES)]
    shown += [v for values in chosen.values() for v in values]
    labels = lbl.fetch_labels([v for v in shown if v.startswith(("http:", "https:"))], langs)
    name = lambda v: _value_label(v, labels)  # noqa: E731
    facets = [_facet(f, counts[f], selected[f], name) for f in FACETS]
    chips = [
        {"facet": f, "title": i18n.translate(FACET_TITLES[f]), "value": v, "label": name(v)}
        for f in FACETS
        for v in sorted(selected[f])
    ]
    page = page_number()
    page_rows = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    total_pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    data = {
        "total": len(rows),
        "page": page,
        "pages": total_pages,
        "filters": {f: sorted(v) for f, v in chosen.items()},
        "sort": sort,
        "facets": {
            f["name"]: [{"value": v["value"], "label": v["label"], "count": v["count"]}
                        for v in f["values"]]
            for f in facets
        },
    }
    return listing(
        "projects.html",
        page_rows,
        MACHINE_COLUMNS,
        csv_rows=rows,
        data=data,
        title=i18n.translate("Projects"),
        figures_at=figures_time(stats),
        figures_version=stats.version,
        version=get_store().version,
        total=len(rows),
        page=page,
        total_pages=total_pages,
        facets=facets,
        chips=chips,
        sort=sort,
        table_columns=PROJECT_COLUMNS,
        params=params_without("page"),
    )


def _value_label(value: str, labels: dict[str, tuple[str, str]]) -> str:
    if value == UNKNOWN:
        return i18n.translate("unknown")
    return lbl.label_or_name(value, labels) if value.startswith("http") else value


def _facet(facet: str, counts: Any, selected: set[str], name: Any) -> dict[str, Any]:
    """One facet's values with counts; the selected ones always listed, "unknown" last."""
    top = [v for v, _ in counts.most_common(FACET_VALUES) if v != UNKNOWN]
    top += [v for v in sorted(selected) if v not in top and v != UNKNOWN]
    values = [
        {"value": v, "count": counts.get(v, 0), "checked": v in selected, "label": name(v)}
        for v in top
    ]
    if facet == "period":
        values.sort(key=lambda v: v["value"])
    else:
        values.sort(key=lambda v: (-v["count"], i18n.sort_key(v["label"])))
    if counts.get(UNKNOWN) or UNKNOWN in selected:
        values.append({"value": UNKNOWN, "count": counts.get(UNKNOWN, 0),
                       "checked": UNKNOWN in selected, "label": name(UNKNOWN), "unknown": True})
    return {
        "name": facet,
        "title": i18n.translate(FACET_TITLES[facet]),
        "values": values,
        "more": max(0, len([v for v in counts if v != UNKNOWN]) - FACET_VALUES),
    }


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
    total_pages = max(1, math.ceil(count / PAGE_SIZE))
    return listing(
        "instances.html",
        rows,
        (("iri", "IRI"), ("label", "Label"), ("url", "Page")),
        data={"class": cls, "total": count, "page": page, "pages": total_pages},
        title=lbl.label_or_name(cls, labels),
        cls=cls,
        count=count,
        page=page,
        total_pages=total_pages,
        sort=sort,
        params=params_without("page"),
    )


def _instances_by_label(cls: str) -> list[str]:
    """Instances of ``cls`` sorted by a label (computed once per store version and class)."""
    node = ox.NamedNode(cls)
    label_props = " ".join(f"<{p}>" for p in lbl.LABEL_PROPERTIES[:3])
    # the grouping in a subquery, the key lower-cased inside the aggregate: Virtuoso refuses
    # ORDER BY on an aggregate's alias and LCASE on an aggregate's value
    query = f"""SELECT ?s WHERE {{ {{
        SELECT ?s (MIN(LCASE(STR(COALESCE(?l, ?s)))) AS ?sortkey) WHERE {{
        ?s a {node} OPTIONAL {{ VALUES ?lp {{ {label_props} }} ?s ?lp ?l }} }} GROUP BY ?s
        }} }} ORDER BY ?sortkey"""
    return [r["s"].value for r in get_store().query(query) if isinstance(r["s"], ox.NamedNode)]


def _project_rows(stats: Stats, langs: list[str], sort: str) -> list[dict[str, Any]]:
    """Every project as a list row, sorted; labels come with the figures (few lookups)."""
    named = {v for e in stats.projects.values() for v in e["programmes"]}
    named |= {c for f in stats.project_facets.values() for c in f.get("country", ())}
    labels = lbl.fetch_labels(named, langs)
    rows = []
    for p, entry in stats.projects.items():
        label = project_label(stats, p, langs)
        in_countries = stats.project_facets.get(p, {}).get("country", ())
        countries = sorted((lbl.label_or_name(c, labels) for c in in_countries), key=i18n.sort_key)
        programmes = sorted(lbl.label_or_name(g, labels) for g in entry["programmes"])
        rows.append(
            {
                "iri": p,
                "label": label,
                "url": lbl.resource_url(p),
                "programme": "; ".join(programmes) or None,
                "countries": countries,
                "partners": entry.get("partners") or None,
                "start": entry["start"],
                "end": entry["end"],
                "budget": entry["budget"],
                "eu": entry.get("eu"),
            }
        )
    return _sorted(rows, sort)


def sort_arg() -> str:
    """``?sort=`` as one of the orders there are (it is part of a memo key: any other value is
    the default, so clients cannot mint keys)."""
    sort = request.args.get("sort", "label")
    return sort if sort.lstrip("-") in SORTS and sort.count("-") <= 1 else "label"


def _sorted(rows: list[dict], sort: str) -> list[dict]:
    """Rows by one column (``-`` first: descending); rows without a value last, by name."""
    key = sort.lstrip("-")
    reverse = sort.startswith("-")

    def value(row: dict) -> Any:
        v = row[key]
        if isinstance(v, list):
            return (len(v), i18n.sort_key("; ".join(v)))
        return i18n.sort_key(v) if isinstance(v, str) else v

    present = [r for r in rows if r[key] not in (None, [])]
    missing = [r for r in rows if r[key] in (None, [])]
    present.sort(key=value, reverse=reverse)
    return present + sorted(missing, key=lambda r: i18n.sort_key(r["label"]))
