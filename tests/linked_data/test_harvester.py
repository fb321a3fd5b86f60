"""A harvester that starts from the home page, finds VoID and DCAT, rebuilds the dataset from
the published dumps, checks dereferenced resources against it, and later catches up through the
change feed alone (fetching only the graphs that changed)."""

from __future__ import annotations

import gzip
import io
from html.parser import HTMLParser

import pyoxigraph as ox
import rdflib
import rdflib.compare
from rdflib import RDF, URIRef
from rdflib.namespace import DCAT

from .conftest import BASE, en, fill, iri

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
ROOT = "http://localhost"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [v for k, v in attrs if k == "href" and v]


class Harvester:
    """Knows nothing but the home page URL; keeps a copy of the public graphs."""

    def __init__(self, client) -> None:
        self.client = client
        self.graphs: dict[str, rdflib.Graph] = {}
        self.fetched: list[str] = []
        self.position: str | None = None

    def get(self, url: str, accept: str | None = None):
        path = url.replace(ROOT, "").replace(BASE, "/")
        self.fetched.append(path)
        response = self.client.get(path, headers={"Accept": accept} if accept else {})
        return response

    def discover(self) -> tuple[str, str]:
        home = self.get("/", accept="text/html")
        assert home.status_code == 200
        parser = Links()
        parser.feed(home.get_data(as_text=True))
        candidates = parser.hrefs + [
            part.split(">")[0].strip(" <") for link in home.headers.get_all("Link")
            for part in link.split(",") if "describedby" in part]
        void = next(h for h in candidates if h.endswith("/.well-known/void"))
        catalog = next(h for h in candidates if h.endswith("/catalog"))
        return void, catalog

    def rdf(self, url: str) -> rdflib.Graph:
        response = self.get(url, accept="text/turtle")
        assert response.status_code == 200
        return rdflib.Graph().parse(data=response.data, format="turtle")

    def harvest(self) -> None:
        void_url, catalog_url = self.discover()
        void = self.rdf(void_url)
        catalog = self.rdf(catalog_url)
        dumps = [str(d) for d in void.objects(None, VOID.dataDump) if str(d).endswith(".nq.gz")]
        assert dumps, "VoID names an N-Quads dump"
        self.graphs = self.quads_dump(dumps[0])
        for dataset in catalog.subjects(RDF.type, DCAT.Dataset):  # one per named graph
            if str(dataset) not in self.graphs:
                continue
            (distribution,) = catalog.objects(dataset, DCAT.distribution)
            from_catalog = self.turtle_dump(str(catalog.value(distribution, DCAT.downloadURL)))
            assert rdflib.compare.isomorphic(from_catalog, self.graphs[str(dataset)])
        self.check_resources(void)
        feed = self.get("/changes").get_json()
        self.position = feed["current"]

    def quads_dump(self, url: str) -> dict[str, rdflib.Graph]:
        response = self.get(url)
        assert response.status_code == 200
        dataset = rdflib.Dataset()
        dataset.parse(data=gzip.decompress(response.data), format="nquads")
        return {str(g.identifier): _copy(g) for g in dataset.graphs()
                if len(g) and str(g.identifier) != str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID)}

    def turtle_dump(self, url: str) -> rdflib.Graph:
        response = self.get(url)
        assert response.status_code == 200
        return rdflib.Graph().parse(data=gzip.decompress(response.data), format="turtle")

    def check_resources(self, void: rdflib.Graph) -> None:
        union = rdflib.Graph()
        for g in self.graphs.values():
            union += g
        examples = list(void.objects(None, VOID.exampleResource))
        assert examples
        for resource in examples:
            description = self.rdf(str(resource))
            ground = [t for t in description if not any(isinstance(x, rdflib.BNode) for x in t)
                      and "hydra" not in str(t[1])]
            assert ground and all(t in union for t in ground)

    def catch_up(self) -> None:
        """Apply every change after the kept position: refetch each changed graph's dump."""
        url, targets = self.position, {}
        while url:
            page = self.get(url).get_json()
            for item in page["orderedItems"]:
                targets[item["target"]["id"]] = item["target"]["url"]
            url = page.get("next")
            self.position = page["current"]
        for graph, dump_url in targets.items():
            response = self.get(dump_url)
            if response.status_code == 404:
                self.graphs.pop(graph, None)
            elif dump_url.endswith(".nq.gz"):
                self.graphs = self.quads_dump(dump_url)
            else:
                self.graphs[graph] = self.turtle_dump(dump_url)


