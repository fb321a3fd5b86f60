"""Of several clients that PUT or POST the same new graph at once, exactly one is told it created
the graph (201); the others replaced or added to it (204). Neither reply has a body, so neither
carries a Content-Type (GSP §5.3/§5.5)."""

from __future__ import annotations

import threading

import pytest
import requests

from tests.sparql.conftest import BASE, EX, TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
CLIENTS = 6


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_concurrent_writes_creating_one_graph_get_one_201(live, method):
    graph = BASE + f"graph/gsp-test/concurrent-{method.lower()}"
    start = threading.Barrier(CLIENTS)
    replies: list[requests.Response] = []

    def write(n: int) -> None:
        body = f'<{EX}c{n}> <{EX}name> "client {n}" .'.encode()
        start.wait()
        replies.append(requests.request(method, live.graph_store, params={"graph": graph},
                                        data=body, headers=AUTH))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(r.status_code for r in replies)
    assert statuses == [201] + [204] * (CLIENTS - 1), [r.text for r in replies]
    assert all("Content-Type" not in r.headers and r.content == b"" for r in replies)
    subjects = requests.get(live.graph_store, params={"graph": graph},
                            headers={"Accept": "application/n-triples"}).text.count(f"<{EX}c")
    assert subjects == (1 if method == "PUT" else CLIENTS)  # PUT: the last one wins whole
