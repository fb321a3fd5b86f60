"""The curated data answers plain SPARQL in EURIO (and W3C ORG) terms, without the Corridor
ontology and without inference: projects, organisations, roles and the EU contribution."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pyoxigraph as ox
import pytest

from tests.model.corridor_model import data_files, load_store, select

PREFIXES = """PREFIX eurio: <http://data.europa.eu/s66#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """Data only: the ontology graph (with its rdfs:subClassOf alignments) is not loaded."""
    store = load_store(data_files())
    store.remove_graph(ox.NamedNode("https://w3id.org/corridor/graph/ontology"))
    return store


def ask(store: ox.Store, where: str, select_clause: str = "*") -> list[dict[str, str]]:
    return select(store, f"{PREFIXES}SELECT {select_clause} WHERE {{ {where} }}")


def test_projects_are_eurio_projects(store: ox.Store) -> None:
    rows = ask(store, "?p a eurio:Project ; rdfs:label ?name")
    assert {r["name"] for r in rows} == {
        "BOOST", "GoSmart & Excel BSR", "GoSmart BSR", "S3-4AlpClusters",
        "2023 Cluj Innovation Year",
    }


def test_organisations_are_eurio_and_org_organisations(store: ox.Store) -> None:
    eurio = {r["o"] for r in ask(store, "?o a eurio:Organisation")}
    org = {r["o"] for r in ask(store, "?o a org:Organization")}
    assert eurio == org
    assert len(eurio) == 14 + 15 + 6 + 1 + 1  # partners of the three projects, TIC, EEN


def test_roles_in_eurio_terms(store: ox.Store) -> None:
    rows = ask(
        store,
        "?p a eurio:Project ; rdfs:label ?project ; eurio:hasInvolvedParty ?r . "
        "?r a eurio:OrganisationRole ; eurio:isRoleOf ?o ; eurio:roleLabel ?role . "
        "?o a eurio:Organisation",
    )
    assert Counter((r["project"], r["role"]) for r in rows) == Counter(
        {
            ("S3-4AlpClusters", "leadPartner"): 1, ("S3-4AlpClusters", "partner"): 13,
            ("GoSmart & Excel BSR", "partner"): 10, ("GoSmart & Excel BSR", "associatedPartner"): 5,
            ("BOOST", "partner"): 6,
        }
    )  # fmt: skip
    lead = ask(store, '?r eurio:roleLabel "leadPartner" ; eurio:order ?n ; eurio:isRoleOf ?o . '
                      "?o rdfs:label ?name")
    lead_partner = "HES-SO//FR HEIA-FR - INNOSQUARE CLUSTERS"
    assert [(r["name"], r["n"]) for r in lead] == [(lead_partner, "1")]


def test_eu_contribution_and_total_cost_in_eurio_terms(store: ox.Store) -> None:
    rows = ask(
        store,
        "?p rdfs:label ?name ; eurio:isFundedBy ?g . "
        "?g a eurio:Grant ; eurio:hasFundingAmount ?a . "
        "?a a eurio:MonetaryAmount ; eurio:value ?eu ; eurio:currency ?cur . "
        "?p eurio:hasTotalCost/eurio:value ?total",
    )
    assert [(r["name"], Decimal(r["eu"]), Decimal(r["total"]), r["cur"]) for r in rows] == [
        ("S3-4AlpClusters", Decimal("1929500"), Decimal("2521964"), "EUR")
    ]