def _copy(graph: rdflib.Graph) -> rdflib.Graph:
    copy = rdflib.Graph()
    for t in graph:
        copy.add(t)
    return copy


def public_dump(store) -> dict[str, rdflib.Graph]:
    """What `corridor dump` writes, as rdflib graphs, restricted to the public graphs: withheld
    graphs and the load provenance about them (subjects ``G`` / ``G#…``) are left out."""
    out = io.BytesIO()
    store.dump(out, ox.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset()
    dataset.parse(data=out.getvalue(), format="nquads")
    public = set(store.named_graphs())
    graphs = {str(g.identifier): _copy(g) for g in dataset.graphs() if str(g.identifier) in public}
    meta = graphs.get(store.config.meta_graph, rdflib.Graph())
    for triple in list(meta):
        if any(isinstance(t, URIRef) and store.config.is_withheld(str(t)) for t in triple):
            meta.remove(triple)
    return graphs


def assert_same(harvested: dict[str, rdflib.Graph], expected: dict[str, rdflib.Graph]) -> None:
    assert set(harvested) == set(expected)
    for name, graph in expected.items():
        assert rdflib.compare.isomorphic(harvested[name], graph), name


def test_harvester_rebuilds_the_public_dataset_from_the_home_page(client, small_store):
    harvester = Harvester(client)
    harvester.harvest()
    assert_same(harvester.graphs, public_dump(small_store))
    assert not any("/personal" in g for g in harvester.graphs)


def test_harvester_catches_up_through_the_change_feed_alone(client, small_store):
    harvester = Harvester(client)
    harvester.harvest()
    title = ox.NamedNode("http://purl.org/dc/terms/title")
    fill(small_store, {
        "projects/boost": [ox.Quad(iri("id/project/boost"), title, en("BOOST (renamed)"))],
        "projects/fresh": [ox.Quad(iri("id/project/fresh"), title, en("Fresh"))],
    })
    with small_store.transaction("drop") as txn:
        txn.drop_graph(small_store.config.graph_iri("projects/alpine"))
    harvester.fetched.clear()
    harvester.catch_up()
    assert_same(harvester.graphs, public_dump(small_store))
    dumps_fetched = {u for u in harvester.fetched if u.startswith("/dumps/")}
    assert dumps_fetched == {"/dumps/projects/boost.ttl.gz", "/dumps/projects/fresh.ttl.gz",
                             "/dumps/projects/alpine.ttl.gz"}


def test_sparql_update_points_harvesters_at_the_full_dump(client, small_store):
    harvester = Harvester(client)
    harvester.harvest()
    with small_store.transaction("update") as txn:
        txn.update(f"INSERT DATA {{ GRAPH <{BASE}graph/projects/boost> "
                   f"{{ <{BASE}id/project/boost> <http://purl.org/dc/terms/alternative> 'B' }} }}")
    harvester.catch_up()
    assert_same(harvester.graphs, public_dump(small_store))


def test_harvester_rebuilds_the_curated_data(bundled_client):
    store = bundled_client.application.extensions["corridor.store"]
    harvester = Harvester(bundled_client)
    harvester.harvest()
    assert_same(harvester.graphs, public_dump(store))


def test_caught_up_harvester_sees_an_empty_page(client):
    harvester = Harvester(client)
    harvester.harvest()
    page = harvester.get(harvester.position).get_json()
    assert page["orderedItems"] == [] and "next" not in page
