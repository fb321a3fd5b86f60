"""Fact sheets: what a reader looks up first about a project, organisation, region, country,
programme or theme, above the full list of properties (in the manner of CORDIS and keep.eu).

Per-resource index lookups plus the per-version figures (a reverse index of the project facets
kept with them); nothing here scans the graph.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from corridor.derived.figures import Stats, stats_for
from corridor.rdf.namespaces import COR, DCT, SKOS
from corridor.store import ReadView
from corridor.web import labels as lbl
from corridor.web.context import get_store
from corridor.web.ui import i18n
from corridor.web.ui.common import nav_url, project_label

SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
THEME_PROPERTIES = (f"{COR}thematicArea", f"{COR}topic", f"{COR}s3Domain")
PROJECTS_SHOWN = 50
Link = Callable[[str], dict[str, Any]]


def sheet_for(
    iri: str, types: list[str], outgoing: list[tuple[str, Any]], partners: list[dict], link: Link
) -> dict[str, Any] | None:
    """The fact sheet of ``iri`` by its kind, or None for other resources."""
    reader = get_store().reader()
    stats = stats_for(get_store())
    if f"{COR}Project" in types:
        return _project(iri, outgoing, partners, link, reader)
    if f"{COR}Organisation" in types:
        return _organisation(iri, outgoing, partners, link, stats)
    if f"{COR}Country" in types:
        return _place(iri, "country", link, stats, budget=stats.budgets_by_country.get(iri))
    if f"{COR}NutsRegion" in types:
        return _place(iri, "region", link, stats)
    if f"{COR}FundingProgramme" in types:
        return _place(iri, "programme", link, stats)
    if iri in _by_value(stats).get("theme", {}):
        return _place(iri, "theme", link, stats)
    return None


# ------------------------------------------------------------------ projects
def _project(
    iri: str, outgoing: list[tuple[str, Any]], partners: list[dict], link: Link, reader: ReadView
) -> dict[str, Any]:
    values: dict[str, list[Any]] = defaultdict(list)
    for p, o in outgoing:
        values[p].append(o)

    def first_text(*props: str) -> str | None:
        for prop in props:
            for o in values.get(prop, []):
                if isinstance(o, ox.Literal):
                    return o.value
        return None

    def links(*props: str) -> list[dict[str, Any]]:
        seen = {
            o.value for prop in props for o in values.get(prop, []) if isinstance(o, ox.NamedNode)
        }
        return sorted((link(i) for i in seen), key=lambda x: i18n.sort_key(x["label"]))

    total = _amount(reader, values.get(f"{COR}totalBudget", []))
    eu = _amount(reader, values.get(f"{COR}euContribution", []))
    start, end = first_text(f"{SCHEMA}startDate"), first_text(f"{SCHEMA}endDate")
    lead = [r for r in partners if _is_lead(r.get("role_iri"))]
    by_country = Counter((r["country"]["label"] if r.get("country") else "") for r in partners
                         if r.get("organisation"))
    facts: list[tuple[str, dict[str, Any]]] = [
        (i18n.translate("Programme"), {"links": links(f"{COR}programme")}),
        (i18n.translate("Priority"), {"links": links(f"{COR}priority")}),
        (i18n.translate("Dates"), {"text": " – ".join(
            x for x in (i18n.format_date(start), i18n.format_date(end)) if x) or None}),
        (i18n.translate("Status"), {"links": links(f"{COR}status")}),
        (i18n.translate("Total budget"),
         {"text": f"{i18n.format_number(total)} EUR" if total is not None else None}),
        (i18n.translate("EU contribution"),
         {"text": f"{i18n.format_number(eu)} EUR" if eu is not None else None}),
        (i18n.translate("EU co-financing rate"),
         {"text": f"{i18n.format_number(100 * eu / total, 1)} %" if eu and total else None}),
        (i18n.translate("Lead partner"), {"links": [r["organisation"] for r in lead]}),
        (i18n.translate("Partners"), {"text": str(len({r["organisation_iri"] for r in partners}))
                                      if partners else None}),
        (i18n.translate("Countries"), {"text": ", ".join(
            f"{c} ({n})"
            for c, n in sorted(by_country.items(), key=lambda kv: (-kv[1], i18n.sort_key(kv[0])))
            if c
        ) or None}),
        (i18n.translate("Themes"), {"links": links(*THEME_PROPERTIES)}),
        (i18n.translate("Outputs"), {"links": links(f"{COR}hasOutput")}),
        (i18n.translate("Identifier"), {"text": first_text(f"{DCT}identifier")}),
        (i18n.translate("Homepage"), {"links": [{"url": o.value, "label": o.value, "external": True}
                                for o in values.get(f"{FOAF}homepage", [])
                                if isinstance(o, ox.NamedNode) and o.value.startswith("http")]}),
        (i18n.translate("Sources"), {"links": links(f"{DCT}source")}),
    ]
    return {
        "kind": "project",
        "subtitle": first_text(f"{DCT}title"),
        "facts": [(name, v) for name, v in facts if v.get("text") or v.get("links")],
        "budget": total,
        "eu": eu,
    }


def _is_lead(role: str | None) -> bool:
    return bool(role) and role.endswith("/participation-role/lead-partner")  # type: ignore[union-attr]


def _amount(reader: ReadView, nodes: list[Any]) -> float | None:
    for node in nodes:
        if isinstance(node, ox.NamedNode):
            for value in lbl.public_objects(reader, node.value, f"{SCHEMA}value"):
                try:
                    return float(value.value)
                except (AttributeError, ValueError):
                    continue
        elif isinstance(node, ox.Literal):
            try:
                return float(node.value)
            except ValueError:
                continue
    return None


def partners_in_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Partners as a fact sheet lists them: the lead partner first, then by country and name."""
    return sorted(
        rows,
        key=lambda r: (
            not _is_lead(r.get("role_iri")),
            (r.get("role_iri") or "").endswith("/associated-organisation"),
            i18n.sort_key(r["country"]["label"]) if r.get("country") else "\uffff",
            i18n.sort_key(r["organisation"]["label"]) if r.get("organisation") else "",
        ),
    )


