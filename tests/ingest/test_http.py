"""``POST /import/{mapping}`` over real HTTP: the token holder imports; others cannot; a bad
table answers 400 with its location and the store stays as it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from corridor.ingest.loader import load_bundled
from tests.sparql.conftest import TOKEN, LiveServer, start_server

from .conftest import HE, read_csv, write_csv

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    for live in start_server(tmp_path_factory.mktemp("http"), max_request_bytes=10_000_000):
        load_bundled(live.store)
        yield live


def upload(server: LiveServer, *names: str, headers: dict | None = None, **params: str):
    files = [("file", (n, (HE / n).read_bytes(), "text/csv")) for n in names]
    return requests.post(f"{server.url}/import/cordis", files=files, params=params,
                         headers=AUTH if headers is None else headers, timeout=120)


def test_the_token_holder_imports_tables_over_http(server: LiveServer) -> None:
    response = upload(server, "project_sample100.csv", "topics_sample100.csv")
    assert response.status_code == 200, response.text
    results = {r["file"]: r for r in response.json()["results"]}
    assert results["project_sample100.csv"]["table"] == "project"
    assert results["project_sample100.csv"]["rows"] == 100
    ask = requests.get(server.sparql, params={"query": """ASK { GRAPH ?g {
        <https://w3id.org/corridor/id/project/grant/101116741> a
        <https://w3id.org/corridor/ontology#Project> } }"""},
        headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert ask.json()["boolean"] is True


def test_an_import_without_the_token_is_refused(server: LiveServer) -> None:
    assert upload(server, "legalBasis_sample100.csv", headers={}).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert upload(server, "legalBasis_sample100.csv", headers=wrong).status_code == 403


def test_a_bad_table_answers_400_with_its_location_and_changes_nothing(
    server: LiveServer, tmp_path,
) -> None:
    header, rows = read_csv(HE / "project_sample100.csv")
    rows[2][header.index("startDate")] = "2024-13-45x"
    path = write_csv(tmp_path / "project.csv", header, rows)
    version = server.store.version
    response = requests.post(f"{server.url}/import/cordis", headers=AUTH, timeout=60,
                             files=[("file", ("project.csv", path.read_bytes(), "text/csv"))])
    assert response.status_code == 400
    assert "project.csv:4:5: column 'startDate'" in response.text
    assert "'2024-13-45x'" in response.text
    assert server.store.version == version
