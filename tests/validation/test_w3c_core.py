"""The W3C SHACL Core test suite, run through the engine that guards writes (standalone mode).

Every approved ``sht:Validate`` case of data-shapes-test-suite/tests/core is validated with
:meth:`Validator.standalone` / :meth:`Validator.validate_file` and compared the way the suite
prescribes for full compliance: the produced report and the expected one (``mf:result``) must be
isomorphic once both are restricted to the report and result predicates the suite lists
(sh:resultMessage and other optional triples left out), paths included.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import BNode
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SH

from corridor.validation import Validator

SUITE = Path(__file__).resolve().parent / "w3c" / "core"  # see w3c/SOURCES.md
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")

REPORT_PREDICATES = {RDF.type, SH.conforms, SH.result}
RESULT_PREDICATES = {RDF.type, SH.focusNode, SH.resultPath, SH.resultSeverity,
                     SH.sourceConstraintComponent, SH.sourceShape, SH.value}
PATH_PREDICATES = {RDF.first, RDF.rest, SH.inversePath, SH.alternativePath, SH.zeroOrMorePath,
                   SH.oneOrMorePath, SH.zeroOrOnePath}


def _cases() -> list[tuple[str, Path, Path, Path]]:
    """(name, manifest file, data file, shapes file) of every approved sht:Validate case."""
    out, todo, seen = [], [SUITE / "manifest.ttl"], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        g = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
        todo.extend(Path(str(i).removeprefix("file://")) for i in g.objects(None, MF.include))
        for case in g.subjects(RDF.type, SHT.Validate):
            if (case, MF.status, SHT.approved) not in g:
                continue
            action = g.value(case, MF.action)
            data = Path(str(g.value(action, SHT.dataGraph)).removeprefix("file://"))
            shapes = Path(str(g.value(action, SHT.shapesGraph)).removeprefix("file://"))
            name = str(path.relative_to(SUITE).parent / str(case).rsplit("/", 1)[-1])
            out.append((name, path, data, shapes))
    return sorted(out)


CASES = _cases()


def restricted(g: rdflib.Graph, report: rdflib.term.Node) -> rdflib.Graph:
    """The report at ``report`` with only the predicates the suite compares."""
    out = rdflib.Graph()
    for p, o in g.predicate_objects(report):
        if p in REPORT_PREDICATES:
            out.add((BNode("report"), p, o))
    for result in g.objects(report, SH.result):
        for p, o in g.predicate_objects(result):
            if p in RESULT_PREDICATES:
                out.add((result, p, o))
        todo = list(g.objects(result, SH.resultPath))
        while todo:
            node = todo.pop()
            for p, o in g.predicate_objects(node):
                if p in PATH_PREDICATES:
                    out.add((node, p, o))
                    todo.append(o)
    return out


def test_the_suite_has_all_98_approved_validate_cases() -> None:
    assert len(CASES) == 98


@pytest.mark.parametrize(("name", "manifest", "data", "shapes"), CASES, ids=[c[0] for c in CASES])
def test_w3c_core_case(name: str, manifest: Path, data: Path, shapes: Path) -> None:
    g = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    case = next(c for c in g.subjects(RDF.type, SHT.Validate) if str(c).endswith(
        "/" + name.rsplit("/", 1)[-1]))
    expected = restricted(g, g.value(case, MF.result))
    report = Validator.standalone([shapes]).validate_file(data)
    actual_graph = report.graph()
    actual = restricted(actual_graph, actual_graph.value(None, RDF.type, SH.ValidationReport,
                                                         any=False) or next(
        actual_graph.subjects(RDF.type, SH.ValidationReport)))
    assert isomorphic(actual, expected), (
        f"{name}\nexpected:\n{expected.serialize(format='turtle')}\n"
        f"actual:\n{actual.serialize(format='turtle')}"
    )


@pytest.mark.parametrize(("name", "manifest", "data", "shapes"), CASES, ids=[c[0] for c in CASES])
def test_w3c_core_case_with_the_compiler_taking_every_shape_it_can(
        name: str, manifest: Path, data: Path, shapes: Path) -> None:
    # Corridor's compiler only takes shapes with a message: give every shape one, so that
    # each shape it can translate runs as SPARQL, and the verdicts must stay the W3C ones
    validator = Validator.standalone([shapes])
    g = validator.shapes_graph
    for shape in set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(SH.property, None)) \
            | set(g.objects(None, SH.property)):
        if (shape, SH.message, None) not in g:
            g.add((shape, SH.message, rdflib.Literal("m")))
    manifest_graph = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    case = next(c for c in manifest_graph.subjects(RDF.type, SHT.Validate)
                if str(c).endswith("/" + name.rsplit("/", 1)[-1]))
    expected = restricted(manifest_graph, manifest_graph.value(case, MF.result))
    actual_graph = validator.validate_file(data).graph()
    actual = restricted(actual_graph, next(actual_graph.subjects(RDF.type, SH.ValidationReport)))
    assert isomorphic(actual, expected), (
        f"{name} (compiled: {[str(s.node) for s in validator.plan.compiled.shapes]})\n"
        f"expected:\n{expected.serialize(format='turtle')}\n"
        f"actual:\n{actual.serialize(format='turtle')}"
    )
