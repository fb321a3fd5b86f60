"""SHACL shapes compiled to set-oriented SPARQL queries that run inside Oxigraph.

pySHACL walks every focus node in Python; at millions of triples that is far slower than the
load itself. Here every (shape, constraint) pair becomes ONE SELECT over the union graph that
returns all violating ``(?this, ?value)`` pairs at once, restricted to the focus nodes of a load
by a ``VALUES ?this`` block. The compiler translates the subset of SHACL that Corridor's own
shapes use, and only where the translation is exact; any other shape is handed, whole, to the
exact engine (:mod:`corridor.validation.engine`, see ``CompiledShapes.fallback``), so nothing
goes unchecked and the bundled shapes keep the set-oriented speed:

* targets: ``sh:targetClass`` (with ``rdfs:subClassOf`` closure) and implicit class targets,
  ``sh:targetNode`` (IRIs), ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``
* property shapes (``sh:property``, or with their own targets) with a predicate or
  ``sh:inversePath`` path; IRI or blank-node shapes
* ``sh:or`` of ``[ sh:datatype D ]`` alternatives
* ``sh:qualifiedValueShape [ sh:languageIn (...) ]`` with ``sh:qualifiedMinCount 1``
* ``sh:minCount sh:maxCount sh:datatype sh:class sh:nodeKind sh:pattern (sh:flags)
  sh:minInclusive sh:maxInclusive sh:minExclusive sh:maxExclusive sh:minLength sh:maxLength
  sh:languageIn sh:uniqueLang sh:in sh:hasValue`` and SPARQL-based constraints (``sh:sparql``)
* ``sh:severity``, ``sh:message`` (without one: the component's default), ``sh:deactivated``

The results equal pySHACL's on Corridor's shapes (tests/validation/test_equivalence.py) and the
W3C's on every SHACL Core case whose shapes it takes (tests/validation/test_w3c_core.py); the
places where the two
engines could differ are handled explicitly (ill-typed literals, term vs value equality,
comparison errors) and noted beside the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib import URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import XSDToPython

from corridor.rdf.terms import term_to_plain
from corridor.store import QUERY_THREADS, ReadView
from corridor.validation.engine import is_class, is_true, prefixes
from corridor.validation.paths import parse_path
from corridor.validation.report import Result, default_message, focus_text, term_to_nt

SHNS = str(SH)
# from this many focus nodes on, a validation's queries are big enough to run on several threads
PARALLEL_FOCUS = 1000
RDF_TYPE = str(RDF.type)
SUBCLASS = str(RDFS.subClassOf)

# Datatypes whose lexical form rdflib checks (Literal.ill_typed), and the SPARQL cast that
# checks it in Oxigraph. For other datatypes pySHACL only compares the datatype IRI.
_WELL_FORMED_CASTS = {
    str(XSD.date), str(XSD.dateTime), str(XSD.decimal), str(XSD.integer), str(XSD.boolean),
    str(XSD.double), str(XSD.float), str(XSD.duration), str(XSD.dayTimeDuration),
    str(XSD.yearMonthDuration),
}

# Datatypes whose literals Oxigraph re-types on storage when their lexical form is an integer:
# a stored literal still typed with one of them is therefore ill-formed.
_RETYPED_INTEGERS = {
    str(XSD[n]) for n in ("nonPositiveInteger", "long", "nonNegativeInteger", "negativeInteger",
                          "int", "unsignedLong", "positiveInteger", "short", "unsignedInt",
                          "byte", "unsignedShort", "unsignedByte")
}

_SUPPORTED = {
    SH.path, SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH.pattern,
    SH.flags, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
    SH.minLength, SH.maxLength, SH.languageIn, SH.uniqueLang, SH["in"], SH.hasValue,
    SH.severity, SH.message, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
    SH.property, SH.sparql, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
    SH.targetObjectsOf, RDF.type, RDFS.label, RDFS.comment, SH.defaultValue, SH["or"],
    SH.qualifiedValueShape, SH.qualifiedMinCount,
}

_COMPARATORS = {
    SH.minInclusive: (">=", "MinInclusive"),
    SH.maxInclusive: ("<=", "MaxInclusive"),
    SH.minExclusive: (">", "MinExclusive"),
    SH.maxExclusive: ("<", "MaxExclusive"),
}

_NODE_KIND_TESTS = {
    SH.IRI: "isIRI(?value)",
    SH.Literal: "isLiteral(?value)",
    SH.BlankNode: "isBlank(?value)",
    SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
    SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
    SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))",
}


class NotCompilable(Exception):
    """A shape uses SHACL the compiler cannot translate exactly: the exact engine
    (:mod:`corridor.validation.engine`) evaluates that shape instead."""


def _nt(term: rdflib.term.Node) -> str:
    return term_to_nt(term)


def _sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _english_first(messages: list[rdflib.term.Node]) -> list[rdflib.term.Node]:
    return sorted(messages, key=lambda m: (getattr(m, "language", None) not in (None, "en"),
                                           str(m)))


def _english_message(g: rdflib.Graph, node: rdflib.term.Node) -> str | None:
    messages = _english_first(list(g.objects(node, SH.message)))
    return str(messages[0]) if messages else None


@dataclass
class Check:
    """One constraint of one shape; produces results (see ``kind``).

    Kinds, each run as set-oriented SELECTs (checks of one kind and shape share a query):

    * ``value``: ``condition`` is true for a violating ``?value`` reached by ``pattern``;
    * ``missing``: ``condition`` is true for a violating focus node ``?this`` (minCount 1,
      hasValue, qualified counts); no value;
    * ``group``: ``pattern`` is a grouped SELECT body with ``having``; no value;
    * ``sparql``: ``user_select`` is the constraint's SELECT ($this renamed ?this).
    """

    shape: str
    component: str
    severity: str
    message: str
    path: str | None
    kind: str
    pattern: str = ""
    condition: str = ""
    having: str | None = None
    group_by: str = ""
    user_select: str | None = None
    prologue: str = ""
    constraint: str | None = None  # the sh:sparql node (sh:sourceConstraint)
    language: str | None = None  # of the message

    @property
    def has_value(self) -> bool:
        return self.kind in ("value", "sparql")


@dataclass
class Target:
    classes: list[str] = field(default_factory=list)
    nodes: list[rdflib.term.Node] = field(default_factory=list)
    subjects_of: list[str] = field(default_factory=list)
    objects_of: list[str] = field(default_factory=list)


@dataclass
class CompiledShape:
    node: rdflib.term.Node
    target: Target
    checks: list[Check]


@dataclass
class CompiledShapes:
    """All shapes, ready to run against any Oxigraph store."""

    shapes: list[CompiledShape]
    ontology_subclasses: list[tuple[str, str]]
    fallback: list[rdflib.term.Node] = field(default_factory=list)

    def queries(self, store: ReadView, focus: list[str] | None) -> list[tuple[str, list[Check]]]:
        """The SELECTs to run, each with the checks whose results it returns."""
        closure = _subclass_closure(self.ontology_subclasses + _store_subclasses(store))
        focus_values = ""
        members_of = None if focus is None else _FocusMembers(store, focus)
        out = []
        for shape in self.shapes:
            target = _target_pattern(shape.target, closure)
            if target is None:
                continue
            member = _membership(shape.target, closure)
            if members_of is not None:
                # start from the focus nodes that are targets: the checks then do index
                # lookups from a bound ?this instead of enumerating the whole target first
                members = members_of.of(shape.target, closure)
                if not members:
                    continue
                focus_values = "VALUES ?this { " + " ".join(members) + " }"
                target = ""
            # few targets (or a focus): start from them; many: start from the data and keep
            # only violators, so a valid graph costs one scan per predicate
            target_first = focus is not None or _is_small(store, target)
            by_pattern: dict[str, list[Check]] = {}
            missing: list[Check] = []
            for check in shape.checks:
                if check.kind == "value":
                    by_pattern.setdefault(check.pattern, []).append(check)
                elif check.kind == "missing":
                    missing.append(check)
                else:
                    out.append((_single_query(check, target, member, focus_values,
                                              target_first), [check]))
            for pattern, checks in by_pattern.items():
                out.append((_value_query(pattern, checks, target, member, focus_values, closure,
                                         target_first), checks))
            flagged = [c for c in missing if not c.condition.startswith("NOT EXISTS ")]
            for check in missing:
                if check.condition.startswith("NOT EXISTS "):  # hash anti-join: MINUS
                    absent = _with_classes(check.condition.removeprefix("NOT EXISTS "), closure)
                    if focus is not None:  # few bound nodes: a lookup each beats a scan
                        query = (f"SELECT ?this WHERE {{ {focus_values} "
                                 f"FILTER NOT EXISTS {absent} }}")
                    else:
                        query = f"SELECT ?this WHERE {{ {target} MINUS {absent} }}"
                    out.append((query, [check]))
            if flagged:
                out.append((_missing_query(flagged, target, focus_values, closure), flagged))
        return out

    def run(self, store: ReadView, focus: list[str] | None) -> list[Result]:
        """Every violation of the compiled shapes on ``store`` (``focus``: those nodes only).

        The queries are independent and Oxigraph evaluates them without the GIL, so the big
        ones (the whole store, or a large focus) run on one thread per core: a bulk import's
        check is twice as fast on two cores. A small focus stays on this thread, where its
        sub-millisecond queries would lose more to handing the GIL over than they gain.
        The results are the same set in the same order either way.
        """
        # one result per constraint and (focus, value): two constraints of a shape that fail
        # alike give two results, as SHACL says; duplicate rows of one constraint give one
        planned = self.queries(store, focus)

        def violations(item: tuple[str, list[Check]]) -> set[tuple[int, Result, str | None]]:
            query, checks = item
            found = set()
            rows = store.query(query, use_default_graph_as_union=True)
            try:
                for row in rows:
                    for i, check in enumerate(checks):
                        if len(checks) == 1 or row[f"f{i}"].value == "true":
                            found.add((id(check), _result(check, row), _lang_of(row)))
            finally:
                # dropped on this thread, even when an error's traceback travels on: pyoxigraph's
                # result iterators may not be dropped by another thread
                del rows
            return found

        workers = min(QUERY_THREADS, len(planned))
        if workers <= 1 or (focus is not None and len(focus) < PARALLEL_FOCUS):
            parts = [violations(item) for item in planned]
        else:
            with ThreadPoolExecutor(workers, thread_name_prefix="corridor-shacl") as pool:
                parts = list(pool.map(violations, planned))
        results = set().union(*parts)
        return sorted((r for _, r, _ in results), key=Result.sort_key)


# ---------------------------------------------------------------------- compiling
def compile_shapes(
    shapes: rdflib.Graph, ontology: rdflib.Graph, nodes: Iterable[rdflib.term.Node] | None = None
) -> CompiledShapes:
    """Translate the given shapes (default: every node shape with targets) into SPARQL checks.

    A shape the compiler cannot translate exactly is listed in ``fallback`` instead (for the
    exact engine); its checks are not in the plan.
    """
    compiled, fallback = [], []
    if nodes is None:
        found = set(shapes.subjects(RDF.type, SH.NodeShape))
        for pred in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            found.update(shapes.subjects(pred, None))
        nodes = found
    languages: dict[str, str | None] = {}  # a message's language tag (English first)
    for m in _english_first(list(shapes.objects(None, SH.message))):
        languages.setdefault(str(m), getattr(m, "language", None))
    for node in sorted(nodes, key=str):
        if _deactivated(shapes, node):
            continue
        try:
            shape = _compile_shape(shapes, node)
        except NotCompilable:
            fallback.append(node)
            continue
        for check in shape.checks:
            check.language = languages.get(check.message)
        compiled.append(shape)
    subclasses = [
        (str(s), str(o))
        for s, o in ontology.subject_objects(RDFS.subClassOf)
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    ]
    subclasses += [
        (str(s), str(o))
        for s, o in shapes.subject_objects(RDFS.subClassOf)
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    ]
    return CompiledShapes(compiled, subclasses, fallback)


def _compile_shape(shapes: rdflib.Graph, node: rdflib.term.Node) -> CompiledShape:
    target = _parse_target(shapes, node)
    if shapes.value(node, SH.path) is not None:  # a property shape with its own targets
        return CompiledShape(node, target, _property_checks(shapes, node))
    checks = _node_checks(shapes, node)
    for prop in shapes.objects(node, SH.property):
        if not _deactivated(shapes, prop):
            checks.extend(_property_checks(shapes, prop))
    return CompiledShape(node, target, checks)


def _deactivated(g: rdflib.Graph, node: rdflib.term.Node) -> bool:
    return is_true(g.value(node, SH.deactivated))


def _severity(g: rdflib.Graph, node: rdflib.term.Node) -> str:
    return str(g.value(node, SH.severity) or SH.Violation)


def _parse_target(g: rdflib.Graph, node: rdflib.term.Node) -> Target:
    if any(not isinstance(t, URIRef) for t in g.objects(node, SH.targetNode)):
        raise NotCompilable(f"literal or blank-node target nodes ({node})")
    implicit = [str(node)] if is_class(g, node) and isinstance(node, URIRef) else []
    return Target(
        classes=[str(c) for c in g.objects(node, SH.targetClass)] + implicit,
        nodes=list(g.objects(node, SH.targetNode)),
        subjects_of=[str(p) for p in g.objects(node, SH.targetSubjectsOf)],
        objects_of=[str(p) for p in g.objects(node, SH.targetObjectsOf)],
    )


def _int(node: rdflib.term.Node) -> int:
    """The integer an ``sh:minCount``-like literal states."""
    if not isinstance(node, rdflib.Literal):
        raise NotCompilable(f"{node} is not an integer literal")
    return int(str(node))


def _check_supported(g: rdflib.Graph, node: rdflib.term.Node) -> None:
    for p in set(g.predicates(node, None)):
        if str(p).startswith(SHNS) and p not in _SUPPORTED:
            raise NotCompilable(f"{p} on {node} is not supported by the SPARQL compiler")


def _node_checks(g: rdflib.Graph, node: rdflib.term.Node) -> list[Check]:
    """Constraints on the focus node itself (value node = focus node)."""
    _check_supported(g, node)
    shape = term_to_plain(node)
    severity = _severity(g, node)
    message = _english_message(g, node)
    checks = [
        Check(shape, component, severity, _need(message, node), None, "value",
              pattern=_NODE_VALUE, condition=condition)
        for component, condition in _value_conditions(g, node)
    ]
    checks.extend(_node_level_checks(g, node, shape, severity, message, value_pattern=None))
    for constraint in g.objects(node, SH.sparql):
        if not _deactivated(g, constraint):
            checks.append(_sparql_check(g, node, constraint, shape, severity, path=None))
    return checks


_NODE_VALUE = "BIND(?this AS ?value)"


def _property_checks(g: rdflib.Graph, prop: rdflib.term.Node) -> list[Check]:
    _check_supported(g, prop)
    if (prop, SH.property, None) in g:
        raise NotCompilable(f"sh:property inside a property shape ({prop})")
    shape = term_to_plain(prop)
    severity = _severity(g, prop)
    message = _need(_english_message(g, prop), prop)
    path_node = g.value(prop, SH.path)
    if path_node is None:
        raise NotCompilable(f"the property shape {prop} has no sh:path")
    path = parse_path(g, path_node, str(prop))
    if path.kind == "pred":
        path_text, value_pattern = path.iri, f"?this <{path.iri}> ?value ."
    elif path.kind == "inv" and path.parts[0].kind == "pred":
        inverse = path.parts[0].iri
        path_text, value_pattern = f"^<{inverse}>", f"?value <{inverse}> ?this ."
    else:
        raise NotCompilable(f"only predicate and inverse paths are compiled ({prop})")
    checks = [
        Check(shape, component, severity, message, path_text, "value",
              pattern=value_pattern, condition=condition)
        for component, condition in _value_conditions(g, prop)
    ]
    checks.extend(_node_level_checks(g, prop, shape, severity, message, value_pattern, path_text))
    for constraint in g.objects(prop, SH.sparql):
        if not _deactivated(g, constraint):
            checks.append(_sparql_check(g, prop, constraint, shape, severity, path=path_text))
    return checks


def _need(message: str | None, node: rdflib.term.Node) -> str:
    """The shape's message, or "" for the component's default (see ``_result``)."""
    return message or ""


def _value_conditions(g: rdflib.Graph, node: rdflib.term.Node) -> list[tuple[str, str]]:
    """(component, expression) pairs; the expression is true for a violating ``?value``."""
    out = []
    for dt in g.objects(node, SH.datatype):
        out.append((SHNS + "DatatypeConstraintComponent", f"!({_datatype_test(str(dt))})"))
    for cls in g.objects(node, SH["class"]):
        out.append((SHNS + "ClassConstraintComponent",
                    f"NOT EXISTS {{ ?value a ?vt . {{CLASS:{cls}}} }}"))
    for kind in g.objects(node, SH.nodeKind):
        test = _NODE_KIND_TESTS[URIRef(str(kind))]
        out.append((SHNS + "NodeKindConstraintComponent", f"!{test}"))
    for pattern in g.objects(node, SH.pattern):
        flags = g.value(node, SH.flags)
        args = _sparql_string(str(pattern)) + (f", {_sparql_string(str(flags))}" if flags else "")
        out.append((SHNS + "PatternConstraintComponent",
                    f"isBlank(?value) || !regex(str(?value), {args})"))
    for pred, (op, name) in _COMPARATORS.items():
        for bound in g.objects(node, pred):
            # a comparison error (e.g. an IRI or another datatype) is a violation in pySHACL
            out.append((SHNS + f"{name}ConstraintComponent",
                        f"!COALESCE(?value {op} {_nt(bound)}, false)"))
    for bound in g.objects(node, SH.minLength):
        out.append((SHNS + "MinLengthConstraintComponent",
                    f"isBlank(?value) || STRLEN(str(?value)) < {_int(bound)}"))
    for bound in g.objects(node, SH.maxLength):
        out.append((SHNS + "MaxLengthConstraintComponent",
                    f"isBlank(?value) || STRLEN(str(?value)) > {_int(bound)}"))
    for lst in g.objects(node, SH.languageIn):
        tags = [str(t) for t in Collection(g, lst)]
        ok = " || ".join(f"langMatches(lang(?value), {_sparql_string(t)})" for t in tags) or "false"
        out.append((SHNS + "LanguageInConstraintComponent",
                    f"!isLiteral(?value) || !({ok})"))
    for lst in g.objects(node, SH["or"]):
        alternatives = []
        for member in Collection(g, lst):
            datatypes = list(g.objects(member, SH.datatype))
            others = set(g.predicates(member, None)) - {SH.datatype, RDF.type}
            if len(datatypes) != 1 or others:
                raise NotCompilable(f"sh:or supports only [ sh:datatype D ] members ({node})")
            alternatives.append(f"({_datatype_test(str(datatypes[0]))})")
        out.append((SHNS + "OrConstraintComponent",
                    f"!({' || '.join(alternatives) or 'false'})"))
    for lst in g.objects(node, SH["in"]):
        members = list(Collection(g, lst))
        ok = " || ".join(f"sameTerm(?value, {_nt(m)})" for m in members) or "false"
        out.append((SHNS + "InConstraintComponent", f"!({ok})"))
    return out


def _datatype_test(dt: str) -> str:
    """SPARQL test that ?value is a literal of datatype ``dt`` (and well-formed where checked)."""
    test = f"isLiteral(?value) && datatype(?value) = <{dt}>"
    if dt == str(RDF.langString):
        return "isLiteral(?value) && lang(?value) != \"\""
    if dt in _WELL_FORMED_CASTS:
        test += f" && COALESCE(<{dt}>(?value) = ?value, false)"
    elif dt in _RETYPED_INTEGERS:
        return "false"
    elif XSDToPython.get(URIRef(dt)) is not None:  # a lexical check SPARQL cannot do
        raise NotCompilable(f"well-formedness of {dt} literals")
    return test


def _node_level_checks(
    g: rdflib.Graph,
    node: rdflib.term.Node,
    shape: str,
    severity: str,
    message: str | None,
    value_pattern: str | None,
    path_text: str | None = None,
) -> list[Check]:
    """Constraints with one result per focus node (counts, hasValue, uniqueLang)."""
    checks = []
    if value_pattern is None:
        for p in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape):
            if g.value(node, p) is not None:
                raise NotCompilable(f"{p} needs a path ({node})")
        for value in g.objects(node, SH.hasValue):
            checks.append(Check(shape, SHNS + "HasValueConstraintComponent", severity,
                                _need(message, node), None, "missing",
                                condition=f"!sameTerm(?this, {_nt(value)})"))
        return checks
    msg = _need(message, node)
    min_count = g.value(node, SH.minCount)
    if min_count is not None and _int(min_count) == 1:
        checks.append(Check(shape, SHNS + "MinCountConstraintComponent", severity, msg,
                            path_text, "missing", condition=f"NOT EXISTS {{ {value_pattern} }}"))
    elif min_count is not None and _int(min_count) > 1:
        checks.append(Check(shape, SHNS + "MinCountConstraintComponent", severity, msg,
                            path_text, "group", pattern=f"OPTIONAL {{ {value_pattern} }}",
                            having=f"COUNT(DISTINCT ?value) < {_int(min_count)}",
                            group_by="target"))
    max_count = g.value(node, SH.maxCount)
    if max_count is not None:
        checks.append(Check(shape, SHNS + "MaxCountConstraintComponent", severity, msg,
                            path_text, "group", pattern=value_pattern,
                            having=f"COUNT(DISTINCT ?value) > {_int(max_count)}"))
    for value in g.objects(node, SH.hasValue):
        condition = f"NOT EXISTS {{ {value_pattern.replace('?value', _nt(value))} }}"
        checks.append(Check(shape, SHNS + "HasValueConstraintComponent", severity, msg,
                            path_text, "missing", condition=condition))
    for qualified in g.objects(node, SH.qualifiedValueShape):
        checks.append(_qualified_check(g, node, qualified, shape, severity, msg, value_pattern,
                                       path_text))
    unique = g.value(node, SH.uniqueLang)
    if is_true(unique):
        checks.append(Check(shape, SHNS + "UniqueLangConstraintComponent", severity, msg,
                            path_text, "group",
                            pattern=f'{value_pattern} FILTER(lang(?value) != "")',
                            having="COUNT(DISTINCT ?value) > 1",
                            group_by="(LCASE(lang(?value)) AS ?lang)"))
    return checks


def _qualified_check(
    g: rdflib.Graph,
    node: rdflib.term.Node,
    qualified: rdflib.term.Node,
    shape: str,
    severity: str,
    message: str,
    value_pattern: str,
    path_text: str | None,
) -> Check:
    """"At least one value has one of these language tags" (e.g. an English label)."""
    languages = g.value(qualified, SH.languageIn)
    others = set(g.predicates(qualified, None)) - {SH.languageIn, RDF.type}
    minimum = g.value(node, SH.qualifiedMinCount)
    if languages is None or others or minimum is None or _int(minimum) != 1:
        raise NotCompilable(
            f"sh:qualifiedValueShape supports [ sh:languageIn (...) ] with qualifiedMinCount 1 "
            f"({node})"
        )
    tags = [str(t) for t in Collection(g, languages)]
    ok = " || ".join(f"langMatches(lang(?value), {_sparql_string(t)})" for t in tags) or "false"
    condition = f"NOT EXISTS {{ {value_pattern} FILTER(isLiteral(?value) && ({ok})) }}"
    return Check(shape, SHNS + "QualifiedMinCountConstraintComponent", severity, message,
                 path_text, "missing", condition=condition)


_THIS = re.compile(r"\$this\b")


def _sparql_check(
    g: rdflib.Graph,
    shape_node: rdflib.term.Node,
    constraint: rdflib.term.Node,
    shape: str,
    severity: str,
    path: str | None,
) -> Check:
    select = str(g.value(constraint, SH.select))
    if "$PATH" in select or "?PATH" in select:
        raise NotCompilable("$PATH in SPARQL constraints is not supported")
    message = _english_message(g, constraint) or _need(_english_message(g, shape_node), shape_node)
    if re.search(r"\{[?$]\w+\}", message):
        raise NotCompilable(f"message templates are not supported ({constraint})")
    return Check(shape, SHNS + "SPARQLConstraintComponent", severity, message, path, "sparql",
                 user_select=_THIS.sub("?this", select), prologue=prefixes(g, constraint),
                 constraint=term_to_plain(constraint))


def _store_subclasses(store: ReadView) -> list[tuple[str, str]]:
    rows = store.query(
        f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{SUBCLASS}> ?o FILTER(isIRI(?s) && isIRI(?o)) }}",
        use_default_graph_as_union=True,
    )
    return [(r["s"].value, r["o"].value) for r in rows]


def _subclass_closure(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """class → itself and all its (transitive) subclasses."""
    children: dict[str, set[str]] = {}
    for sub, sup in pairs:
        children.setdefault(sup, set()).add(sub)

    def descend(cls: str) -> set[str]:
        seen, todo = {cls}, [cls]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    return _LazyClosure(descend)


class _LazyClosure(dict):
    def __init__(self, descend) -> None:  # noqa: ANN001 - private helper
        super().__init__()
        self._descend = descend

    def __missing__(self, cls: str) -> set[str]:
        value = self[cls] = self._descend(cls)
        return value


def _class_values(var: str, classes: Iterable[str]) -> str:
    return f"VALUES {var} {{ " + " ".join(f"<{c}>" for c in sorted(classes)) + " }"


def _target_pattern(target: Target, closure: dict[str, set[str]]) -> str | None:
    branches = []
    if target.classes:
        classes = set().union(*(closure[c] for c in target.classes))
        branches.append(f"?this a ?cls . {_class_values('?cls', classes)}")
    if target.nodes:
        branches.append("VALUES ?this { " + " ".join(_nt(n) for n in target.nodes) + " }")
    branches += [f"?this <{p}> ?tgt ." for p in target.subjects_of]
    branches += [f"?tgt <{p}> ?this ." for p in target.objects_of]
    if not branches:
        return None
    union = " UNION ".join("{ " + b + " }" for b in branches)
    return "{ SELECT DISTINCT ?this WHERE { " + union + " } }"


_CLASS_HOOK = re.compile(r"\{CLASS:([^}]*)\}")
_SELECT_WHERE = re.compile(r"\bSELECT\b[^{}]*?\bWHERE\s*\{", re.IGNORECASE)


def _membership(target: Target, closure: dict[str, set[str]]) -> str:
    """A FILTER expression: ``?this`` is a target of the shape (checked for violators only)."""
    tests = []
    if target.classes:
        classes = set().union(*(closure[c] for c in target.classes))
        tests.append(f"EXISTS {{ ?this a ?cls . {_class_values('?cls', classes)} }}")
    if target.nodes:
        tests.append("?this IN (" + ", ".join(_nt(n) for n in target.nodes) + ")")
    tests += [f"EXISTS {{ ?this <{p}> ?tgt }}" for p in target.subjects_of]
    tests += [f"EXISTS {{ ?tgt <{p}> ?this }}" for p in target.objects_of]
    return " || ".join(tests)


def _with_classes(text: str, closure: dict[str, set[str]]) -> str:
    return _CLASS_HOOK.sub(lambda m: _class_values("?vt", closure[m.group(1)]), text)


class _FocusMembers:
    """Which focus nodes are targets of a shape, from what the focus nodes are: their types
    read once, the subjects and objects of a target predicate once per predicate — instead of
    one query per shape testing every focus node (20,000 nodes: ~1.3 s a shape)."""

    def __init__(self, store: ReadView, focus: list[str]) -> None:
        self._store = store
        self._values = "VALUES ?this { " + " ".join(f"<{f}>" for f in focus) + " }"
        self._terms = {f"<{f}>" for f in focus}
        self._types: dict[str, set[str]] = {}
        for row in self._query(f"SELECT ?this ?cls WHERE {{ {self._values} ?this a ?cls }}"):
            self._types.setdefault(str(row["this"]), set()).add(row["cls"].value)
        self._linked: dict[tuple[str, str], set[str]] = {}

    def _query(self, sparql: str) -> ox.QuerySolutions:
        return self._store.query(sparql, use_default_graph_as_union=True)

    def _linked_by(self, predicate: str, direction: str) -> set[str]:
        key = (predicate, direction)
        if key not in self._linked:
            pattern = (f"?this <{predicate}> ?x" if direction == "subject"
                       else f"?x <{predicate}> ?this")
            rows = self._query(f"SELECT DISTINCT ?this WHERE {{ {self._values} {pattern} }}")
            self._linked[key] = {str(row["this"]) for row in rows}
        return self._linked[key]

    def of(self, target: Target, closure: dict[str, set[str]]) -> list[str]:
        """The shape's focus nodes as SPARQL terms, sorted."""
        found: set[str] = set()
        if target.classes:
            classes = set().union(*(closure[c] for c in target.classes))
            found.update(t for t, types in self._types.items() if types & classes)
        if target.nodes:
            found.update(self._terms & {_nt(n) for n in target.nodes})
        for p in target.subjects_of:
            found |= self._linked_by(p, "subject")
        for p in target.objects_of:
            found |= self._linked_by(p, "object")
        return sorted(found)


