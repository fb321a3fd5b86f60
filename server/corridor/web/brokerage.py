"""Brokerage over HTTP: partner suggestions ("Find partners"), the Corridor matrix and the
organisation collaboration profile, as HTML for people and JSON/CSV for programs.

Everything is read from the kept brokerage figures of the store (``derived.brokerage``):
requests never run whole-graph work.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from corridor.derived.brokerage import Filters, brokerage_for, profile, suggest_for_idea
from corridor.derived.brokerage import suggest_partners as suggest
from corridor.derived.brokerage.analytics import ALL
from corridor.derived.brokerage.network import Network, group_kind
from corridor.web import labels as lbl
from corridor.web.context import get_store

bp = Blueprint("brokerage", __name__)
MAX_LIMIT = 100
MATRIX_AREAS = 30  # the most collaborating countries (regions) shown in the matrix


def _wants_json() -> bool:
    if request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _page(template: str, **context: Any) -> Response:
    response = Response(render_template(template, **context), mimetype="text/html")
    response.headers["Vary"] = "Accept"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'"
    )
    return response


def _filters() -> Filters:
    args = request.args
    return Filters(
        countries=tuple(args.getlist("country")), regions=tuple(args.getlist("region")),
        themes=tuple(args.getlist("theme")), activities=tuple(args.getlist("activity")),
        coordinated=args.get("coordinated") in ("1", "true", "on"),
        complementary=args.get("complementary") in ("1", "true", "on"),
    )


def _limit() -> int:
    try:
        return max(1, min(MAX_LIMIT, int(request.args.get("limit", "10"))))
    except ValueError:
        abort(400, "limit must be a number")


def _network() -> tuple[Network | None, Any]:
    return brokerage_for(get_store()).current()


@bp.get("/suggest/partners")
def suggest_partners() -> Response:
    """Suggestions for an organisation, or (no organisation, themes given) for a project idea."""
    net, _analytics = _network()
    organisation = request.args.get("organisation", "").strip()
    idea = not organisation and bool(request.args.getlist("theme"))
    filters = _filters()
    if net is None:
        suggestions: list[Any] = []
        status = "computing"
    elif organisation:
        if organisation not in net.org_index:
            if _wants_json():
                return _json_error(404, "not an organisation of the collaboration network")
            suggestions, status = [], "unknown"
        else:
            suggestions, status = suggest(net, organisation, _limit(), filters), "ok"
    elif idea:
        idea_filters = Filters(regions=filters.regions, activities=filters.activities,
                               coordinated=filters.coordinated)
        suggestions = suggest_for_idea(
            net, filters.themes, request.args.getlist("in_country"),
            request.args.getlist("member"), _limit(), idea_filters)
        status = "ok"
    else:
        suggestions, status = [], "empty"
    if _wants_json():
        body: dict[str, Any] = {"organisation": organisation or None,
                                "version": net.version if net else None,
                                "status": status,  # "computing": the first network is not read yet
                                "suggestions": [s.as_json() for s in suggestions]}
        if idea:
            body["idea"] = {"themes": list(filters.themes),
                            "countries": request.args.getlist("in_country"),
                            "members": request.args.getlist("member")}
        return jsonify(body)
    return _page("find_partners.html", title="Find partners", status=status,
                 organisation=organisation, idea=idea,
                 organisation_label=net.label(organisation) if net and organisation else "",
                 suggestions=[_html_suggestion(s.as_json()) for s in suggestions],
                 choices=_choices(net), args=request.args)


def _json_error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def _html_suggestion(s: dict[str, Any]) -> dict[str, Any]:
    s["url"] = lbl.resource_url(s["organisation"])
    s["profile"] = url_for("brokerage.profile_page", organisation=s["organisation"])
    for step in s["explanation"]:
        step["triples"] = [[{"iri": t, "url": lbl.resource_url(t), "short": lbl.shorten(t)}
                            for t in triple] for triple in step["path"]]
    return s


def _choices(net: Network | None) -> dict[str, list[tuple[str, str]]]:
    """Countries, themes and activity types present in the network, for the form."""
    if net is None:
        return {"countries": [], "themes": [], "activities": []}
    countries = sorted(set(net.org_country.values()), key=net.label)
    themes = sorted({t for ts in net.project_themes.values() for _p, t in ts}, key=net.label)
    types = sorted(set(net.org_type.values()) | set(net.org_activity.values()), key=net.label)
    return {"countries": [(c, net.label(c)) for c in countries],
            "themes": [(t, net.label(t)) for t in themes],
            "activities": [(t, net.label(t)) for t in types]}


# ---------------------------------------------------------------------- corridor
def _matrix_rows(net: Network, analytics: Any, level: str, year: str, part: str
                 ) -> tuple[list[str], dict[tuple[str, str], dict[str, Any]]]:
    cells = analytics.matrix(net, level, year, part)
    totals: dict[str, int] = {}
    for c in cells:
        for area in (c["a"], c["b"]):
            totals[area] = totals.get(area, 0) + c["projects"]
    areas = sorted(totals, key=lambda a: (-totals[a], a))[:MATRIX_AREAS]
    areas.sort(key=net.label)
    shown = set(areas)
    grid = {}
    for c in cells:
        if c["a"] in shown and c["b"] in shown:
            c["pair"] = _pair_kind(net, c["a"], c["b"])
            grid[(c["a"], c["b"])] = grid[(c["b"], c["a"])] = c
    return areas, grid


def _pair_kind(net: Network, a: str, b: str) -> str:
    kinds = sorted(group_kind(net.area_group[x][1]) or "other" if x in net.area_group
                   else "unknown" for x in (a, b))
    return "-".join(kinds)


@bp.get("/corridor")
def corridor_page() -> Response:
    net, analytics = _network()
    level = "region" if request.args.get("level") == "region" else "country"
    year, part = request.args.get("year", ALL), request.args.get("part", ALL)
    if net is None or analytics is None:
        return _page("corridor.html", title="Corridor", computing=True, level=level)
    areas, grid = _matrix_rows(net, analytics, level, year, part)
    share = [{"year": y, "lm": v[0], "all": v[1], "pct": round(100 * v[0] / v[1], 1)
              if v[1] else 0.0} for y, v in analytics.leader_modest_share.items()]
    bridges = [{"organisation": o, "label": net.label(o), "betweenness": b, "bridging": n,
                "profile": url_for("brokerage.profile_page", organisation=o)}
               for o, b, n in analytics.top_bridges(20)]
    return _page(
        "corridor.html", title="Corridor", computing=False, level=level, year=year, part=part,
        areas=[(a, net.label(a)) for a in areas], grid=grid, years=analytics.years,
        parts=[(p, net.label(p)) for p in analytics.parts], share=share, bridges=bridges,
        communities=len(analytics.community_sizes), version=analytics.version,
        seconds=analytics.seconds,
    )


@bp.get("/corridor/matrix.<fmt>")
def corridor_matrix(fmt: str) -> Response:
    net, analytics = _network()
    if net is None or analytics is None:
        return _json_error(503, "the corridor figures are being computed")
    level = "region" if request.args.get("level") == "region" else "country"
    cells = analytics.matrix(net, level, request.args.get("year", ALL),
                             request.args.get("part", ALL))
    for c in cells:
        c["pair"] = _pair_kind(net, c["a"], c["b"])
    if fmt == "json":
        return jsonify({"version": analytics.version, "level": level, "cells": cells,
                        "leader_modest_share": analytics.leader_modest_share})
    if fmt == "csv":
        return _csv(["a", "b", "projects", "participations", "pair"],
                    [[c[k] for k in ("a", "b", "projects", "participations", "pair")]
                     for c in cells])
    abort(404)


@bp.get("/corridor/bridges.<fmt>")
def corridor_bridges(fmt: str) -> Response:
    net, analytics = _network()
    if net is None or analytics is None:
        return _json_error(503, "the corridor figures are being computed")
    rows = [[o, net.label(o), b, n, analytics.community.get(o)]
            for o, b, n in analytics.top_bridges(_limit())]
    header = ["organisation", "label", "betweenness", "bridging", "community"]
    if fmt == "json":
        return jsonify({"version": analytics.version,
                        "bridges": [dict(zip(header, r, strict=True)) for r in rows]})
    if fmt == "csv":
        return _csv(header, rows)
    abort(404)


def _csv(header: list[str], rows: list[list[Any]]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv")


# ---------------------------------------------------------------------- profile
RECORDS = """PREFIX cor: <https://w3id.org/corridor/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?record (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?date) (SAMPLE(?s) AS ?status)
       (SAMPLE(?b) AS ?broker) (SAMPLE(?o) AS ?outcome)
       (GROUP_CONCAT(DISTINCT STR(?party); separator=" ") AS ?parties)
       (GROUP_CONCAT(DISTINCT STR(?theme); separator=" ") AS ?themes)