# ------------------------------------------------------------------ organisations
def _organisation(
    iri: str, outgoing: list[tuple[str, Any]], projects: list[dict], link: Link, stats: Stats
) -> dict:
    own: dict[str, list[str]] = defaultdict(list)
    for p, o in outgoing:
        if isinstance(o, ox.NamedNode):
            own[p].append(o.value)
    facts: list[tuple[str, dict[str, Any]]] = [
        (i18n.translate("Country"), {"links": [link(c) for c in own.get(f"{COR}country", [])]}),
        (i18n.translate("Possible countries"),
         {"links": [link(c) for c in own.get(f"{COR}possibleCountry", [])]}),
        (i18n.translate("Region"), {"links": [link(r) for r in own.get(f"{COR}nutsRegion", [])]}),
        (i18n.translate("Type"),
         {"links": [link(t) for t in own.get(f"{COR}organisationType", [])]}),
    ]
    roles = Counter(r["role"]["label"] for r in projects if r.get("role"))
    budgets = [stats.projects.get(r["project_iri"], {}).get("budget") for r in projects]
    facts.append((i18n.translate("Projects"), {"text": ", ".join(
        [str(len({r["project_iri"] for r in projects}))]
        + [f"{n} × {role}" for role, n in sorted(roles.items())]
    ) if projects else None}))
    facts.append((i18n.translate("Total budget"), {
        "text": f"{i18n.format_number(sum(b for b in budgets if b))} EUR" if any(budgets) else None,
        "note": i18n.translate("of its projects"),
    }))
    return {
        "kind": "organisation",
        "facts": [(n, v) for n, v in facts if v.get("links") or v.get("text")],
    }


# ------------------------------------------------------------------ places, programmes, themes
def _by_value(stats: Stats) -> dict[str, dict[str, list[str]]]:
    """Per facet, the projects of each value (kept with the figures of the version)."""

    def build() -> dict[str, dict[str, list[str]]]:
        out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for project, facets in stats.project_facets.items():
            for facet, values in facets.items():
                for v in values:
                    out[facet][v].append(project)
        return {f: dict(v) for f, v in out.items()}

    return stats.memo(("projects_by_value",), build)


def _place(iri: str, facet: str, link: Link, stats: Stats, budget: float | None = None) -> dict:
    """Country, region, programme or theme: its projects, their totals, the filtered list."""
    langs = lbl.preferred_languages()

    def summary() -> tuple[int, float, float, list[dict[str, Any]]]:
        """Kept per version and language: a country can have thousands of projects."""
        projects = _by_value(stats).get(facet, {}).get(iri, [])
        entries = [stats.projects.get(p, {}) for p in projects]
        total = sum(e["budget"] for e in entries if e.get("budget") is not None)
        eu = sum(e["eu"] for e in entries if e.get("eu") is not None)
        shown = sorted(
            ({"iri": p, "label": project_label(stats, p, langs), "url": lbl.resource_url(p)}
             for p in projects),
            key=lambda x: i18n.sort_key(x["label"]),
        )
        return len(projects), total, eu, shown

    count, total, eu, shown = stats.memo(("place", facet, iri, tuple(langs)), summary)
    facts: list[tuple[str, dict[str, Any]]] = [
        (i18n.translate("Projects"), {"text": str(count)}),
        (i18n.translate("Total budget"),
         {"text": f"{i18n.format_number(total)} EUR" if total else None,
          "note": i18n.translate("of these projects")}),
        (i18n.translate("EU contribution"),
         {"text": f"{i18n.format_number(eu)} EUR" if eu else None}),
    ]
    if budget is not None:
        facts.append((i18n.translate("Budget share"), {
            "text": f"{i18n.format_number(budget)} EUR",
            "note": i18n.translate(
                "the part of those budgets its partners account for (see Budgets)"),
        }))
    if facet in ("country", "region"):
        partners = _partners_in(iri, facet, stats)
        facts.insert(1, (i18n.translate("Organisations"), {"text": str(partners)}))
    return {
        "kind": facet,
        "facts": [(n, v) for n, v in facts if v.get("text")],
        "projects": shown[:PROJECTS_SHOWN],
        "more_projects": max(0, len(shown) - PROJECTS_SHOWN),
        "list_url": nav_url("browse.projects", **{facet: iri}),
    }


def _partners_in(iri: str, facet: str, stats: Stats) -> int:
    def build() -> dict[str, Counter]:
        organisations, _ = stats.links()
        counts: dict[str, Counter] = {"country": Counter(), "region": Counter()}
        for entry in organisations.values():
            if entry.get("country"):
                counts["country"][entry["country"]] += 1
            for region in entry.get("regions", ()):
                counts["region"][region] += 1
        return counts

    return stats.memo(("partners_by_place",), build)[facet].get(iri, 0)


def nuts_country(reader: ReadView, iri: str) -> str | None:
    """The country of a NUTS region (its level-0 region's exact match)."""
    base = "http://data.europa.eu/nuts/code/"
    if not iri.startswith(base) or len(iri) < len(base) + 2:
        return None
    for c in lbl.public_objects(reader, base + iri[len(base) : len(base) + 2], f"{SKOS}exactMatch"):
        if isinstance(c, ox.NamedNode) and "/country/" in c.value:
            return c.value
    return None