SMALL_TARGET = 2000


def _is_small(store: ReadView, target: str) -> bool:
    rows = store.query(f"SELECT ?this WHERE {{ {target} }} LIMIT {SMALL_TARGET}",
                       use_default_graph_as_union=True)
    return sum(1 for _ in rows) < SMALL_TARGET


def _value_query(
    pattern: str, checks: list[Check], target: str, member: str, focus: str,
    closure: dict[str, set[str]], target_first: bool,
) -> str:
    """Values of the targets that violate; data first (targets checked for violators only)
    unless ``target_first``."""
    flags = " ".join(
        f"BIND(COALESCE({_with_classes(c.condition, closure)}, false) AS ?f{i})"
        for i, c in enumerate(checks)
    )
    any_flag = " || ".join(f"?f{i}" for i in range(len(checks)))
    names = " ".join(f"?f{i}" for i in range(len(checks)))
    if pattern == _NODE_VALUE or target_first:
        return (f"SELECT ?this ?value {names} WHERE {{ {focus} {target} {pattern} {flags} "
                f"FILTER({any_flag}) }}")
    # conditions depend on the value only: test each distinct value once, then join back
    values = pattern.replace("?this", "?anyNode")
    return (f"SELECT ?this ?value {names} WHERE {{ "
            f"{{ SELECT ?value {names} WHERE {{ {{ SELECT DISTINCT ?value WHERE {{ {values} }} }} "
            f"{flags} FILTER({any_flag}) }} }} "
            f"{pattern} FILTER({member}) }}")


