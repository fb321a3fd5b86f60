"""The curated graph holds the seed facts typed, traceable and with personal data kept apart."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

from tests.model.corridor_model import BASE, DATA, data_files

COR = Namespace("https://w3id.org/corridor/ontology#")
SCHEMA = Namespace("https://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
ID = Namespace(BASE + "id/")
PERSONAL_PREDICATES = (VCARD.fn, VCARD.hasEmail, VCARD.hasTelephone)


def parse(paths: list) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle", publicID=BASE)
    return graph


@pytest.fixture(scope="module")
def curated() -> Graph:
    """Curated public data: everything under data/ except reference and personal graphs."""
    return parse([p for p in data_files() if p.parent.name not in ("reference", "personal")])


@pytest.fixture(scope="module")
def personal() -> Graph:
    return parse(sorted((DATA / "personal").glob("*.ttl")))


def minted_subjects(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(ID)}


def test_every_minted_resource_names_a_source_document(curated: Graph) -> None:
    sources = set(curated.subjects(RDF.type, COR.SourceDocument))
    seeds = {s for s in sources if str(curated.value(s, DCTERMS.identifier)).endswith(".txt")}
    assert len(seeds) == 5
    untraced = [
        s for s in minted_subjects(curated) - sources if not set(curated.objects(s, DCTERMS.source))
    ]
    assert untraced == []
    everything = parse(data_files())
    cited = set(curated.objects(None, DCTERMS.source))
    assert cited <= set(everything.subjects(RDF.type, COR.SourceDocument))


def test_personal_details_live_only_in_the_personal_graph(curated: Graph, personal: Graph) -> None:
    for predicate in PERSONAL_PREDICATES:
        assert not list(curated.subject_objects(predicate)), predicate
        assert list(personal.subject_objects(predicate)), predicate
    assert (None, VCARD.hasEmail, URIRef("mailto:aka@ndeu.dk")) in personal
    contact = ID["contact-point/gosmart-excel-bsr"]
    assert (ID["project/gosmart-excel-bsr"], COR.contactPoint, contact) in curated
    assert (contact, RDF.type, COR.ContactPoint) in curated


def test_titles_and_descriptions_carry_language_tags(curated: Graph) -> None:
    untagged = [
        (s, p)
        for p in (DCTERMS.title, DCTERMS.description, DCTERMS.alternative, SKOS.prefLabel)
        for s, o in curated.subject_objects(p)
        if isinstance(o, Literal) and not o.language
    ]
    assert untagged == []


def test_navigable_resources_have_an_english_label(curated: Graph) -> None:
    navigable = (
        COR.Project, COR.Organisation, COR.Event, COR.Challenge, COR.Output,
        COR.FundingProgramme, COR.ProgrammePriority, COR.SpecificObjective, COR.Participation,
    )  # fmt: skip
    missing = [
        s
        for cls in navigable
        for s in curated.subjects(RDF.type, cls)
        if not any(o.language == "en" for o in curated.objects(s, RDFS.label))
    ]
    assert missing == []


def test_amounts_are_decimals_with_a_currency(curated: Graph) -> None:
    amounts = set(curated.subjects(RDF.type, COR.MonetaryAmount))
    # four printed figures + the ERDF co-financed budget of S3-4AlpClusters (editorial, issue 14)
    assert len(amounts) == 5
    for amount in amounts:
        value = curated.value(amount, SCHEMA.value)
        assert value.datatype == XSD.decimal
        assert str(curated.value(amount, SCHEMA.currency)) == "EUR"
    total = curated.value(ID["amount/s3-4alpclusters-total-budget"], SCHEMA.value)
    assert total.toPython() == Decimal("2521964.00")


def test_dates_are_days_or_months(curated: Graph) -> None:
    dates = [o for p in (SCHEMA.startDate, SCHEMA.endDate) for o in curated.objects(None, p)]
    assert dates and {d.datatype for d in dates} <= {XSD.date, XSD.gYearMonth}
    gosmart = ID["project/gosmart-excel-bsr"]
    assert curated.value(gosmart, SCHEMA.startDate) == Literal("2021-04", datatype=XSD.gYearMonth)


def test_every_partner_of_the_three_projects_is_there(curated: Graph) -> None:
    def members(project: str) -> int:
        return len(set(curated.subjects(COR.project, ID[f"project/{project}"])))

    assert members("s3-4alpclusters") == 14
    assert members("gosmart-excel-bsr") == 10 + 5
    assert members("boost") == 6


def test_university_of_franche_comte_is_in_besancon_and_in_its_project(curated: Graph) -> None:
    university = ID["organisation/university-of-franche-comte"]
    labels = {(str(o), o.language) for o in curated.objects(university, SKOS.prefLabel)}
    assert ("Université de Franche-Comté", "fr") in labels
    assert ("University of Franche-Comte", "en") in labels
    address = curated.value(university, LOCN.address)
    assert str(curated.value(address, LOCN.postName)) == "Besançon"
    participation = ID["participation/s3-4alpclusters/university-of-franche-comte"]
    assert (participation, COR.organisation, university) in curated
    assert (participation, COR.project, ID["project/s3-4alpclusters"]) in curated


def test_boost_partner_countries_are_candidates_not_facts(curated: Graph) -> None:
    partners = set(curated.objects(None, COR.organisation)) & {
        o for s in curated.subjects(COR.project, ID["project/boost"])
        for o in curated.objects(s, COR.organisation)
    }  # fmt: skip
    assert len(partners) == 6
    for partner in partners:
        assert curated.value(partner, COR.country) is None
        assert len(set(curated.objects(partner, COR.possibleCountry))) in (2, 3)
        assert curated.value(partner, SKOS.editorialNote) is not None


def test_each_data_file_is_one_named_graph_that_describes_itself() -> None:
    for path in data_files():
        if path.parent.name == "reference":
            continue
        graph = parse([path])
        name = URIRef(BASE + "graph/" + path.relative_to(DATA).with_suffix("").as_posix())
        assert graph.value(name, DCTERMS.title) is not None, path
