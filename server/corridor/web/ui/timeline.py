"""The timeline of projects and events."""

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


@bp.get("/timeline")
def timeline_view() -> Response:
    data = [dict(p) for p in memo_view("_timeline_data", _timeline_data_uncached)]
    years = [y for p in data for y in (p["startYear"], p["endYear"]) if y]
    lo, hi = (min(years), max(years) + 1) if years else (2000, 2001)
    for p in data:
        if p["startYear"]:
            p["left"] = round(100 * (p["startFraction"] - lo) / (hi - lo), 2)
            p["width"] = max(
                1.0, round(100 * (p["endFraction"] - p["startFraction"]) / (hi - lo), 2)
            )
    return render_page(
        "timeline.html", title="Timeline of projects", projects=data, years=list(range(lo, hi + 1))
    )


@bp.get("/views/timeline.json")
def timeline_json() -> Response:
    return cached_json(memo_view("_timeline_data", _timeline_data_uncached))


def _timeline_data_uncached() -> list[dict[str, Any]]:
    stats = stats_for(get_store())
    labels = lbl.fetch_labels(list(stats.projects))
    out = []
    for p, entry in stats.projects.items():
        start, end = entry["start"], entry["end"] or entry["start"]
        out.append(
            {
                "iri": p,
                "label": lbl.label_or_name(p, labels),
                "url": lbl.resource_url(p),
                "start": start,
                "end": entry["end"],
                "startYear": _year(start),
                "endYear": _year(end),
                "startFraction": _fraction(start),
                "endFraction": _fraction(end, end=True),
            }
        )
    return sorted(out, key=lambda p: (p["start"] is None, p["start"] or "", p["label"].lower()))


def _year(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def _fraction(date: str | None, end: bool = False) -> float | None:
    if not date or not date[:4].isdigit():
        return None
    year = int(date[:4])
    month = int(date[5:7]) if len(date) >= 7 and date[5:7].isdigit() else (12 if end else 1)
    return year + (month - (0 if end else 1)) / 12