def _missing_query(
    checks: list[Check], target: str, focus: str, closure: dict[str, set[str]]
) -> str:
    """Target first: one pass over the focus nodes, one flag per constraint."""
    flags = " ".join(
        f"BIND(COALESCE({_with_classes(c.condition, closure)}, false) AS ?f{i})"
        for i, c in enumerate(checks)
    )
    any_flag = " || ".join(f"?f{i}" for i in range(len(checks)))
    names = " ".join(f"?f{i}" for i in range(len(checks)))
    return f"SELECT ?this {names} WHERE {{ {focus} {target} {flags} FILTER({any_flag}) }}"


def _single_query(
    check: Check, target: str, member: str, focus: str, target_first: bool
) -> str:
    if check.kind == "sparql":
        select = check.user_select or ""
        if focus:  # restrict every (sub)select that projects ?this to the focus nodes
            select = _SELECT_WHERE.sub(
                lambda m: m.group(0) + (" " + focus + " " if "?this" in m.group(0) else ""),
                select,
            )
        return (f"{check.prologue}\nSELECT DISTINCT ?this ?value ?path WHERE {{ "
                f"{{ {select} }} FILTER({member}) }}")
    if check.group_by == "target" or (target_first and check.group_by == ""):
        return (f"SELECT ?this WHERE {{ {focus} {target} {check.pattern} }} "
                f"GROUP BY ?this HAVING ({check.having})")
    group = f"?this {check.group_by}".strip()
    keys = "?this ?lang" if "?lang" in check.group_by else "?this"  # uniqueLang: one per tag
    if target_first:
        return (f"SELECT DISTINCT {keys} WHERE {{ {focus} {target} {check.pattern} }} "
                f"GROUP BY {group} HAVING ({check.having})")
    return (f"SELECT DISTINCT {keys} WHERE {{ {{ SELECT {keys} WHERE {{ {focus} "
            f"{check.pattern} }} GROUP BY {group} HAVING ({check.having}) }} FILTER({member}) }}")


def _lang_of(row: ox.QuerySolution) -> str | None:
    """The ``?lang`` of a uniqueLang row (its results are one per duplicated tag)."""
    try:
        lang = row["lang"]
    except (KeyError, IndexError):
        return None
    return None if lang is None else lang.value


def _result(check: Check, row: ox.QuerySolution) -> Result:
    this = row["this"]
    focus = focus_text(this)
    value = None
    path = check.path
    if check.has_value:
        bound = row["value"]
        if check.kind == "sparql":
            # pySHACL: an unbound ?value of a node-shape constraint is the focus node
            if bound is None and check.path is None:
                bound = this
            path_term = row["path"]
            if path_term is not None and check.path is None:
                path = path_term.value
        value = None if bound is None else str(bound)
    message = check.message or default_message(check.component)
    return Result(focus, path, value, check.shape, check.component, check.severity, message,
                  constraint=check.constraint, language=check.language if check.message else None)
