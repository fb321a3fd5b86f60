"""Reconciliation: a PIC-less organisation is linked to the PIC organisation it is, by VAT or
by name + city + country, with its evidence and score; ties and near misses are not linked."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from corridor.ingest import reconcile
from corridor.ingest.loader import Source, load_files
from corridor.store import OxigraphStore
from corridor.validation import write_check

from .conftest import HE, bundled_store, read_csv
from .test_import import PIC, PREFIXES, run_import, select

BASE = "https://w3id.org/corridor/"
ORGS = BASE + "id/organisation/"


def curated(tmp_path: Path, store: OxigraphStore, turtle: str) -> None:
    """Load PIC-less organisations (as a curated seed or keep.eu would give them)."""
    path = tmp_path / "seed.ttl"
    path.write_text(PREFIXES.replace("PREFIX ", "@prefix ").replace(">\n", "> .\n") + """
@prefix locn: <http://www.w3.org/ns/locn#> .
@prefix schema: <https://schema.org/> .
@prefix country: <http://publications.europa.eu/resource/authority/country/> .
<id/source/test-seed> a cor:SourceDocument ; rdfs:label "Test seed"@en ;
  dct:title "Test seed"@en ; dct:identifier "test-seed" .
""" + turtle)
    load_files(store, [Source(path, BASE + "graph/test/seed", ox.RdfFormat.TURTLE)],
               check=write_check(store))


@pytest.fixture(scope="module")
def he(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    store = bundled_store(tmp_path_factory.mktemp("reconcile"))
    run_import(store, "cordis", HE / "organization_sample100.csv", HE / "project_sample100.csv")
    return store


def org(iri: str, name: str, city: str, country: str, vat: str = "") -> str:
    vat_line = f'schema:vatID "{vat}" ;' if vat else ""
    return f"""
<{iri}> a cor:Organisation ; rdfs:label "{name}"@en ; skos:prefLabel "{name}"@en ;
  cor:country country:{country} ; {vat_line}
  locn:address <{iri}/address> ; dct:source <id/source/test-seed> .
<{iri}/address> a cor:Address ; locn:postName "{city}" ; dct:source <id/source/test-seed> .
"""


def sample(column: str, index: int = 0) -> str:
    header, rows = read_csv(HE / "organization_sample100.csv")
    return rows[index][header.index(column)]


def test_a_name_city_country_match_is_linked_with_its_evidence_and_score(
    tmp_path: Path, he: OxigraphStore,
) -> None:
    # "WAGENINGEN UNIVERSITY", Wageningen, NL in the sample; the seed writes it differently
    assert sample("name") == "WAGENINGEN UNIVERSITY"
    curated(tmp_path, he, org(ORGS + "seed-wur", "Wageningen University", "WAGENINGEN", "NLD"))
    outcome = reconcile.reconcile_store(he, check=write_check(he))
    mine = [m for m in outcome.matches if m.source == ORGS + "seed-wur"]
    assert [(m.target, m.rule, m.score) for m in mine] == [
        (PIC + sample("organisationID"), "name", 100.0)]
    target = PIC + sample("organisationID")
    record = select(he, f"""PREFIX sssom: <https://w3id.org/sssom/>
        SELECT ?j ?c ?comment {{ <{ORGS}seed-wur> skos:exactMatch <{target}> .
          ?a owl:annotatedSource <{ORGS}seed-wur> ; owl:annotatedTarget ?t ;
             sssom:mapping_justification ?j ; sssom:confidence ?c ; rdfs:comment ?comment }}""")
    assert record[0]["j"] == "https://w3id.org/semapv/vocab/LexicalSimilarityThresholdMatching"
    assert float(record[0]["c"]) == 1.0
    assert "city 'wageningen'" in record[0]["comment"]


def test_the_same_name_in_another_city_is_not_linked(tmp_path: Path, he: OxigraphStore) -> None:
    curated(tmp_path, he, org(ORGS + "seed-elsewhere", "Wageningen University", "Utrecht", "NLD"))
    outcome = reconcile.reconcile(he.reader(), he.config)
    assert not [m for m in outcome.matches if m.source == ORGS + "seed-elsewhere"]


def test_a_vat_match_wins_over_a_different_name(tmp_path: Path, he: OxigraphStore) -> None:
    vat = sample("vatNumber", 1)
    curated(tmp_path, he, org(ORGS + "seed-au", "Aarhus Univ.", "Aarhus", "DNK",
                              vat=vat[:2] + " " + vat[2:]))
    outcome = reconcile.reconcile(he.reader(), he.config)
    mine = [m for m in outcome.matches if m.source == ORGS + "seed-au"]
    assert [(m.target, m.rule) for m in mine] == [(PIC + sample("organisationID", 1), "vat")]


def test_two_equally_good_candidates_are_reported_not_linked(tmp_path: Path) -> None:
    store = bundled_store(tmp_path)
    curated(tmp_path, store, org(PIC + "900000001", "Innovation Agency", "Tartu", "EST")
            + org(PIC + "900000002", "Innovation Agency Ltd", "Tartu", "EST")
            + org(ORGS + "seed-ia", "INNOVATION AGENCY", "Tartu", "EST"))
    outcome = reconcile.reconcile(store.reader(), store.config)
    assert outcome.matches == []
    assert outcome.ambiguous == [(ORGS + "seed-ia", [PIC + "900000001", PIC + "900000002"])]


def test_normalisation_drops_case_accents_punctuation_and_legal_forms() -> None:
    assert reconcile.normalise("Université de Franche-Comté") == "universite de franche comte"
    assert reconcile.normalise("OÖ Wirtschaftsagentur GmbH") == "oo wirtschaftsagentur"
