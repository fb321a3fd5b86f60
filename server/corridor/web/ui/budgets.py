"""Budgets by programme, country and year, each project counted once."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
)

from corridor.derived import figures as figures
from corridor.derived.figures import stats_for
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui.common import (
    bp,
    cached_json,
    memo_view,
    render_page,
)


@bp.get("/budgets")
def budgets_view() -> Response:
    data = memo_view("_budget_data", _budget_data_uncached)
    return render_page("budgets.html", title="Budgets", **data)


@bp.get("/views/budgets.json")
def budgets_json() -> Response:
    return cached_json(memo_view("_budget_data", _budget_data_uncached))


def _budget_data_uncached() -> dict[str, Any]:
    stats = stats_for(get_store())
    labels = lbl.fetch_labels(list(stats.budgets_by_programme) + list(stats.budgets_by_country))

    def bars(values: dict[str, float]) -> list[dict[str, Any]]:
        top = max(values.values(), default=0) or 1
        return [
            {
                "iri": k,
                "label": lbl.label_or_name(k, labels) if k.startswith("http") else k,
                "url": lbl.resource_url(k) if k.startswith("http") else None,
                "amount": v,
                "percent": round(100 * v / top, 1),
            }
            for k, v in sorted(values.items(), key=lambda kv: -kv[1])
        ]

    return {
        "by_programme": bars(stats.budgets_by_programme),
        "by_country": bars(stats.budgets_by_country),
        "currency": "EUR",
    }
