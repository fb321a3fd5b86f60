"""The home page: figures and the entry points by programme, country and theme."""

from __future__ import annotations

from collections import defaultdict

from flask import Response

from corridor.derived.figures import stats_for
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui import i18n
from corridor.web.ui.common import (
    bp,
    figures_time,
    nav_url,
    render_page,
)


@bp.get("/")
def home() -> Response:
    stats = stats_for(get_store())
    store = get_store()
    langs = lbl.preferred_languages()
    programme_counts = _facet_top(stats, "programme", 12)
    country_counts = _facet_top(stats, "country", 40)
    theme_counts = _facet_top(stats, "theme", 20)
    labels = lbl.fetch_labels(
        [i for i, _ in programme_counts + country_counts + theme_counts], langs
    )
    entry = lambda items, facet: [  # noqa: E731
        {
            "label": lbl.label_or_name(i, labels),
            "count": n,
            "url": nav_url("browse.projects", **{facet: i}),
        }
        for i, n in items
    ]
    return render_page(
        "home.html",
        title="Corridor",
        counts=stats.counts,
        figures_at=figures_time(stats),
        figures_version=stats.version,
        modified=store.modified,
        version=store.version,
        programmes=entry(programme_counts, "programme"),
        countries=sorted(entry(country_counts, "country"), key=lambda e: i18n.sort_key(e["label"])),
        themes=entry(theme_counts, "theme"),
    )


def _facet_top(stats, facet: str, n: int) -> list[tuple[str, int]]:
    return stats.memo(("top", facet, n), lambda: _facet_top_uncached(stats, facet, n))


def _facet_top_uncached(stats, facet: str, n: int) -> list[tuple[str, int]]:
    counter: dict[str, int] = defaultdict(int)
    for values in stats.project_facets.values():
        for v in values.get(facet, ()):
            counter[v] += 1
    return sorted(counter.items(), key=lambda kv: -kv[1])[:n]
