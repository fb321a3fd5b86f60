"""The SHACL validator: shapes and ontology of a deployment, run fast (SPARQL in Oxigraph)
or by pySHACL, the reference that tests compare against (see :mod:`corridor.validation.report`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import URIRef
from rdflib.namespace import RDF, SH

from corridor.config import Config
from corridor.rdf.terms import ox_to_rdflib, term_to_plain
from corridor.store import ReadView, memory_store
from corridor.validation.compiler import CompiledShapes, compile_shapes
from corridor.validation.engine import (
    DataGraph,
    Engine,
    Found,
    Shapes,
    as_literal_graph,
    has_targets,
    originals_of,
)
from corridor.validation.report import (
    Report,
    Result,
    default_message,
    focus_text,
    path_to_text,
    term_to_nt,
)


class Plan:
    """How a shapes graph is run: the shapes the compiler translates exactly as set-oriented
    SPARQL, every other shape by the exact engine (a hybrid with one verdict: SHACL's).

    Building it parses every shape: :class:`UnsupportedShape` names the shape and the feature.
    """

    def __init__(self, shapes_graph: rdflib.Graph, ontology_graph: rdflib.Graph) -> None:
        self.shapes = Shapes(shapes_graph, ontology_graph)
        self.engine = Engine(self.shapes)
        top = [s.node for s in self.shapes.shapes.values() if has_targets(s)
               and not s.deactivated]
        self.compiled: CompiledShapes = compile_shapes(shapes_graph, ontology_graph, top)
        self.exact = list(self.compiled.fallback)
        self._compiled_nodes = [s.node for s in self.compiled.shapes]

    def run(self, store: ReadView, focus: list[str] | None,
            originals: dict | None = None) -> list[Result]:
        """Results on ``store``; ``focus`` restricts the compiled shapes to those nodes (the
        exact engine validates its shapes on all their targets, which is always exact)."""
        results = self.compiled.run(store, focus) if self.compiled.shapes else []
        data = DataGraph(store, originals)
        found = self.engine.validate(data, self.exact) if self.exact else []
        if originals:
            # literals Oxigraph re-typed: their focus nodes are judged on the literals as written
            affected: set = {key[0] for key in originals} | {key[2] for key in originals}
            affected |= {lit for lits in originals.values() for lit in lits}
            names = {focus_text(n) for n in affected}
            results = [r for r in results if r.focus not in names]
            found += self.engine.validate(data, self._compiled_nodes, affected)
        results += [to_result(f) for f in found]
        return sorted(results, key=Result.sort_key)


def to_result(found: Found) -> Result:
    """An engine result as a :class:`Result` (message: the English or first sh:message, else
    a default naming the constraint component)."""
    messages = _english_first(found.messages)
    if messages:
        message, language = str(messages[0]), getattr(messages[0], "language", None)
    else:
        message, language = default_message(found.component), None
    return Result(
        focus=focus_text(found.focus),
        path=None if found.path is None else found.path.text(),
        value=None if found.value is None else str(found.value),
        shape=term_to_plain(found.shape),
        component=found.component,
        severity=found.severity,
        message=message,
        detail=tuple(sorted((to_result(d) for d in found.detail), key=Result.sort_key)),
        language=language,
        constraint=None if found.constraint is None else term_to_plain(found.constraint),
    )


class Validator:
    """Validates data against the bundled shapes, with the ontology as SHACL ontology graph."""

    def __init__(self, shapes_graph: rdflib.Graph, ontology_graph: rdflib.Graph, version: str):
        self.shapes_graph = shapes_graph
        self.ontology_graph = ontology_graph
        self.version = version
        self._plan: Plan | None = None  # built on first use (or by check_usable)

    @property
    def plan(self) -> Plan:
        if self._plan is None:
            self._plan = Plan(self.shapes_graph, self.ontology_graph)
        return self._plan

    @property
    def _compiled(self) -> Plan:  # the name bench/validation.py times
        return self.plan

    def check_usable(self) -> None:
        """Parse and plan every shape now; :class:`UnsupportedShape` says which and why."""
        _ = self.plan

    @classmethod
    def standalone(cls, shapes: list[Path]) -> Validator:
        """Only these shapes (no ontology, no bundled shapes): SHACL as written."""
        shapes_graph = rdflib.Graph()
        digest = hashlib.sha256()
        for path in shapes:
            data = Path(path).read_bytes()
            digest.update(data)
            shapes_graph += _read_shapes(data, path, Path(path).resolve().as_uri())
        return cls(shapes_graph, rdflib.Graph(), "sha256:" + digest.hexdigest())

    def validate_file(self, path: Path, base_iri: str | None = None) -> Report:
        """Validate the RDF file at ``path`` alone (its literals as written) with the same plan
        that guards writes."""
        fmt = ox.RdfFormat.from_extension(Path(path).suffix.lstrip(".")) or ox.RdfFormat.TURTLE
        with open(path, "rb") as f:
            quads = list(ox.parse(f, format=fmt, base_iri=base_iri or Path(path).resolve()
                                  .as_uri()))
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
        store = memory_store(quads)
        return Report.of(self.plan.run(store, None, originals_of(quads)))

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
            shapes_graph += _read_shapes(data, path, base)
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
        return Report.of(results)

    # ------------------------------------------------------------------ store path
    def validate_store(self, store: ReadView, focus: Iterable[str] | None = None,
                       originals: dict | None = None) -> Report:
        """Validate the union of the store's graphs (see :class:`Plan`).

        ``focus=None`` validates every target; otherwise the compiled shapes validate only the
        given IRIs (the nodes a load touched) and their direct neighbours (see
        :meth:`expand_focus`), and the exact engine its shapes on all their targets. The store
        is expected to hold the ontology (the loader puts it in ``graph/ontology``): class
        membership follows its ``rdfs:subClassOf`` axioms as well as those of
        :attr:`ontology_graph`. ``originals`` (see :func:`engine.originals_of`) gives the
        literals as written where Oxigraph re-typed them. On Corridor's shapes the results
        equal :meth:`validate_store_reference` (tests/validation/test_equivalence.py).
        """
        plan = self.plan
        focus_set = None if focus is None else self.expand_focus(store, focus)
        if focus_set is not None and not focus_set and not plan.exact:
            return Report(True, [])
        return Report.of(plan.run(store, focus_set, originals))

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
        return Report.of(results)

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
                focus=_focus_of(g.value(node, SH.focusNode)),
                path=None if path is None else path_to_text(g, path),
                value=None if value is None else term_to_nt(value),
                shape=_focus_of(g.value(node, SH.sourceShape)),
                component=str(g.value(node, SH.sourceConstraintComponent)),
                severity=str(g.value(node, SH.resultSeverity)),
                message=str(messages[0]) if messages else "",
            )
        )
    results.sort(key=Result.sort_key)
    return results


def _focus_of(term: rdflib.term.Node | None) -> str:
    assert term is not None  # every validation result has a focus node
    return term_to_nt(term) if isinstance(term, rdflib.Literal) else term_to_plain(term)


def _store_to_graph(store: ReadView) -> rdflib.Graph:
    """The union of all graphs of ``store`` as one rdflib graph."""
    g = rdflib.Graph()
    for q in store.quads_for_pattern(None, None, None, None):
        if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple):
            raise ValueError("RDF-star triple terms are not SHACL Core data")
        g.add((ox_to_rdflib(q.subject), ox_to_rdflib(q.predicate), ox_to_rdflib(q.object)))
    return g


def _read_shapes(data: bytes, path: Path, base: str) -> rdflib.Graph:
    """A shapes file as an rdflib graph, literals as written (see ``as_literal_graph``)."""
    fmt = ox.RdfFormat.from_extension(Path(path).suffix.lstrip(".")) or ox.RdfFormat.TURTLE
    return as_literal_graph(ox.parse(data, format=fmt, base_iri=base))
