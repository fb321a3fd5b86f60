"""The map of partners by country and region."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import (
    Response,
)

from corridor.derived.figures import stats_for
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui import i18n
from corridor.web.ui.common import (
    ISO_NUMERIC,
    bp,
    listing,
    memo_json,
    memo_view,
)


@bp.get("/map")
def map_view() -> Response:
    """Partner organisations per country and per NUTS region, drawn on the map and listed."""
    data = memo_view("_map_data", _map_data_uncached)
    rows = [{"kind": "country", **c} for c in data["countries"]]
    rows += [{"kind": "region", **r} for r in data["regions"]]
    columns = (("kind", "Kind"), ("iri", "IRI"), ("label", "Label"), ("code", "Code"),
               ("notation", "NUTS"), ("organisations", "Organisations"), ("url", "Page"))
    return listing("map.html", rows, columns, data={"version": data["version"]},
                   title=i18n.translate("Map of partners"), **data)


@bp.get("/views/map.json")
def map_json() -> Response:
    return memo_json("_map_data", _map_data_uncached)


def _map_data_uncached() -> dict[str, Any]:
    stats = stats_for(get_store())
    organisations, _ = stats.links()
    per_country: dict[str, set[str]] = defaultdict(set)
    for org, entry in organisations.items():
        if entry["country"]:
            per_country[entry["country"]].add(org)
    project_level: dict[str, int] = defaultdict(int)  # projects known in a country only as such
    for countries_of_project in stats.project_countries.values():
        for c in countries_of_project:
            project_level[c] += 1
    labels = lbl.fetch_labels(list(per_country.keys() | project_level.keys()))
    countries = [
        {
            "iri": c,
            "code": stats.country_codes.get(c),
            "label": lbl.label_or_name(c, labels),
            "numeric": ISO_NUMERIC.get(stats.country_codes.get(c) or "", None),
            "url": lbl.resource_url(c),
            "organisations": len(per_country.get(c, ())),
            "projectLevelProjects": project_level.get(c, 0),
            "basis": "partners" if c in per_country else "project",
        }
        for c in sorted(per_country.keys() | project_level.keys())
    ]
    countries.sort(key=lambda c: i18n.sort_key(c["label"]))
    per_region: dict[str, set[str]] = defaultdict(set)
    for org, entry in organisations.items():
        for region in entry["regions"]:
            per_region[region].add(org)
    region_labels = lbl.fetch_labels(list(per_region))
    regions = sorted(
        (
            {
                "iri": r,
                "label": lbl.label_or_name(r, region_labels),
                "url": lbl.resource_url(r),
                "notation": code,
                "level": len(code) - 2,  # NUTS codes: country + one character per level
                "nutsCountry": code[:2],
                "organisations": len(orgs),
            }
            for r, orgs in per_region.items()
            for code in [r.rsplit("/", 1)[-1]]
        ),
        key=lambda r: str(r["notation"]),
    )
    return {
        "countries": [c for c in countries if c["numeric"]],
        "regions": regions,
        "version": stats.version,
    }
