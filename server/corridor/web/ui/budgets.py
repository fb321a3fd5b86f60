"""Budgets by programme, partner country and year, each project's budget counted once.

The figures split a project's budget over its partners' countries and its years (see
:func:`corridor.derived.figures._budgets`), so every table adds up to the same total.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from corridor.derived.figures import UNKNOWN, stats_for
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui import i18n
from corridor.web.ui.common import bp, listing, memo_json, memo_view, nav_url

COLUMNS = (
    ("dimension", "Dimension"),
    ("key", "Key"),
    ("label", "Label"),
    ("amount", "Total budget"),
    ("share", "Share"),
)


@bp.get("/budgets")
def budgets_view() -> Response:
    """Three tables (programme, country, year) in HTML, or all their rows as JSON/CSV."""
    data = memo_view("_budget_data", _budget_data_uncached)
    rows = [
        {"dimension": dim, "key": r["iri"], "label": r["label"], "amount": round(r["amount"], 2),
         "share": round(r["share"], 4)}
        for dim in ("programme", "country", "year")
        for r in data[f"by_{dim}"]
    ]
    return listing(
        "budgets.html", rows, COLUMNS, data={"total": data["total"], "currency": "EUR"},
        title=i18n.translate("Budgets"), **data,
    )


@bp.get("/views/budgets.json")
def budgets_json() -> Response:
    return memo_json("_budget_data", _budget_data_uncached)


def _budget_data_uncached() -> dict[str, Any]:
    stats = stats_for(get_store())
    labels = lbl.fetch_labels(list(stats.budgets_by_programme) + list(stats.budgets_by_country))
    total = sum(p["budget"] for p in stats.projects.values() if p["budget"] is not None)

    def bars(values: dict[str, float], facet: str | None) -> list[dict[str, Any]]:
        top = max(values.values(), default=0) or 1
        out = []
        for k, v in values.items():
            known = k.startswith("http")
            label = lbl.label_or_name(k, labels) if known else k
            if facet == "country" and not k:
                label = i18n.translate("country unknown")
            out.append({
                "iri": k,
                "label": label,
                "url": lbl.resource_url(k) if known else None,
                "projects": nav_url("browse.projects", **{facet: k or UNKNOWN})
                if facet and (known or not k) else None,
                "amount": v,
                "share": v / total if total else 0.0,
                "percent": round(100 * v / top, 1),
            })
        if facet is None:
            return out  # years in order
        return sorted(out, key=lambda r: (-r["amount"], i18n.sort_key(r["label"])))

    return {
        "by_programme": bars(stats.budgets_by_programme, "programme"),
        "by_country": bars(stats.budgets_by_country, "country"),
        "by_year": bars(stats.budgets_by_year, None),
        "total": total,
        "projects_with_budget": sum(1 for p in stats.projects.values() if p["budget"] is not None),
        "currency": "EUR",
    }
