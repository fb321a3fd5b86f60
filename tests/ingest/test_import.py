"""`corridor import`: CORDIS tables mapped by the bundled declarative mappings, loaded validated,
atomic and traced; broken copies rejected with file:row:column and the store unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.util
from rdflib.compare import isomorphic

from corridor.cli import main
from corridor.config import Config
from corridor.ingest import tables
from corridor.ingest.loader import InputError
from corridor.store import OxigraphStore, WriteRejected
from corridor.validation import validator_for, write_check

from .conftest import HE, HE_SAMPLES, NETWORK, bundled_store, network_rows, read_csv, write_csv

BASE = "https://w3id.org/corridor/"
PIC = BASE + "id/organisation/pic/"
PREFIXES = """PREFIX cor: <https://w3id.org/corridor/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX eurio: <http://data.europa.eu/s66#>
"""


def select(store: OxigraphStore, query: str) -> list[dict[str, str]]:
    result = store.reader().query(PREFIXES + query, use_default_graph_as_union=True)
    return [{v.value: row[v].value for v in result.variables if row[v] is not None}
            for row in result]


def run_import(store: OxigraphStore, mapping: str, *paths: Path, **kw: object) -> list:
    return tables.import_files(store, tables.load_mapping(mapping), list(paths),
                               check=write_check(store), **kw)


@pytest.fixture(scope="module")
def he(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    """A store holding the bundled data and the five Horizon Europe sample tables."""
    store = bundled_store(tmp_path_factory.mktemp("he"))
    run_import(store, "cordis", *HE_SAMPLES, release="2025-02")
    return store


# ---------------------------------------------------------------------------- importing
def test_the_horizon_europe_samples_import_and_the_store_conforms(he: OxigraphStore) -> None:
    report = validator_for(he).validate_store(he.reader(), None)
    assert report.accepted, report.text()
    # A CORDIS coordinator counts as the lead partner: only projects whose coordinator row is
    # not among the 100 sample rows are warned about.
    warned = {r.focus.rsplit("/", 1)[1] for r in report.results if "/project/grant/" in r.focus}
    header, rows = read_csv(HE / "organization_sample100.csv")
    project, role = header.index("projectID"), header.index("role")
    led = {r[project] for r in rows if r[role] == "coordinator"}
    assert warned == {r[project] for r in rows} - led
    projects = select(he, "SELECT DISTINCT ?p { GRAPH ?g { ?p a cor:Project } "
                      f"FILTER(STRSTARTS(STR(?g), '{BASE}graph/import/cordis/')) }}")
    assert len(projects) == 100


def test_an_organisation_in_several_projects_is_one_node(he: OxigraphStore) -> None:
    header, rows = read_csv(HE / "organization_sample100.csv")
    pid, oid = header.index("projectID"), header.index("organisationID")
    projects: dict[str, set[str]] = {}
    for row in rows:
        projects.setdefault(row[oid], set()).add(row[pid])
    pic, in_projects = max(projects.items(), key=lambda kv: len(kv[1]))
    assert len(in_projects) > 1
    found = select(he, f"""SELECT ?org (COUNT(DISTINCT ?project) AS ?n) {{
        ?part cor:organisation ?org ; cor:project ?project .
        FILTER(?org = <{PIC}{pic}>) }} GROUP BY ?org""")
    assert found == [{"org": PIC + pic, "n": str(len(in_projects))}]
    organisations = select(he, "SELECT DISTINCT ?o { GRAPH ?g { ?o a cor:Organisation } "
                           f"FILTER(STRSTARTS(STR(?g), '{BASE}graph/import/')) }}")
    assert len(organisations) == len(projects)


def test_the_data_states_its_eurio_and_org_types(he: OxigraphStore) -> None:
    rows = select(he, """SELECT (COUNT(DISTINCT ?p) AS ?projects) (COUNT(DISTINCT ?o) AS ?orgs) {
        ?p a eurio:Project . ?o a eurio:Organisation , <http://www.w3.org/ns/org#Organization> }""")
    assert int(rows[0]["projects"]) >= 100 and int(rows[0]["orgs"]) > 50


def test_countries_and_regions_are_the_authority_iris_el_becomes_greece(
    he: OxigraphStore,
) -> None:
    header, rows = read_csv(HE / "organization_sample100.csv")
    greek = next(r for r in rows if r[header.index("country")] == "EL")
    pic = greek[header.index("organisationID")]
    found = select(he, f"SELECT ?c ?n {{ <{PIC}{pic}> cor:country ?c . "
                   f"OPTIONAL {{ <{PIC}{pic}> cor:nutsRegion ?n }} }}")
    assert found[0]["c"] == "http://publications.europa.eu/resource/authority/country/GRC"
    nuts = greek[header.index("nutsCode")]
    assert found[0].get("n") == f"http://data.europa.eu/nuts/code/{nuts}"


def test_every_imported_fact_is_traced_to_file_release_and_row(he: OxigraphStore) -> None:
    header, rows = read_csv(HE / "organization_sample100.csv")
    row = rows[6]  # row 8 of the file (the header is row 1)
    org = PIC + row[header.index("organisationID")]
    part = f"{BASE}id/project/grant/{row[header.index('projectID')]}/participation/{org[-9:]}"
    # the organisation's facts come from the source its graph and dct:source name, and from the
    # rows of its participations; the participation names its own row
    found = select(he, f"""SELECT ?row ?name ?release ?source {{
        GRAPH ?g {{ <{org}> dct:source ?source . }}
        ?part cor:organisation <{org}> ; prov:wasDerivedFrom ?row ; dct:source ?source .
        BIND(IRI(STRBEFORE(STR(?row), "#row=")) AS ?file)
        ?file dct:isVersionOf ?source ; dct:identifier ?name ; owl:versionInfo ?release .
        FILTER(?part = <{part}>) }}""")
    source = BASE + "id/source/import/cordis/organization"
    assert found == [{"row": found[0]["row"], "name": "organization_sample100.csv",
                      "release": "2025-02", "source": source}]
    assert found[0]["row"].endswith("#row=8")
    meta = select(he, f"""SELECT ?title {{ GRAPH <{BASE}graph/meta> {{
        <{BASE}graph/import/cordis/organization> prov:wasDerivedFrom/dct:title ?title }} }}""")
    assert meta == [{"title": "organization_sample100.csv"}]


def test_reimporting_the_same_files_changes_nothing(he: OxigraphStore) -> None:
    version = he.version
    results = run_import(he, "cordis", *HE_SAMPLES)
    assert all(r.skipped for r in results)
    assert he.version == version


def test_a_semicolon_table_with_a_bom_is_recognised_by_its_header(
    he: OxigraphStore, tmp_path: Path,
) -> None:
    header, rows = read_csv(HE / "topics_sample100.csv")
    extra = [["101116741", "X-TOPIC", "A new topic"]]
    copy = write_csv(tmp_path / "t.csv", header, rows[:5] + extra, delimiter=";", bom=True)
    results = run_import(he, "cordis", copy)
    assert results[0].table == "topics"
    found = select(he, f"SELECT ?l {{ <{BASE}id/project/grant/101116741> cor:topic ?t . "
                   "?t skos:notation 'X-TOPIC' ; skos:prefLabel ?l }")
    assert found == [{"l": "A new topic"}]


def test_a_newer_release_with_replace_replaces_the_tables_graph(
    tmp_path: Path, store: OxigraphStore,
) -> None:
    header, rows = read_csv(HE / "euroSciVoc_sample100.csv")
    graph = BASE + "graph/import/cordis/euroSciVoc"
    run_import(store, "cordis", write_csv(tmp_path / "e1.csv", header, rows[:10]))
    newer = [r[:] for r in rows[:3]]
    newer[0][3] = "renamed field"
    run_import(store, "cordis", write_csv(tmp_path / "e2.csv", header, newer), replace=True)
    labels = select(store, f"SELECT DISTINCT ?l {{ GRAPH <{graph}> {{ ?c skos:prefLabel ?l }} }}")
    assert {"l": "renamed field"} in labels
    assert {"l": rows[5][3]} not in labels
    sources = select(store, f"SELECT ?t {{ GRAPH <{BASE}graph/meta> {{ <{graph}> "
                     "prov:wasDerivedFrom/dct:title ?t } }")
    assert sources == [{"t": "e2.csv"}]


def test_a_quoted_multi_line_cell_is_one_value(tmp_path: Path, store: OxigraphStore) -> None:
    header, rows = read_csv(HE / "project_sample100.csv")
    row = rows[0][:]
    row[header.index("id")] = "900000777"
    row[header.index("objective")] = 'First line;\nsecond, "quoted" line.\r\nThird.'
    run_import(store, "cordis", write_csv(tmp_path / "project.csv", header, [row]))
    found = select(store, f"SELECT ?d {{ <{BASE}id/project/grant/900000777> dct:description ?d }}")
    assert found == [{"d": 'First line;\nsecond, "quoted" line.\r\nThird.'}]


def test_a_release_restating_known_rows_adds_only_the_new_rows(
    tmp_path: Path, store: OxigraphStore,
) -> None:
    header, rows = read_csv(HE / "topics_sample100.csv")
    run_import(store, "cordis", write_csv(tmp_path / "t1.csv", header, rows[20:23]))
    run_import(store, "cordis", write_csv(tmp_path / "t2.csv", header, rows[20:24]))

    def rows_of(project: str) -> list[str]:
        found = select(store, f"SELECT ?r {{ <{BASE}id/project/grant/{project}> "
                       "prov:wasDerivedFrom ?r }")
        return [f["r"].rsplit("/", 1)[1] for f in found]

    [restated] = rows_of(rows[20][0])  # still only the row of t1.csv that first stated it
    [added] = rows_of(rows[23][0])
    assert restated.endswith("#row=2") and added.endswith("#row=5")
    assert restated.split("#")[0] != added.split("#")[0]  # two files


# ---------------------------------------------------------------------------- H2020 network
def test_h2020_rows_import_with_placeholder_labels(tmp_path: Path, store: OxigraphStore) -> None:
    header, rows = network_rows(200)
    run_import(store, "cordis-h2020-network", write_csv(tmp_path / "p.csv", header, rows))
    pic = rows[0][2]
    found = select(store, f"SELECT ?l ?g {{ GRAPH ?g {{ <{PIC}{pic}> rdfs:label ?l }} }}")
    assert found == [{"l": f"PIC {pic}", "g": BASE + "graph/import/placeholders"}]
    roles = select(store, f"SELECT ?r {{ ?p cor:organisation <{PIC}{pic}> ; cor:role ?r }}")
    assert roles


def test_a_name_from_a_later_source_replaces_the_placeholder(tmp_path: Path) -> None:
    """H2020 rows first (PIC only), then the Horizon Europe organisations with names."""
    store = bundled_store(tmp_path)
    he_header, he_rows = read_csv(HE / "organization_sample100.csv")
    pics = {r[he_header.index("organisationID")] for r in he_rows}
    header, rows = network_rows(30, pics)
    run_import(store, "cordis-h2020-network", write_csv(tmp_path / "p.csv", header, rows))
    pic = rows[0][2]
    assert select(store, f"SELECT ?l {{ <{PIC}{pic}> rdfs:label ?l }}") == [{"l": f"PIC {pic}"}]
    run_import(store, "cordis", HE / "organization_sample100.csv", HE / "project_sample100.csv")
    name = next(r[he_header.index("name")] for r in he_rows
                if r[he_header.index("organisationID")] == pic)
    assert select(store, f"SELECT ?l {{ <{PIC}{pic}> rdfs:label ?l }}") == [{"l": name}]
    h2020 = select(store, f"SELECT (COUNT(*) AS ?n) {{ ?p cor:organisation <{PIC}{pic}> ; "
                   f"cor:project ?x . FILTER(STRSTARTS(STR(?x), '{BASE}id/project/rcn/')) }}")
    assert int(h2020[0]["n"]) >= 1


def test_namibia_na_is_a_country_not_a_missing_value(tmp_path: Path, store: OxigraphStore) -> None:
    header, rows = network_rows(1)
    row = rows[0][:]
    row[2], row[5] = "900000001", "NA"
    run_import(store, "cordis-h2020-network", write_csv(tmp_path / "na.csv", header, [row]))
    found = select(store, f"SELECT ?c {{ <{PIC}900000001> cor:country ?c }}")
    assert found == [{"c": "http://publications.europa.eu/resource/authority/country/NAM"}]


# ---------------------------------------------------------------------------- broken copies
def _state(store: OxigraphStore) -> tuple[int, int]:
    return store.version, len(store.reader())


def _rejected(store: OxigraphStore, mapping: str, path: Path) -> str:
    before = _state(store)
    with pytest.raises(InputError) as error:
        run_import(store, mapping, path)
    assert _state(store) == before
    return str(error.value)


def _broken(tmp_path: Path, row: int, column: str, value: str) -> Path:
    header, rows = read_csv(HE / "organization_sample100.csv")
    rows[row - 2][header.index(column)] = value
    return write_csv(tmp_path / "organization.csv", header, rows)


def test_a_bad_number_is_rejected_at_its_row_and_column(
    tmp_path: Path, store: OxigraphStore,
) -> None:
    path = _broken(tmp_path, 5, "ecContribution", "12x4")
    message = _rejected(store, "cordis", path)
    assert message.startswith(f"{path}:5:21: column 'ecContribution'")
    assert "'12x4'" in message


def test_an_unknown_country_code_is_rejected_at_its_row_and_column(
    tmp_path: Path, store: OxigraphStore,
) -> None:
    path = _broken(tmp_path, 7, "country", "QQ")
    message = _rejected(store, "cordis", path)
    assert message.startswith(f"{path}:7:12: column 'country': unknown country code")
    assert "'QQ'" in message


def test_a_missing_required_column_is_rejected(tmp_path: Path, store: OxigraphStore) -> None:
    header, rows = read_csv(HE / "organization_sample100.csv")
    drop = header.index("country")
    path = write_csv(tmp_path / "o.csv", header[:drop] + header[drop + 1:],
                     [r[:drop] + r[drop + 1:] for r in rows])
    message = _rejected(store, "cordis", path)
    assert message.startswith(f"{path}:1:24: missing required column 'country'")


def test_a_truncated_table_is_rejected_at_the_cut_row(tmp_path: Path, store: OxigraphStore) -> None:
    text = (HE / "organization_sample100.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    path = tmp_path / "organization.csv"
    path.write_text("".join(lines[:10]) + lines[10][:60], encoding="utf-8")
    message = _rejected(store, "cordis", path)
    assert message.startswith(f"{path}:11:")
    assert "truncated" in message


def test_a_truncated_gzip_file_is_rejected(tmp_path: Path, store: OxigraphStore) -> None:
    data = (NETWORK / "h2020_participations.csv.gz").read_bytes()
    path = tmp_path / "h2020_participations.csv.gz"
    path.write_bytes(data[:200_000])
    message = _rejected(store, "cordis-h2020-network", path)
    assert message.startswith(f"{path}:") and "truncated" in message


def test_a_violation_rejects_the_whole_import(tmp_path: Path, store: OxigraphStore) -> None:
    header, rows = read_csv(HE / "project_sample100.csv")
    rows[3][header.index("endDate")] = "2001-01-01"  # before its start
    path = write_csv(tmp_path / "project.csv", header, rows)
    before = _state(store)
    with pytest.raises(WriteRejected):
        run_import(store, "cordis", path, HE / "topics_sample100.csv")
    assert _state(store) == before


def test_dry_run_writes_nothing(store: OxigraphStore) -> None:
    before = _state(store)
    results = run_import(store, "cordis", HE / "legalBasis_sample100.csv", dry_run=True)
    assert results[0].rows == 100
    assert _state(store) == before


# ---------------------------------------------------------------------------- mappings
def test_a_users_mapping_file_is_accepted(tmp_path: Path, store: OxigraphStore) -> None:
    (tmp_path / "m.rq").write_text("""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?c a skos:Concept ; skos:prefLabel ?l ; skos:inScheme <id/scheme/mine> .
  <id/scheme/mine> a skos:ConceptScheme ; skos:prefLabel "Mine"@en . }
WHERE { VALUES (?row ?code ?label) {}
  BIND(IRI(CONCAT(STR(<id/concept/mine/>), ?code)) AS ?c) BIND(STRLANG(?label, "en") AS ?l) }""")
    (tmp_path / "m.json").write_text("""{"name": "mine", "tables": [{"name": "codes",
      "tableSchema": {"columns": [{"name": "code", "required": true},
                                  {"name": "label", "required": true}]},
      "construct": "m.rq"}]}""")
    data = write_csv(tmp_path / "codes.csv", ["code", "label"], [["a1", "First"]])
    tables.import_files(store, tables.load_mapping(tmp_path / "m.json"), [data],
                        check=write_check(store))
    assert select(store, f"SELECT ?l {{ <{BASE}id/concept/mine/a1> skos:prefLabel ?l }}") == [
        {"l": "First"}]


def test_an_unsupported_csvw_property_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text("""{"tables": [{"name": "t", "construct": "x.rq",
      "tableSchema": {"columns": [{"name": "a", "separator": ";"}]}}]}""")
    with pytest.raises(tables.MappingError, match="unsupported CSVW properties separator"):
        tables.load_mapping(tmp_path / "m.json")


def test_the_cli_imports_and_reports_per_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    shutil.copy(HE / "legalBasis_sample100.csv", tmp_path / "lb.csv")
    config = Config(store_dir=tmp_path / "store", query_workers=1)
    code = main(["import", "cordis", str(tmp_path / "lb.csv"), "--release", "2025-02"],
                config=config)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip().endswith(f"imported into <{BASE}graph/import/cordis/legalBasis>")
    code = main(["import", "cordis", str(tmp_path / "nothing.csv")], config=config)
    assert code == 2


def test_organisations_carry_the_cordis_activity_type_and_sme_flag(he: OxigraphStore) -> None:
    header, rows = read_csv(HE / "organization_sample100.csv")
    row = rows[0]
    found = select(he, f"""SELECT ?code ?sme {{ <{PIC}{row[header.index('organisationID')]}>
        cor:activityType/skos:notation ?code ; cor:sme ?sme }}""")
    assert found == [{"code": row[header.index("activityType")],
                      "sme": row[header.index("SME")].lower()}]


def _import_graph(store: OxigraphStore, table: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    name = ox.NamedNode(f"{BASE}graph/import/cordis/{table}")
    for q in store.reader().quads_for_pattern(None, None, None, name):
        graph.add(tuple(rdflib.util.from_n3(str(t)) for t in (q.subject, q.predicate, q.object)))
    return graph


def test_a_table_mapped_in_many_batches_gives_the_same_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole = bundled_store(tmp_path / "whole")
    run_import(whole, "cordis", *HE_SAMPLES, release="2025-02")
    monkeypatch.setattr(tables, "BATCH_ROWS", 7)  # 15 batches
    monkeypatch.setattr(tables, "QUERY_THREADS", 3)  # on several threads, whatever the machine
    batched = bundled_store(tmp_path / "batched")
    run_import(batched, "cordis", *HE_SAMPLES, release="2025-02")
    expected = _import_graph(whole, "organization")
    assert len(expected) > 1000
    assert isomorphic(_import_graph(batched, "organization"), expected)


def test_the_first_bad_row_is_reported_when_later_batches_were_read_ahead(
    tmp_path: Path, store: OxigraphStore, monkeypatch: pytest.MonkeyPatch,
) -> None:
    header, rows = read_csv(HE / "organization_sample100.csv")
    rows[3][header.index("country")] = "QQ"  # row 5: an unknown code, found by a SPARQL check
    # row 12: a bad cell, found by the reader while row 5's batch is still being mapped (the
    # batches of 4 rows: 2-5, 6-9, 10-13; the read-ahead holds up to 2 × the threads)
    rows[10][header.index("ecContribution")] = "12x4"
    path = write_csv(tmp_path / "organization.csv", header, rows)
    monkeypatch.setattr(tables, "BATCH_ROWS", 4)
    monkeypatch.setattr(tables, "QUERY_THREADS", 2)
    message = _rejected(store, "cordis", path)
    assert message.startswith(f"{path}:5:12: column 'country': unknown country code")
