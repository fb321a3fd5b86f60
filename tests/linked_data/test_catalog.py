"""The DCAT-AP catalogue validates against the official shapes; VoID figures match the data."""

from __future__ import annotations

import gzip
import hashlib
import time
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib import RDF, URIRef
from rdflib.namespace import DCAT, SH

from corridor.derived import dumps

SHAPES = Path(__file__).parent / "shapes"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
# Upstream defect (see shapes/README.md): the MDR shapes want https:// SPDX algorithm IRIs.
KNOWN_UPSTREAM_DEFECTS = {URIRef("http://spdx.org/rdf/terms#algorithm")}


def shapes_graph(*names: str) -> rdflib.Graph:
    shapes = rdflib.Graph()
    for name in names:
        shapes.parse(SHAPES / name)
    dangling = [(s, o) for s, o in shapes.subject_objects(SH.property)
                if (o, SH.path, None) not in shapes]
    for s, o in dangling:  # ranges.ttl names one property shape it never defines
        shapes.remove((s, SH.property, o))
    return shapes


def violations(data: rdflib.Graph, shapes: rdflib.Graph) -> list[tuple]:
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    return [(report.value(r, SH.focusNode), report.value(r, SH.resultPath),
             report.value(r, SH.resultMessage))
            for r in report.subjects(SH.resultSeverity, SH.Violation)
            if (None, SH.result, r) in report]


@pytest.fixture(scope="module")
def curated_catalog(bundled_client) -> rdflib.Graph:
    response = bundled_client.get("/catalog", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    return rdflib.Graph().parse(data=response.data, format="turtle")


def test_catalogue_conforms_to_dcat_ap_shapes_and_ranges(curated_catalog):
    shapes = shapes_graph("dcat-ap-3.0.1-SHACL.ttl", "dcat-ap-3.0.1-SHACL-ranges.ttl")
    assert violations(curated_catalog, shapes) == []


def test_catalogue_uses_the_eu_controlled_vocabularies(curated_catalog):
    shapes = shapes_graph("dcat-ap-3.0.1-SHACL-mdr-vocabularies.ttl")
    found = [v for v in violations(curated_catalog, shapes) if v[1] not in KNOWN_UPSTREAM_DEFECTS]
    assert found == []


def test_small_store_catalogue_conforms_too(client):
    data = rdflib.Graph().parse(data=client.get("/catalog").data,
                                format="turtle")
    shapes = shapes_graph("dcat-ap-3.0.1-SHACL.ttl", "dcat-ap-3.0.1-SHACL-ranges.ttl")
    assert violations(data, shapes) == []


def test_catalogue_answers_while_dumps_are_written_and_says_so(client, small_store, monkeypatch):
    """Writing the dumps of a big store takes minutes: the catalogue must not wait for them."""
    monkeypatch.setattr(dumps, "CATALOGUE_WAIT", 0.2)
    with dumps.writer_for(small_store).lock:  # the writer is busy (as with millions of triples)
        early = client.get("/catalog")
    data = rdflib.Graph().parse(data=early.data, format="turtle")
    distributions = set(data.subjects(RDF.type, DCAT.Distribution))
    assert distributions and not list(data.objects(None, DCAT.byteSize))
    assert early.headers["Cache-Control"] == "no-store" and "ETag" not in early.headers
    shapes = shapes_graph("dcat-ap-3.0.1-SHACL.ttl", "dcat-ap-3.0.1-SHACL-ranges.ttl")
    assert violations(data, shapes) == []
    writer = dumps.writer_for(small_store).thread
    assert writer is not None
    writer.join(30)
    later = client.get("/catalog")
    data = rdflib.Graph().parse(data=later.data, format="turtle")
    assert set(data.subjects(RDF.type, DCAT.Distribution)) == distributions
    assert len(list(data.objects(None, DCAT.byteSize))) == len(distributions)
    assert "ETag" in later.headers


def test_one_dataset_per_public_named_graph(client, small_store):
    data = rdflib.Graph().parse(data=client.get("/catalog").data, format="turtle")
    datasets = {str(d) for d in data.subjects(RDF.type, DCAT.Dataset)}
    assert set(small_store.named_graphs()) <= datasets
    assert not any("/graph/personal" in d for d in datasets)


def test_distributions_state_size_and_sha256_of_the_served_file(client, small_store):
    from corridor.derived import dumps

    assert dumps.ready_dumps(small_store, wait=60) is not None  # a slow remote: not in 1 s
    data = rdflib.Graph().parse(data=client.get("/catalog").data, format="turtle")
    distributions = list(data.subjects(RDF.type, DCAT.Distribution))
    assert distributions
    for dist in distributions:
        url = str(data.value(dist, DCAT.downloadURL)).replace("http://localhost", "")
        body = client.get(url).data
        assert int(data.value(dist, DCAT.byteSize)) == len(body)
        checksum = data.value(dist, SPDX.checksum)
        assert str(data.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        gzip.decompress(body)


def test_sparql_endpoint_is_a_data_service(client):
    data = rdflib.Graph().parse(data=client.get("/catalog").data, format="turtle")
    services = list(data.subjects(RDF.type, DCAT.DataService))
    assert [str(data.value(s, DCAT.endpointURL)) for s in services] == ["http://localhost/sparql"]


def test_void_counts_match_the_public_data(client, small_store):
    data = rdflib.Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    dataset = next(data.subjects(RDF.type, VOID.Dataset))
    public = rdflib.Dataset()
    for graph in small_store.named_graphs():
        public.parse(data=client.get(f"/graph/{graph.split('/graph/', 1)[1]}.nt").data, format="nt")
    triples = {t for t in public.triples((None, None, None, None))}
    assert int(data.value(dataset, VOID.triples)) == len(triples)
    subjects = {s for s, _, _ in triples}
    assert int(data.value(dataset, VOID.distinctSubjects)) == len(subjects)
    dumps = {str(d) for d in data.objects(dataset, VOID.dataDump)}
    assert "http://localhost/dumps/all.nq.gz" in dumps
    assert str(data.value(dataset, VOID.sparqlEndpoint)) == "http://localhost/sparql"


def test_void_partitions_and_linksets(client):
    data = rdflib.Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
    dataset = next(s for s in data.subjects(RDF.type, VOID.Dataset)
                   if data.value(s, VOID.triples) is not None and data.value(s, VOID.classes))
    classes = {data.value(p, VOID["class"]): int(data.value(p, VOID.entities))
               for p in data.objects(dataset, VOID.classPartition)}
    assert classes[URIRef("https://w3id.org/corridor/ontology#Project")] == 2
    linksets = list(data.subjects(RDF.type, VOID.Linkset))
    targets = {data.value(ls, VOID.objectsTarget) for ls in linksets}
    assert URIRef("http://publications.europa.eu/resource/authority/country") in targets
    assert list(data.objects(dataset, VOID.exampleResource))


def test_void_is_current_after_a_write(client, small_store):
    """The previous figures are served while the new ones are computed (within a second on
    the embedded store; a remote store's dozens of counting requests can take longer)."""
    from .conftest import fill

    def triples() -> int:
        data = rdflib.Graph().parse(data=client.get("/.well-known/void").data, format="turtle")
        return int(data.value(URIRef("https://w3id.org/corridor/dataset"), VOID.triples))

    before = triples()
    fill(small_store, {"projects/alpine": []}, activity="replace")
    deadline = time.monotonic() + 30
    while (after := triples()) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert after < before