WHERE {
  ?record a cor:BrokerageRecord ; cor:matchedParty $organisation , ?party .
  OPTIONAL { ?record rdfs:label ?l } OPTIONAL { ?record dct:date ?d }
  OPTIONAL { ?record cor:matchStatus ?s } OPTIONAL { ?record cor:broker ?b }
  OPTIONAL { ?record cor:matchOutcome ?o } OPTIONAL { ?record cor:sharedTheme ?theme }
  FILTER(?party != $organisation)
} GROUP BY ?record ORDER BY DESC(?date) LIMIT 100"""


def records_of(organisation: str) -> list[dict[str, Any]]:
    """Brokerage records (TIBS matches) naming the organisation as a party, newest first."""
    query = RECORDS.replace("$organisation", f"<{organisation}>")
    if any(c in organisation for c in '<>" {}|\\^`'):
        return []
    out = []
    for row in get_store().query(query):
        value = {k: (row[k].value if row[k] is not None else None)
                 for k in ("record", "label", "date", "status", "broker", "outcome", "parties",
                           "themes")}
        value["parties"] = (value["parties"] or "").split()
        value["themes"] = (value["themes"] or "").split()
        out.append(value)
    return out


@bp.get("/profile")
def profile_page() -> Response:
    net, analytics = _network()
    organisation = request.args.get("organisation", "").strip()
    data = profile(net, analytics, organisation) if net is not None else {}
    if data:
        data["records"] = records_of(organisation)
    if _wants_json():
        if not data:
            return _json_error(404, "not an organisation of the collaboration network")
        return jsonify(data)
    if not data:
        abort(404)
    assert net is not None
    data["url"] = lbl.resource_url(organisation)
    data["country_label"] = net.label(data["country"]) if data["country"] else None
    data["group_label"] = net.label(data["group"]) if data["group"] else None
    data["partner_countries"] = [(c, net.label(c), n) for c, n in data["partner_countries"]]
    data["themes"] = [(t, net.label(t), n) for t, n in data["themes"]]
    data["top_partners"] = [(o, net.label(o), n, lbl.resource_url(o))
                            for o, n in data["top_partners"]]
    labels = lbl.fetch_labels({x for r in data["records"] for x in (r["status"], r["broker"],
                               *r["parties"], *r["themes"]) if x})
    for r in data["records"]:
        r["url"] = lbl.resource_url(r["record"])
        r["status_label"] = lbl.label_or_name(r["status"], labels) if r["status"] else None
        r["party_links"] = [(lbl.label_or_name(x, labels), lbl.resource_url(x))
                            for x in r["parties"]]
        r["broker_label"] = lbl.label_or_name(r["broker"], labels) if r["broker"] else None
    peak = max(data["partners_per_year"].values(), default=1) or 1
    data["bars"] = [(y, n, round(100 * n / peak)) for y, n in data["partners_per_year"].items()]
    return _page("profile.html", title=f"Profile: {data['label']}", p=data,
                 find=url_for("brokerage.suggest_partners", organisation=organisation))
