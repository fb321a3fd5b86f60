"""The exact SHACL Core + SHACL-SPARQL evaluator: every constraint component, target type, path
form and shape nesting, evaluated in Python over the store's quad index.

The SPARQL compiler (:mod:`corridor.validation.compiler`) runs the shapes it can translate
exactly, set-oriented inside Oxigraph; this module evaluates the rest (and is the model the
compiler must agree with). It reads the data only through :class:`DataGraph`, which serves the
union of a store's graphs and, where Oxigraph re-typed a literal on storage (``"12"^^xsd:byte``
is stored as ``"12"^^xsd:integer``), the literal as it was written (see :class:`DataGraph`).

Shapes are read from an rdflib graph once (:func:`parse_shapes`); anything that cannot be
evaluated (a malformed path, a list that is not a list, ``sh:sparql`` without ``sh:select``)
raises :class:`UnsupportedShape` naming the shape and the feature.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from corridor.rdf.terms import ox_to_rdflib, rdflib_to_ox, term_to_plain
from corridor.store import ReadView, memory_store
from corridor.validation.paths import Path, UnsupportedShape, list_items, parse_path

SHNS = str(SH)
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
_LANGSTRING = str(RDF.langString)
_XSD_STRING = str(XSD.string)
Term = ox.NamedNode | ox.BlankNode | ox.Literal


# ---------------------------------------------------------------------- data access
class DataGraph:
    """The data graph: the union of a store's graphs, with the literals as written.

    ``originals`` maps a stored triple ``(s, p, o)`` whose literal ``o`` Oxigraph re-typed or
    canonicalised to the literal(s) the source actually had (:func:`originals_of` builds it while
    parsing); every read goes through it, so datatype, range, pattern and length checks see the
    lexical form and the declared datatype.
    """

    def __init__(self, store: ReadView, originals: dict | None = None) -> None:
        self.store = store
        self.originals: dict[tuple[Term, Term, ox.Literal], list[ox.Literal]] = originals or {}
        self._classes: dict[str, set[Term]] = {}
        self.cache: dict[str, dict[Term, list[ox.QuerySolution]]] = {}  # SPARQL constraints

    def objects(self, s: Term, p: ox.NamedNode) -> set[Term]:
        if isinstance(s, ox.Literal):
            return set()
        out: set[Term] = set()
        for q in self.store.quads_for_pattern(s, p, None, None):
            o = q.object
            if isinstance(o, ox.Literal) and (s, p, o) in self.originals:
                out.update(self.originals[(s, p, o)])
            else:
                out.add(o)
        return out

    def subjects(self, p: ox.NamedNode, o: Term) -> set[Term]:
        if isinstance(o, ox.Literal):
            # the index matches on the stored form; keep the subjects that had ``o`` as written
            return {q.subject for q in self.store.quads_for_pattern(None, p, o, None)
                    if o in self.objects(q.subject, p)}
        return {q.subject for q in self.store.quads_for_pattern(None, p, o, None)}

    def triples_of(self, s: Term) -> Iterator[tuple[ox.NamedNode, Term]]:
        if isinstance(s, ox.Literal):
            return
        seen = set()
        for q in self.store.quads_for_pattern(s, None, None, None):
            if (q.predicate, q.object) in seen:
                continue
            seen.add((q.predicate, q.object))
            if isinstance(q.object, ox.Literal) and (s, q.predicate, q.object) in self.originals:
                for lit in self.originals[(s, q.predicate, q.object)]:
                    yield q.predicate, lit
            else:
                yield q.predicate, q.object

    def subjects_with(self, p: ox.NamedNode) -> set[Term]:
        return {q.subject for q in self.store.quads_for_pattern(None, p, None, None)}

    def objects_with(self, p: ox.NamedNode) -> set[Term]:
        out: set[Term] = set()
        for s in self.subjects_with(p):
            out.update(self.objects(s, p))
        return out

    def subclasses(self, cls: Term, extra: dict[Term, set[Term]]) -> set[Term]:
        """``cls`` and its transitive subclasses (data graph + ``extra`` axioms)."""
        key = str(cls)
        if key not in self._classes:
            seen, todo = {cls}, [cls]
            while todo:
                c = todo.pop()
                for sub in self.subjects(_SUBCLASS, c) | extra.get(c, set()):
                    if sub not in seen:
                        seen.add(sub)
                        todo.append(sub)
            self._classes[key] = seen
        return self._classes[key]

    def instances(self, cls: Term, extra: dict[Term, set[Term]]) -> set[Term]:
        out: set[Term] = set()
        for c in self.subclasses(cls, extra):
            out |= self.subjects(_RDF_TYPE, c)
        return out

    def is_instance(self, node: Term, cls: Term, extra: dict[Term, set[Term]]) -> bool:
        if isinstance(node, ox.Literal):
            return False
        return bool(self.objects(node, _RDF_TYPE) & self.subclasses(cls, extra))

    def values(self, focus: Term, path: Path) -> set[Term]:
        """The value nodes of ``focus`` for ``path`` (SHACL §2.3.1 / SPARQL path semantics)."""
        return self._eval(path, {focus})

    def _eval(self, path: Path, start: set[Term]) -> set[Term]:
        kind = path.kind
        if kind == "pred":
            p = ox.NamedNode(path.iri)
            out: set[Term] = set()
            for n in start:
                out |= self.objects(n, p)
            return out
        if kind == "inv":
            return self._inverse(path.parts[0], start)
        if kind == "seq":
            current = start
            for part in path.parts:
                current = self._eval(part, current)
            return current
        if kind == "alt":
            return set().union(*(self._eval(p, start) for p in path.parts))
        if kind == "zoo":
            return set(start) | self._eval(path.parts[0], start)
        reached: set[Term] = set(start) if kind == "zom" else set()
        frontier = self._eval(path.parts[0], start)
        while frontier - reached:
            new = frontier - reached
            reached |= new
            frontier = self._eval(path.parts[0], new)
        return reached

    def _inverse(self, path: Path, start: set[Term]) -> set[Term]:
        kind = path.kind
        if kind == "pred":
            p = ox.NamedNode(path.iri)
            out: set[Term] = set()
            for n in start:
                out |= self.subjects(p, n)
            return out
        if kind == "inv":
            return self._eval(path.parts[0], start)
        if kind == "seq":
            current = start
            for part in reversed(path.parts):
                current = self._inverse(part, current)
            return current
        if kind == "alt":
            return set().union(*(self._inverse(p, start) for p in path.parts))
        return self._eval(Path(kind, parts=(Path("inv", parts=path.parts),)), start)


def originals_of(quads: Iterable[ox.Quad]) -> dict:
    """The :attr:`DataGraph.originals` of ``quads`` as parsed (before Oxigraph re-types them).

    Every typed literal (other than xsd:string) goes once through a scratch store, in one batch,
    to learn its stored form; only the ones that change are kept.
    """
    quads = list(quads)
    typed = [q for q in quads if isinstance(q.object, ox.Literal) and q.object.language is None
             and q.object.datatype.value != _XSD_STRING]
    if not typed:
        return {}
    probe, p = memory_store(), ox.NamedNode("urn:corridor:probe")
    distinct = list({q.object for q in typed})
    probe.bulk_extend(ox.Quad(ox.NamedNode(f"urn:corridor:probe:{i}"), p, lit)
                      for i, lit in enumerate(distinct))
    stored_of = {}
    for q in probe.quads_for_pattern(None, p, None, None):
        lit = distinct[int(q.subject.value.rsplit(":", 1)[1])]
        if q.object != lit:
            stored_of[lit] = q.object
    out: dict[tuple[Term, Term, ox.Literal], list[ox.Literal]] = {}
    for q in typed:
        stored = stored_of.get(q.object)
        if stored is not None:
            lits = out.setdefault((q.subject, q.predicate, stored), [])
            if q.object not in lits:
                lits.append(q.object)
    if out:  # a stored literal that also came as written keeps its own form beside the others
        for q in typed:
            key = (q.subject, q.predicate, q.object)
            if key in out and q.object not in out[key]:
                out[key].append(q.object)
    return out


# ---------------------------------------------------------------------- results
@dataclass
class Found:
    """One validation result before it becomes a :class:`corridor.validation.report.Result`."""

    focus: Term
    path: Path | None
    value: Term | None
    shape: rdflib.term.Node
    component: str
    severity: str
    messages: list[rdflib.term.Node]
    constraint: rdflib.term.Node | None = None
    detail: list[Found] = field(default_factory=list)


# ---------------------------------------------------------------------- shapes
_CORE_PARAMETERS = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minExclusive,
    SH.minInclusive, SH.maxExclusive, SH.maxInclusive, SH.minLength, SH.maxLength, SH.pattern,
    SH.flags, SH.languageIn, SH.uniqueLang, SH.equals, SH.disjoint, SH.lessThan,
    SH.lessThanOrEquals, SH["not"], SH["and"], SH["or"], SH.xone, SH.node, SH.property,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint, SH.closed, SH.ignoredProperties, SH.hasValue, SH["in"],
    SH.sparql,
}
_NON_VALIDATING = {
    SH.path, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.severity, SH.message, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
    SH.defaultValue, SH.prefixes, SH.declare, SH.shapesGraph, SH.entailment,
}
_REFUSED = {
    SH.target: "SHACL-AF custom targets (sh:target)",
    SH.rule: "SHACL-AF rules (sh:rule)",
    SH.expression: "SHACL-AF node expressions (sh:expression)",
}


@dataclass
class Shape:
    """One shape of the shapes graph, parsed."""

    node: rdflib.term.Node
    name: str
    path: Path | None
    severity: str
    messages: list[rdflib.term.Node]
    deactivated: bool
    params: dict[rdflib.term.Node, list[rdflib.term.Node]]
    targets: dict[str, list[Any]]  # node: any terms; class: classes; subjects/objects: IRIs


class Shapes:
    """The shapes graph, parsed into :class:`Shape` objects (refusing what cannot be used)."""

    def __init__(self, g: rdflib.Graph, ontology: rdflib.Graph | None = None) -> None:
        self.graph = g
        self.shapes: dict[rdflib.term.Node, Shape] = {}
        self.extra_subclasses: dict[Term, set[Term]] = {}
        for source in (g, ontology) if ontology is not None else (g,):
            for sub, sup in source.subject_objects(RDFS.subClassOf):
                if isinstance(sub, URIRef | BNode) and isinstance(sup, URIRef | BNode):
                    self.extra_subclasses.setdefault(rdflib_to_ox(sup), set()).add(
                        rdflib_to_ox(sub))
        for component in g.subjects(RDF.type, SH.ConstraintComponent):
            raise UnsupportedShape(f"constraint component {term_to_plain(component)}: custom "
                                   f"constraint components (SHACL-SPARQL §6) are not supported")
        for subject, regime in g.subject_objects(SH.entailment):
            raise UnsupportedShape(f"{term_to_plain(subject)}: sh:entailment {regime} is not "
                                   f"supported (no inference is done)")
        for node in sorted(_shape_nodes(g), key=str):
            self.shapes[node] = self._parse(node)
        for shape in self.shapes.values():
            self._check_references(shape)

    def get(self, node: rdflib.term.Node) -> Shape:
        shape = self.shapes.get(node)
        if shape is None:
            shape = self.shapes[node] = self._parse(node)
            self._check_references(shape)
        return shape

    def _check_references(self, shape: Shape) -> None:
        for pred in (SH.node, SH["not"], SH.property, SH.qualifiedValueShape):
            for ref in shape.params.get(pred, []):
                self.get(ref)
        for pred in (SH["and"], SH["or"], SH.xone):
            for lst in shape.params.get(pred, []):
                for ref in list_items(self.graph, lst, shape.name, f"sh:{pred[len(SHNS):]}"):
                    self.get(ref)

    def _parse(self, node: rdflib.term.Node) -> Shape:
        g = self.graph
        name = term_to_plain(node)
        if not isinstance(node, URIRef | BNode):
            raise UnsupportedShape(f"shape {node!r} is a literal")
        for pred, what in _REFUSED.items():
            if (node, pred, None) in g:
                raise UnsupportedShape(f"shape {name}: {what} is not supported")
        params: dict[rdflib.term.Node, list[rdflib.term.Node]] = {}
        for p, o in g.predicate_objects(node):
            if p in _CORE_PARAMETERS:
                params.setdefault(p, []).append(o)
        path_node = g.value(node, SH.path)
        path = None if path_node is None else parse_path(g, path_node, name)
        if path is None:
            for p in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape,
                      SH.lessThan, SH.lessThanOrEquals):
                if p in params:
                    raise UnsupportedShape(f"shape {name}: {p} needs sh:path (a property shape)")
        for p in (SH.minCount, SH.maxCount, SH.minLength, SH.maxLength, SH.qualifiedMinCount,
                  SH.qualifiedMaxCount):
            for v in params.get(p, []):
                if not (isinstance(v, Literal) and isinstance(v.toPython(), int)):
                    raise UnsupportedShape(f"shape {name}: {p} {v!r} is not an integer")
        for p in (SH.pattern, SH.flags):
            for v in params.get(p, []):
                if not isinstance(v, Literal):
                    raise UnsupportedShape(f"shape {name}: {p} must be a literal")
        for pattern in params.get(SH.pattern, []):
            try:
                _regex(str(pattern), str(g.value(node, SH.flags) or ""))
            except re.error as e:
                raise UnsupportedShape(f"shape {name}: sh:pattern {pattern!r}: {e}") from None
        for lst in params.get(SH.languageIn, []) + params.get(SH["in"], []) + params.get(
                SH.ignoredProperties, []):
            list_items(g, lst, name, "a list parameter")
        for c in params.get(SH.sparql, []):
            select = g.value(c, SH.select)
            if select is None:
                raise UnsupportedShape(
                    f"shape {name}: sh:sparql {c} has no sh:select (only SELECT-based "
                    f"SPARQL constraints are defined for sh:sparql)")
            if re.search(r"\$shapesGraph\b", str(select)):
                raise UnsupportedShape(f"shape {name}: $shapesGraph in a SPARQL constraint "
                                       f"(the shapes graph is not queryable)")
        severity = g.value(node, SH.severity)
        deactivated = g.value(node, SH.deactivated)
        targets: dict[str, list[Any]] = {
            "node": [rdflib_to_ox(t) for t in g.objects(node, SH.targetNode)],
            "class": [rdflib_to_ox(t) for t in g.objects(node, SH.targetClass)],
            "subjects": [rdflib_to_ox(t) for t in g.objects(node, SH.targetSubjectsOf)],
            "objects": [rdflib_to_ox(t) for t in g.objects(node, SH.targetObjectsOf)],
        }
        if is_class(g, node):
            targets["class"].append(rdflib_to_ox(node))
        return Shape(
            node=node, name=name, path=path,
            severity=str(severity) if severity is not None else SHNS + "Violation",
            messages=list(g.objects(node, SH.message)),
            deactivated=is_true(deactivated),
            params=params, targets=targets,
        )


def is_class(g: rdflib.Graph, node: rdflib.term.Node) -> bool:
    """Implicit class target: the shape is also an rdfs:Class (SHACL instance, so subclasses
    of rdfs:Class declared in the shapes graph such as owl:Class count)."""
    classes: set[rdflib.term.Node] = {RDFS.Class}
    todo = [RDFS.Class]
    while todo:
        for sub in g.subjects(RDFS.subClassOf, todo.pop()):
            if sub not in classes:
                classes.add(sub)
                todo.append(sub)
    if (OWL.Class, RDFS.subClassOf, RDFS.Class) in g:
        classes.add(OWL.Class)
    return any((node, RDF.type, c) in g for c in classes)


def _shape_nodes(g: rdflib.Graph) -> set[rdflib.term.Node]:
    """The shapes of a shapes graph (SHACL §2.1: typed, targeted, or the value of a
    shape-expecting parameter)."""
    nodes: set[rdflib.term.Node] = set()
    for cls in (SH.NodeShape, SH.PropertyShape):
        nodes.update(g.subjects(RDF.type, cls))
    for pred in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        nodes.update(g.subjects(pred, None))
    for pred in (SH.node, SH["not"], SH.property, SH.qualifiedValueShape):
        nodes.update(g.objects(None, pred))
    for pred in (SH["and"], SH["or"], SH.xone):
        for lst in g.objects(None, pred):
            if g.value(lst, RDF.first) is not None:
                nodes.update(Collection(g, lst))
    return {n for n in nodes if isinstance(n, URIRef | BNode)}


def has_targets(shape: Shape) -> bool:
    return any(shape.targets.values())


# ---------------------------------------------------------------------- evaluation
def _regex(pattern: str, flags: str) -> re.Pattern[str]:
    value = 0
    for f in flags:
        value |= {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE, "x": re.VERBOSE}.get(f, 0)
    if "q" in flags:
        pattern = re.escape(pattern)
    return re.compile(pattern, value)


def _to_rdflib(term: Term) -> rdflib.term.Node:
    return ox_to_rdflib(term, normalize=False)


logging.getLogger("rdflib.term").setLevel(logging.ERROR)  # ill-typed literals are our subject


def _well_formed(term: ox.Literal) -> bool:
    if term.language is not None:
        return True
    return cast(Literal, _to_rdflib(term)).ill_typed is not True


def _compare(value: Term, bound: Term, op: str) -> bool:
    """SPARQL ``value op bound`` on literal values; False when not comparable (SHACL: a
    violation)."""
    if not isinstance(value, ox.Literal) or not isinstance(bound, ox.Literal):
        return False
    if not _well_formed(value) or not _well_formed(bound):
        return False
    a = cast(Literal, _to_rdflib(value)).toPython()
    b = cast(Literal, _to_rdflib(bound)).toPython()
    numeric = (int, float, Decimal)
    if isinstance(a, bool) or isinstance(b, bool):
        if not (isinstance(a, bool) and isinstance(b, bool)):
            return False
    elif isinstance(a, numeric) and isinstance(b, numeric):
        if isinstance(a, Decimal) and isinstance(b, float):
            a = float(a)
        elif isinstance(b, Decimal) and isinstance(a, float):
            b = float(b)
    elif type(a) is not type(b):
        return False
    if isinstance(a, Literal) or isinstance(b, Literal):
        return False  # no Python value: rdflib does not know the datatype
    try:
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    except TypeError:  # e.g. a date-time with and one without a time zone
        return False


def _lang_matches(tag: str, ranges: list[str]) -> bool:
    tag = tag.lower()
    for r in ranges:
        r = r.lower()
        if r == "*" and tag:
            return True
        if tag == r or tag.startswith(r + "-"):
            return True
    return False


def is_true(node: rdflib.term.Node | None) -> bool:
    """SHACL's boolean parameters take effect only for ``true`` as written (``"1"^^xsd:boolean``
    is a distinct term and leaves the constraint inactive)."""
    return isinstance(node, Literal) and node.datatype == XSD.boolean and str(node) == "true"


def as_literal_graph(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """An rdflib graph of ``quads`` with every literal exactly as written (rdflib's parser
    would canonicalise ``"1"^^xsd:boolean`` to ``true``, which SHACL tells apart)."""
    g = rdflib.Graph()
    for q in quads:
        g.add((_to_rdflib(q.subject), _to_rdflib(q.predicate), _to_rdflib(q.object)))
    return g


def _as_int(node: rdflib.term.Node) -> int:
    return int(cast(Literal, node).toPython())


class Engine:
    """Evaluates shapes exactly (SHACL §2-§5 and SHACL-SPARQL §5) over a :class:`DataGraph`."""

    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes
        self.g = shapes.graph

    # -------------------------------------------------------------- targets
    def targets(self, data: DataGraph, shape: Shape) -> set[Term]:
        out: set[Term] = set(shape.targets["node"])
        extra = self.shapes.extra_subclasses
        for cls in shape.targets["class"]:
            out |= data.instances(cls, extra)
        for p in shape.targets["subjects"]:
            out |= data.subjects_with(p)
        for p in shape.targets["objects"]:
            out |= data.objects_with(p)
        return out

    def is_target(self, data: DataGraph, shape: Shape, node: Term) -> bool:
        if node in shape.targets["node"]:
            return True
        extra = self.shapes.extra_subclasses
        if any(data.is_instance(node, c, extra) for c in shape.targets["class"]):
            return True
        if any(data.objects(node, p) for p in shape.targets["subjects"]):
            return True
        return any(data.subjects(p, node) for p in shape.targets["objects"])

    def validate(self, data: DataGraph, shape_nodes: Iterable[rdflib.term.Node],
                 focus: set[Term] | None = None) -> list[Found]:
        """Results of ``shape_nodes`` on their targets (restricted to ``focus`` if given)."""
        found: list[Found] = []
        for node in shape_nodes:
            shape = self.shapes.get(node)
            if shape.deactivated:
                continue
            if focus is None:
                nodes = self.targets(data, shape)
            else:
                nodes = {n for n in focus if self.is_target(data, shape, n)}
            for n in sorted(nodes, key=str):
                found.extend(self.check(data, shape, n))
        return found

    # -------------------------------------------------------------- one focus node
    def conforms(self, data: DataGraph, node: rdflib.term.Node, focus: Term,
                 stack: tuple = ()) -> tuple[bool, list[Found]]:
        shape = self.shapes.get(node)
        if (node, focus) in stack:  # recursion: SHACL leaves it undefined; assume conformance
            return True, []
        results = self.check(data, shape, focus, stack + ((node, focus),))
        return not results, results

    def check(self, data: DataGraph, shape: Shape, focus: Term,
              stack: tuple = ()) -> list[Found]:
        """All results of validating ``focus`` against ``shape`` (SHACL §3.4)."""
        if shape.deactivated:
            return []
        values = {focus} if shape.path is None else data.values(focus, shape.path)
        out: list[Found] = []

        def fail(component: str, value: Term | None = None, constraint=None,
                 path: Path | None = shape.path, detail: list[Found] | None = None,
                 messages: list | None = None) -> None:
            out.append(Found(focus, path, value, shape.node, SHNS + component, shape.severity,
                             messages if messages is not None else shape.messages,
                             constraint, detail or []))

        p = shape.params
        g = self.g
        extra = self.shapes.extra_subclasses
        ordered = sorted(values, key=str)
        for cls in p.get(SH["class"], []):
            c = rdflib_to_ox(cls)
            for v in ordered:
                if not data.is_instance(v, c, extra):
                    fail("ClassConstraintComponent", v)
        for dt in p.get(SH.datatype, []):
            for v in ordered:
                if not _has_datatype(v, str(dt)):
                    fail("DatatypeConstraintComponent", v)
        for kind in p.get(SH.nodeKind, []):
            for v in ordered:
                if not _node_kind(v, kind):
                    fail("NodeKindConstraintComponent", v)
        for bound in p.get(SH.minCount, []):
            if len(values) < _as_int(bound):
                fail("MinCountConstraintComponent")
        for bound in p.get(SH.maxCount, []):
            if len(values) > _as_int(bound):
                fail("MaxCountConstraintComponent")
        for pred, op, name in ((SH.minExclusive, ">", "MinExclusive"),
                               (SH.minInclusive, ">=", "MinInclusive"),
                               (SH.maxExclusive, "<", "MaxExclusive"),
                               (SH.maxInclusive, "<=", "MaxInclusive")):
            for bound in p.get(pred, []):
                b = rdflib_to_ox(bound)
                for v in ordered:
                    if not _compare(v, b, op):
                        fail(f"{name}ConstraintComponent", v)
        for pred, name in ((SH.minLength, "MinLength"), (SH.maxLength, "MaxLength")):
            for bound in p.get(pred, []):
                n = _as_int(bound)
                for v in ordered:
                    if isinstance(v, ox.BlankNode):
                        fail(f"{name}ConstraintComponent", v)
                        continue
                    length = len(v.value)
                    if (length < n) if pred == SH.minLength else (length > n):
                        fail(f"{name}ConstraintComponent", v)
        flags = str(g.value(shape.node, SH.flags) or "")
        for pattern in p.get(SH.pattern, []):
            regex = _regex(str(pattern), flags)
            for v in ordered:
                if isinstance(v, ox.BlankNode) or not regex.search(v.value):
                    fail("PatternConstraintComponent", v)
        for lst in p.get(SH.languageIn, []):
            ranges = [str(t) for t in list_items(g, lst, shape.name, "sh:languageIn")]
            for v in ordered:
                if not (isinstance(v, ox.Literal) and v.language
                        and _lang_matches(v.language, ranges)):
                    fail("LanguageInConstraintComponent", v)
        for flag in p.get(SH.uniqueLang, []):
            if is_true(flag):
                tags: dict[str, int] = {}
                for v in values:
                    if isinstance(v, ox.Literal) and v.language:
                        tags[v.language.lower()] = tags.get(v.language.lower(), 0) + 1
                for _tag in sorted(t for t, n in tags.items() if n > 1):
                    fail("UniqueLangConstraintComponent")
        for equal in p.get(SH.equals, []):
            other = data.objects(focus, ox.NamedNode(str(equal)))
            for v in sorted(values ^ other, key=str):
                fail("EqualsConstraintComponent", v)
        for disjoint in p.get(SH.disjoint, []):
            other = data.objects(focus, ox.NamedNode(str(disjoint)))
            for v in sorted(values & other, key=str):
                fail("DisjointConstraintComponent", v)
        for pred, op, name in ((SH.lessThan, "<", "LessThan"),
                               (SH.lessThanOrEquals, "<=", "LessThanOrEquals")):
            for prop in p.get(pred, []):
                other = data.objects(focus, ox.NamedNode(str(prop)))
                for v in ordered:
                    for o in sorted(other, key=str):
                        if not _compare(v, o, op):
                            fail(f"{name}ConstraintComponent", v)
        for ref in p.get(SH["not"], []):
            for v in ordered:
                if self.conforms(data, ref, v, stack)[0]:
                    fail("NotConstraintComponent", v)
        for lst in p.get(SH["and"], []):
            members = list_items(g, lst, shape.name, "sh:and")
            for v in ordered:
                if not all(self.conforms(data, m, v, stack)[0] for m in members):
                    fail("AndConstraintComponent", v)
        for lst in p.get(SH["or"], []):
            members = list_items(g, lst, shape.name, "sh:or")
            for v in ordered:
                if not any(self.conforms(data, m, v, stack)[0] for m in members):
                    fail("OrConstraintComponent", v)
        for lst in p.get(SH.xone, []):
            members = list_items(g, lst, shape.name, "sh:xone")
            for v in ordered:
                if sum(self.conforms(data, m, v, stack)[0] for m in members) != 1:
                    fail("XoneConstraintComponent", v)
        for ref in p.get(SH.node, []):
            for v in ordered:
                ok, nested = self.conforms(data, ref, v, stack)
                if not ok:
                    fail("NodeConstraintComponent", v, detail=nested)
        for ref in p.get(SH.property, []):
            nested = self.shapes.get(ref)
            for v in ordered:
                if (ref, v) not in stack:
                    out.extend(self.check(data, nested, v, stack + ((ref, v),)))
        for ref in p.get(SH.qualifiedValueShape, []):
            self._qualified(data, shape, ref, ordered, stack, fail)
        for closed in p.get(SH.closed, []):
            if is_true(closed):
                self._closed(data, shape, focus, values, fail)
        for value in p.get(SH.hasValue, []):
            if rdflib_to_ox(value) not in values:
                fail("HasValueConstraintComponent")
        for lst in p.get(SH["in"], []):
            allowed = {rdflib_to_ox(m) for m in list_items(g, lst, shape.name, "sh:in")}
            for v in ordered:
                if v not in allowed:
                    fail("InConstraintComponent", v)
        for constraint in p.get(SH.sparql, []):
            out.extend(self._sparql(data, shape, constraint, focus))
        return out

    def _qualified(self, data, shape, ref, ordered, stack, fail) -> None:  # noqa: ANN001
        p, g = shape.params, self.g
        siblings: set[rdflib.term.Node] = set()
        disjoint = any(is_true(d) for d in p.get(SH.qualifiedValueShapesDisjoint, []))
        if disjoint:
            for parent in g.subjects(SH.property, shape.node):
                for sibling_prop in g.objects(parent, SH.property):
                    siblings.update(g.objects(sibling_prop, SH.qualifiedValueShape))
            siblings.discard(ref)
        count = 0
        for v in ordered:
            if not self.conforms(data, ref, v, stack)[0]:
                continue
            if any(self.conforms(data, s, v, stack)[0] for s in siblings):
                continue
            count += 1
        for bound in p.get(SH.qualifiedMinCount, []):
            if count < _as_int(bound):
                fail("QualifiedMinCountConstraintComponent")
        for bound in p.get(SH.qualifiedMaxCount, []):
            if count > _as_int(bound):
                fail("QualifiedMaxCountConstraintComponent")

    def _closed(self, data, shape, focus, values, fail) -> None:  # noqa: ANN001
        g = self.g
        allowed = set()
        for prop in g.objects(shape.node, SH.property):
            path = g.value(prop, SH.path)
            if isinstance(path, URIRef):
                allowed.add(str(path))
        for lst in shape.params.get(SH.ignoredProperties, []):
            allowed.update(str(m) for m in list_items(g, lst, shape.name, "sh:ignoredProperties"))
        for v in sorted(values, key=str):
            for pred, obj in sorted(data.triples_of(v), key=lambda t: (str(t[0]), str(t[1]))):
                if pred.value not in allowed:
                    fail("ClosedConstraintComponent", obj, path=Path("pred", pred.value))

    def _sparql(self, data: DataGraph, shape: Shape, constraint, focus: Term) -> list[Found]:  # noqa: ANN001
        g = self.g
        if is_true(g.value(constraint, SH.deactivated)):
            return []
        select = str(g.value(constraint, SH.select))
        if shape.path is not None:
            select = re.sub(r"\$PATH\b", shape.path.sparql(), select)
        prologue = prefixes(g, constraint)
        query = prologue + "\n" + re.sub(r"\$this\b", "?this", select)
        shape_term = shape.node
        if isinstance(shape_term, URIRef):
            query = re.sub(r"\$currentShape\b", f"<{shape_term}>", query)
        out = []
        messages = list(g.objects(constraint, SH.message)) or shape.messages
        rows = data.cache.get(query)
        if rows is None:  # one run per constraint and data graph, grouped by focus node
            rows = data.cache[query] = {}
            for row in data.store.query(query, use_default_graph_as_union=True):
                this = _binding(row, "this")
                if this is not None:
                    rows.setdefault(this, []).append(row)
        for row in rows.get(focus, []):
            value = _binding(row, "value")
            path_term = _binding(row, "path")
            path = shape.path
            if path_term is not None and isinstance(path_term, ox.NamedNode):
                path = Path("pred", path_term.value)
            if value is None and shape.path is None:
                value = focus
            msgs = [_fill(m, row) for m in messages]
            failure = _binding(row, "failure")
            if failure is not None and failure.value == "true":
                raise UnsupportedShape(f"shape {shape.name}: sh:sparql {constraint} reported "
                                       f"a failure")
            out.append(Found(focus, path, value, shape.node, SHNS + "SPARQLConstraintComponent",
                             shape.severity, msgs, constraint))
        return out


def _binding(row: ox.QuerySolution, name: str) -> Term | None:
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


def _fill(message: rdflib.term.Node, row: ox.QuerySolution) -> rdflib.term.Node:
    text = str(message)

    def sub(m: re.Match[str]) -> str:
        bound = _binding(row, m.group(1))
        return m.group(0) if bound is None else bound.value

    filled = re.sub(r"\{[?$](\w+)\}", sub, text)
    if filled == text:
        return message
    return Literal(filled, lang=getattr(message, "language", None))


def prefixes(g: rdflib.Graph, constraint: rdflib.term.Node) -> str:
    """The PREFIX declarations of a SPARQL-based constraint (``sh:prefixes``/``sh:declare``)."""
    lines = []
    for ontology in g.objects(constraint, SH.prefixes):
        for decl in g.objects(ontology, SH.declare):
            prefix = g.value(decl, SH.prefix)
            namespace = g.value(decl, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def _has_datatype(v: Term, dt: str) -> bool:
    if not isinstance(v, ox.Literal):
        return False
    if v.language:
        return dt == _LANGSTRING
    if v.datatype.value != dt:
        return False
    return _well_formed(v)


def _node_kind(v: Term, kind: rdflib.term.Node) -> bool:
    iri, blank, lit = (isinstance(v, ox.NamedNode), isinstance(v, ox.BlankNode),
                       isinstance(v, ox.Literal))
    kinds: dict[rdflib.term.Node, bool] = {
        SH.IRI: iri, SH.BlankNode: blank, SH.Literal: lit, SH.BlankNodeOrIRI: blank or iri,
        SH.BlankNodeOrLiteral: blank or lit, SH.IRIOrLiteral: iri or lit,
    }
    return kinds.get(kind, False)
