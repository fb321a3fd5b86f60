"""SHACL validation of Corridor data: pySHACL as the reference, SPARQL in Oxigraph as the fast path.

Terms in :class:`Result` are plain strings so that reports can be compared, logged and
serialised without an RDF library:

* ``focus``, ``shape``, ``component``, ``severity``: the plain IRI (no angle brackets); a blank
  node is written ``_:label``.
* ``path``: the plain IRI of a predicate path; an inverse path is ``^<iri>``; ``None`` for
  node-level results (e.g. SPARQL constraints without ``$PATH``).
* ``value``: the value node in N-Triples syntax (``<iri>``, ``"x"@en``,
  ``"1"^^<http://www.w3.org/2001/XMLSchema#integer>``, ``_:label``), or ``None``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from .config import Config

SH_NS = str(SH)
VIOLATION = SH_NS + "Violation"


@dataclass(frozen=True)
class Result:
    """One SHACL validation result (see the module docstring for the term syntax)."""

    focus: str
    path: str | None
    value: str | None
    shape: str
    component: str
    severity: str
    message: str

    def key(self) -> tuple[str, str | None, str | None, str, str, str]:
        """Everything but the message: what two validators must agree on."""
        return (self.focus, self.path, self.value, self.shape, self.component, self.severity)

    def sort_key(self) -> tuple[str, ...]:
        return tuple(x or "" for x in (*self.key(), self.message))


@dataclass
class Report:
    """The outcome of one validation run."""

    conforms: bool
    results: list[Result] = field(default_factory=list)

    def text(self) -> str:
        """A report for people: results grouped by focus node, then by shape."""
        if self.conforms and not self.results:
            return "Conforms: the data satisfies every shape."
        lines = [
            f"Conforms: {'yes' if self.conforms else 'no'} "
            f"({len(self.results)} result{'s' if len(self.results) != 1 else ''})"
        ]
        by_focus: dict[str, dict[str, list[Result]]] = {}
        ordered = sorted(self.results, key=Result.sort_key)
        for r in ordered:
            by_focus.setdefault(r.focus, {}).setdefault(r.shape, []).append(r)
        for focus, shapes in by_focus.items():
            lines.append("")
            lines.append(f"<{focus}>" if not focus.startswith("_:") else focus)
            for shape, results in shapes.items():
                lines.append(f"  shape {_short(shape)}")
                for r in results:
                    lines.append(f"    [{_short(r.severity)}] {r.message}")
                    if r.path:
                        lines.append(f"      path:  {r.path}")
                    if r.value:
                        lines.append(f"      value: {r.value}")
                    lines.append(f"      constraint: {_short(r.component)}")
        return "\n".join(lines)

    def graph(self) -> rdflib.Graph:
        """The report as an ``sh:ValidationReport`` graph (SHACL §3.6)."""
        g = rdflib.Graph()
        g.bind("sh", SH)
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        for r in self.results:
            node = BNode()
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.focusNode, _term_from_plain(r.focus)))
            if r.path is not None:
                g.add((node, SH.resultPath, _path_term(g, r.path)))
            if r.value is not None:
                g.add((node, SH.value, _term_from_nt(r.value)))
            g.add((node, SH.sourceShape, _term_from_plain(r.shape)))
            g.add((node, SH.sourceConstraintComponent, URIRef(r.component)))
            g.add((node, SH.resultSeverity, URIRef(r.severity)))
            g.add((node, SH.resultMessage, Literal(r.message)))
        return g


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
    def validate_store(self, store: ox.Store, focus: Iterable[str] | None = None) -> Report:
        """Validate the union of the store's graphs with the shapes compiled to SPARQL.

        ``focus=None`` validates every target; otherwise only the given IRIs (the nodes a load
        touched) and their direct neighbours (see :meth:`expand_focus`) are validated as focus
        nodes. The store is expected to hold the ontology (the loader puts it in
        ``graph/ontology``): class membership follows its ``rdfs:subClassOf`` axioms as well as
        those of :attr:`ontology_graph`. Gives the same results as
        :meth:`validate_store_reference` (proved by tests/validation/test_equivalence.py).
        """
        from .shacl_sparql import compile_shapes

        focus_set = None if focus is None else self.expand_focus(store, focus)
        if focus_set is not None and not focus_set:
            return Report(True, [])
        if self._compiled is None:
            self._compiled = compile_shapes(self.shapes_graph, self.ontology_graph)
        results = self._compiled.run(store, focus_set)
        conforms = not any(r.severity == VIOLATION for r in results)
        return Report(conforms, results)

    def validate_store_reference(
        self, store: ox.Store, focus: Iterable[str] | None = None
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

    def expand_focus(self, store: ox.Store, focus: Iterable[str]) -> list[str]:
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
def _short(iri: str) -> str:
    for prefix, ns in (("sh:", SH_NS), ("cor:", "https://w3id.org/corridor/ontology#")):
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return iri


def term_to_plain(term: rdflib.term.Node) -> str:
    """IRI → plain IRI, blank node → ``_:label``."""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def term_to_nt(term: rdflib.term.Node) -> str:
    """An rdflib term in the N-Triples syntax Oxigraph writes (so both paths compare equal).

    Literals are put through an Oxigraph store, which canonicalises what it stores ("01" and
    "1"^^xsd:positiveInteger both become "1"^^xsd:integer), so a value reads the same whether
    pySHACL or the SPARQL path reported it.
    """
    ox_term = rdflib_to_ox(term)
    if isinstance(ox_term, ox.Literal) and ox_term.datatype.value.startswith(str(XSD)):
        scratch = ox.Store()
        node = ox.NamedNode("urn:x")
        scratch.add(ox.Quad(node, node, ox_term))
        ox_term = next(iter(scratch)).object
    return str(ox_term)


def rdflib_to_ox(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def ox_to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    if dt == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(dt))


def _term_from_plain(text: str) -> rdflib.term.Node:
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def _term_from_nt(text: str) -> rdflib.term.Node:
    g = rdflib.Graph()
    g.parse(data=f"<urn:s> <urn:p> {text} .", format="nt")
    return next(iter(g.objects()))


def _path_term(g: rdflib.Graph, path: str) -> rdflib.term.Node:
    if path.startswith("^<") and path.endswith(">"):
        node = BNode()
        g.add((node, SH.inversePath, URIRef(path[2:-1])))
        return node
    return URIRef(path)


def path_to_text(g: rdflib.Graph, path: rdflib.term.Node) -> str:
    """A SHACL path node as used in :attr:`Result.path`."""
    if isinstance(path, URIRef):
        return str(path)
    inverse = g.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return f"^<{inverse}>"
    raise ValueError("only predicate and inverse paths are supported")


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


def _store_to_graph(store: ox.Store) -> rdflib.Graph:
    """The union of all graphs of ``store`` as one rdflib graph."""
    g = rdflib.Graph()
    for q in store.quads_for_pattern(None, None, None, None):
        g.add((ox_to_rdflib(q.subject), ox_to_rdflib(q.predicate), ox_to_rdflib(q.object)))
    return g
