"""The SPARQL query editor (YASGUI) and its example queries."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Response,
    jsonify,
)

from corridor.web import labels as lbl
from corridor.web.context import get_config
from corridor.web.ui import i18n
from corridor.web.ui.common import (
    bp,
    render_page,
)


def query_page() -> Response:
    """The SPARQL editor (YASGUI against /sparql) with the example queries of queries/."""
    examples = example_queries()
    endpoint = _sparql_endpoint()
    settings = {
        "prefixes": {prefix: ns for ns, prefix in lbl.PREFIXES.items()},
        "base": get_config().base_iri,
    }
    return render_page("query.html", title=i18n.translate("SPARQL query"), examples=examples,
                       endpoint=endpoint, settings=settings)


@bp.get("/query")
def query() -> Response:
    return query_page()


@bp.get("/queries.json")
def queries_json() -> Response:
    return jsonify(example_queries())


def example_queries() -> list[dict[str, str]]:
    """Queries of queries/*.rq with their ``# title:`` and ``# description:`` lines, in the
    interface language where the file has them (``# title@de:``, ``# description@de:``)."""
    language = i18n.ui_language()
    out = []
    for path in sorted(Path(get_config().queries_dir).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta = {"title": path.stem.replace("-", " ").capitalize(), "description": ""}
        own: dict[str, str] = {}
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped.startswith("#"):
                if stripped:
                    break
                continue
            key, _, value = stripped.lstrip("#").strip().partition(":")
            name, _, tag = key.strip().lower().partition("@")
            if name in meta and value.strip():
                if not tag:
                    meta[name] = value.strip()
                elif tag == language:
                    own[name] = value.strip()
        out.append({"id": path.stem, **meta, **own, "query": text})
    return out


def _sparql_endpoint() -> str:
    return "/sparql"
