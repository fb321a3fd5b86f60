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

from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SH

from corridor.rdf.terms import rdflib_to_ox, term_from_nt, term_from_plain
from corridor.store import stored_form

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
            g.add((node, SH.focusNode, term_from_plain(r.focus)))
            if r.path is not None:
                g.add((node, SH.resultPath, _path_term(g, r.path)))
            if r.value is not None:
                g.add((node, SH.value, term_from_nt(r.value)))
            g.add((node, SH.sourceShape, term_from_plain(r.shape)))
            g.add((node, SH.sourceConstraintComponent, URIRef(r.component)))
            g.add((node, SH.resultSeverity, URIRef(r.severity)))
            g.add((node, SH.resultMessage, Literal(r.message)))
        return g


def _short(iri: str) -> str:
    for prefix, ns in (("sh:", SH_NS), ("cor:", "https://w3id.org/corridor/ontology#")):
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return iri


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


def term_to_nt(term: rdflib.term.Node) -> str:
    """An rdflib term in the N-Triples syntax Oxigraph writes (so both paths compare equal).

    Literals take the form the store keeps ("01" and "1"^^xsd:positiveInteger both become
    "1"^^xsd:integer), so a value reads the same whether pySHACL or the SPARQL path reported it.
    """
    value = rdflib_to_ox(term)
    return str(stored_form(value) if isinstance(value, ox.Literal) else value)
