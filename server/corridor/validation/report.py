"""SHACL validation of Corridor data: pySHACL as the reference, SPARQL in Oxigraph as the fast path.

Terms in :class:`Result` are plain strings so that reports can be compared, logged and
serialised without an RDF library:

* ``focus``, ``shape``, ``component``, ``severity``: the plain IRI (no angle brackets); a blank
  node is written ``_:label``; a literal focus node in N-Triples syntax (``"x"@en``).
* ``path``: the plain IRI of a predicate path; any other path in SPARQL property-path syntax
  (``^<iri>``, ``(<a>/<b>)``, ``(<a>|<b>)``, ``(<a>)*``); ``None`` for node-level results.
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
from corridor.validation.paths import parse_path_text, path_graph

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
    # the rest describe a result further; two validators agree on a result without them
    detail: tuple[Result, ...] = field(default=(), compare=False)
    """Nested results (``sh:detail``): why the value failed its ``sh:node`` shape."""
    language: str | None = field(default=None, compare=False)
    """The language tag of :attr:`message`, if it has one."""
    constraint: str | None = field(default=None, compare=False)
    """The SPARQL-based constraint (``sh:sourceConstraint``) of an sh:sparql result."""

    def key(self) -> tuple[str, str | None, str | None, str, str, str]:
        """Everything but the message: what two validators must agree on."""
        return (self.focus, self.path, self.value, self.shape, self.component, self.severity)

    def sort_key(self) -> tuple[str, ...]:
        return tuple(x or "" for x in (*self.key(), self.message))


@dataclass
class Report:
    """The outcome of one validation run.

    ``conforms`` is SHACL's (§3.6.1): false as soon as there is any result, whatever its
    severity. Corridor refuses a write only for Violations: that is :attr:`accepted`.
    """

    conforms: bool
    results: list[Result] = field(default_factory=list)

    @classmethod
    def of(cls, results: list[Result]) -> Report:
        """The report of ``results`` (conforms iff there are none)."""
        return cls(not results, results)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == VIOLATION]

    @property
    def accepted(self) -> bool:
        """Corridor's write rule: no result of severity sh:Violation (Warnings and Infos are
        reported but do not block)."""
        return not self.violations

    @property
    def blocks_write(self) -> bool:
        return not self.accepted

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
            lines.append(focus if focus.startswith(("_:", '"')) else f"<{focus}>")
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
            g.add((report, SH.result, _result_node(g, r)))
        return g


def _result_node(g: rdflib.Graph, r: Result) -> BNode:
    node = BNode()
    g.add((node, RDF.type, SH.ValidationResult))
    g.add((node, SH.focusNode, focus_term(r.focus)))
    if r.path is not None:
        g.add((node, SH.resultPath, path_graph(g, parse_path_text(r.path))))
    if r.value is not None:
        g.add((node, SH.value, value_term(r.value)))
    g.add((node, SH.sourceShape, term_from_plain(r.shape)))
    g.add((node, SH.sourceConstraintComponent, URIRef(r.component)))
    if r.constraint is not None:
        g.add((node, SH.sourceConstraint, term_from_plain(r.constraint)))
    g.add((node, SH.resultSeverity, URIRef(r.severity)))
    if r.message:
        g.add((node, SH.resultMessage, Literal(r.message, lang=r.language)))
    for nested in r.detail:
        g.add((node, SH.detail, _result_node(g, nested)))
    return node


def value_term(text: str) -> rdflib.term.Node:
    """:attr:`Result.value` as an rdflib term (blank nodes keep their label)."""
    return BNode(text[2:]) if text.startswith("_:") else term_from_nt(text)


def focus_term(text: str) -> rdflib.term.Node:
    """:attr:`Result.focus` as an rdflib term (a literal focus node is in N-Triples syntax)."""
    return term_from_nt(text) if text.startswith('"') else term_from_plain(text)


def focus_text(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """A focus node as :attr:`Result.focus`: plain IRI, ``_:label`` or an N-Triples literal."""
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


_DEFAULT_MESSAGES = {
    "MinCountConstraintComponent": "Fewer values than sh:minCount",
    "MaxCountConstraintComponent": "More values than sh:maxCount",
    "HasValueConstraintComponent": "The required value (sh:hasValue) is missing",
    "UniqueLangConstraintComponent": "Two values share a language tag",
    "QualifiedMinCountConstraintComponent": "Fewer conforming values than sh:qualifiedMinCount",
    "QualifiedMaxCountConstraintComponent": "More conforming values than sh:qualifiedMaxCount",
    "ClosedConstraintComponent": "A property the closed shape does not allow",
}


def default_message(component: str) -> str:
    """The message of a result whose shape has no sh:message."""
    name = component.rsplit("#", 1)[-1]
    return _DEFAULT_MESSAGES.get(name, "Value does not satisfy sh:" + name.removesuffix(
        "ConstraintComponent"))


def _short(iri: str) -> str:
    for prefix, ns in (("sh:", SH_NS), ("cor:", "https://w3id.org/corridor/ontology#")):
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return iri


def path_to_text(g: rdflib.Graph, path: rdflib.term.Node) -> str:
    """A SHACL path node as used in :attr:`Result.path`."""
    from corridor.validation.paths import parse_path

    return parse_path(g, path, "(report)").text()


def term_to_nt(term: rdflib.term.Node) -> str:
    """An rdflib term in the N-Triples syntax Oxigraph writes (so both paths compare equal).

    Literals take the form the store keeps ("01" and "1"^^xsd:positiveInteger both become
    "1"^^xsd:integer), so a value reads the same whether pySHACL or the SPARQL path reported it.
    """
    value = rdflib_to_ox(term)
    return str(stored_form(value) if isinstance(value, ox.Literal) else value)
