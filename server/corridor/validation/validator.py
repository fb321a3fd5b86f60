"""The SHACL validator: shapes and ontology of a deployment, run fast (SPARQL in Oxigraph)
or by pySHACL, the reference that tests compare against (see :mod:`corridor.validation.report`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import rdflib
from rdflib import URIRef
from rdflib.namespace import RDF, SH

from corridor.config import Config
from corridor.rdf.terms import ox_to_rdflib, term_to_plain
from corridor.store import ReadView
from corridor.validation.compiler import compile_shapes
from corridor.validation.report import VIOLATION, Report, Result, path_to_text, term_to_nt


class Validator:
    """Validates data against the bundled shapes, with the ontology as SHACL ontology graph."""

    def __init__(self, shapes_graph: rdflib.Graph, ontology_graph: rdflib.Graph, version: str):
        self.shapes_graph = shapes_graph
        self.ontology_graph = ontology_graph
        self.version = version
        self._compiled = None  # the fast SPARQL plan, built on first use

    @classmethod
    def bundled(cls, config: Config) -> Validator:
        """The shapes and ontology shipped with this deployment."""
        shapes = sorted(Path(config.shapes_dir).glob("*.ttl"))
        ontology = sorted(Path(config.ontology_dir).glob("*.ttl"))
        return cls.from_files(shapes, ontology, base_iri=config.base_iri)

    @classmethod
    def from_files(
        cls, shapes: list[Path], ontology: list[Path], base_iri: str | None = None
    ) -> Validator:
        """Shapes and ontology from Turtle files (relative IRIs resolve against ``base_iri``)."""
        base = base_iri or Config().base_iri
        shapes_graph, ontology_graph = rdflib.Graph(), rdflib.Graph()
        digest = hashlib.sha256()
        for path in shapes:
            data = Path(path).read_bytes()
            digest.update(data)
            shapes_graph.parse(data=data, format="turtle", publicID=base)
        for path in ontology:
            ontology_graph.parse(source=str(path), format="turtle", publicID=base)
        return cls(shapes_graph, ontology_graph, "sha256:" + digest.hexdigest())

    # ------------------------------------------------------------------ reference path
    def validate_graph(self, data: rdflib.Graph, focus: Iterable[str] | None = None) -> Report:
        """Validate with pySHACL (the reference implementation; no inference)."""
        from pyshacl import validate

        focus = None if focus is None else list(focus)
        conforms, results_graph, _ = validate(
            data,
            shacl_graph=self.shapes_graph,
            ont_graph=self.ontology_graph,
            inference="none",
            advanced=False,
            allow_warnings=True,
            allow_infos=True,
            focus_nodes=[URIRef(f) for f in focus] if focus is not None else None,
        )
        if focus is not None and not list(focus):
            return Report(True, [])
        results = _results_from_graph(results_graph, self.shapes_graph)
        return Report(bool(conforms), results)

    # ------------------------------------------------------------------ store path
    def validate_store(self, store: ReadView, focus: Iterable[str] | None = None) -> Report:
        """Validate the union of the store's graphs with the shapes compiled to SPARQL.

        ``focus=None`` validates every target; otherwise only the given IRIs (the nodes a load
        touched) and their direct neighbours (see :meth:`expand_focus`) are validated as focus
        nodes. The store is expected to hold the ontology (the loader puts it in
        ``graph/ontology``): class membership follows its ``rdfs:subClassOf`` axioms as well as
        those of :attr:`ontology_graph`. Gives the same results as
        :meth:`validate_store_reference` (proved by tests/validation/test_equivalence.py).
        """
        focus_set = None if focus is None else self.expand_focus(store, focus)
        if focus_set is not None and not focus_set:
            return Report(True, [])
        if self._compiled is None:
            self._compiled = compile_shapes(self.shapes_graph, self.ontology_graph)
        results = self._compiled.run(store, focus_set)
        conforms = not any(r.severity == VIOLATION for r in results)
        return Report(conforms, results)

    def validate_store_reference(
        self, store: ReadView, focus: Iterable[str] | None = None
    ) -> Report:
        """:meth:`validate_store` done by pySHACL on an in-memory copy (slow; for tests).

        With a focus, the whole copy is validated and the results on other focus nodes are
        dropped: that is SHACL's meaning of a focus restriction, and it sidesteps pySHACL's
        ``focus_nodes`` option, which loses qualified-value-shape results.
        """
        report = self.validate_graph(_store_to_graph(store))
        if focus is None:
            return report
        focus_set = set(self.expand_focus(store, focus))
        results = [r for r in report.results if r.focus in focus_set]
        return Report(not any(r.severity == VIOLATION for r in results), results)

    def expand_focus(self, store: ReadView, focus: Iterable[str]) -> list[str]:
        """The touched IRIs, the IRIs they link to and the IRIs that link to them.

        One hop in each direction is what the shapes need: a participation changes the verdict
        of its project ("exactly one lead partner"), a node whose type changes the verdict of
        the nodes pointing at it (``sh:class``).
        """
        nodes = sorted(set(focus))
        if not nodes:
            return []
        values = " ".join(f"<{n}>" for n in nodes)
        query = (
            "SELECT DISTINCT ?n WHERE { VALUES ?f { " + values + " } "
            "{ ?f ?p ?n . FILTER(isIRI(?n) && ?p != rdf:type) } "
            "UNION { ?n ?p ?f . FILTER(isIRI(?n)) } }"
        )
        rows = store.query(
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> " + query,
            use_default_graph_as_union=True,
        )
        return sorted({s["n"].value for s in rows} | set(nodes))


# ---------------------------------------------------------------------- helpers
def _english_first(messages: Iterable[rdflib.term.Node]) -> list[rdflib.term.Node]:
    def english_first(m: rdflib.term.Node) -> tuple[bool, str]:
        return getattr(m, "language", None) not in (None, "en"), str(m)

    return sorted(messages, key=english_first)


def _results_from_graph(g: rdflib.Graph, shapes: rdflib.Graph) -> list[Result]:
    """pySHACL's report as Results; the message is the constraint's own (e.g. of an
    ``sh:sparql`` node) if it has one, otherwise the shape's (English preferred)."""
    results = []
    for node in g.subjects(RDF.type, SH.ValidationResult):
        path = g.value(node, SH.resultPath)
        value = g.value(node, SH.value)
        constraint = g.value(node, SH.sourceConstraint)
        own = _english_first(shapes.objects(constraint, SH.message)) if constraint else []
        messages = own or _english_first(g.objects(node, SH.resultMessage))
        results.append(
            Result(
                focus=term_to_plain(g.value(node, SH.focusNode)),
                path=None if path is None else path_to_text(g, path),
                value=None if value is None else term_to_nt(value),
                shape=term_to_plain(g.value(node, SH.sourceShape)),
                component=str(g.value(node, SH.sourceConstraintComponent)),
                severity=str(g.value(node, SH.resultSeverity)),
                message=str(messages[0]) if messages else "",
            )
        )
    results.sort(key=Result.sort_key)
    return results


def _store_to_graph(store: ReadView) -> rdflib.Graph:
    """The union of all graphs of ``store`` as one rdflib graph."""
    g = rdflib.Graph()
    for q in store.quads_for_pattern(None, None, None, None):
        g.add((ox_to_rdflib(q.subject), ox_to_rdflib(q.predicate), ox_to_rdflib(q.object)))
    return g
