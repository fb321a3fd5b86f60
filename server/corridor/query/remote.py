"""User SPARQL on a remote store: the same limits as the worker pool, enforced around an HTTP
request instead of a killable process.

* The query form is read from the text (a query is not parsed here first: parsing with
  pyoxigraph means evaluating); syntax errors are the remote's 400s, answered as 400 with
  pyoxigraph's message and position when it refuses the text too. SERVICE
  targets were already checked against the allow-list by the endpoint; updates and LOAD never
  get here (the query endpoint is read-only).
* The dataset is always sent explicitly (``default-graph-uri``/``named-graph-uri``): withheld
  graphs and Corridor's state graph are never in it, whatever the query's FROM clauses say.
* Time limit: the remote's own where it has one (Virtuoso's ``timeout`` parameter, whose
  "anytime" partial answers — header ``X-SQL-State: S1TAT`` — are refused; Oxigraph server's
  ``--timeout-s``, set by its operator), plus Corridor's: the HTTP request is abandoned at the
  deadline and the client gets the usual 503.
* Row limits and serialisation are the pool's (:func:`executor.run_query`): the remote's
  answer is parsed into pyoxigraph results and re-serialised in the client's format.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

import pyoxigraph as ox

from corridor.query import executor
from corridor.query import text as sparql_text
from corridor.query.executor import QueryJob, QueryOutcome
from corridor.store import Store, StoreError, memory_store
from corridor.store.remote import DEFAULT_GRAPH, EMPTY_GRAPH, RemoteStore
from corridor.store.sparql_http import (
    ACCEPT_GRAPH,
    RESULTS_JSON,
    RemoteError,
    media_type_of,
    parse_response,
)


class _Answer:
    """Stands in for a store in :func:`executor.run_query`: its one query's result."""

    def __init__(self, result: Any) -> None:
        self._result = result

    def query(self, *_args: Any, **_kwargs: Any) -> Any:
        return self._result


class RemoteQueryService:
    """The :class:`~corridor.query.executor.QueryService` of a :class:`RemoteStore`."""

    def __init__(self, store: Store) -> None:
        assert isinstance(store, RemoteStore)
        self.store: RemoteStore = store
        workers = max(1, store.config.query_workers)
        self._slots: threading.BoundedSemaphore = threading.BoundedSemaphore(workers * 4)

    def _dataset(self, job: QueryJob) -> tuple[list[str], list[str]]:
        dataset = job.dataset
        graphs = self.store.named_graphs(public=False)
        if dataset.mode == "union":
            default, named = [DEFAULT_GRAPH, *graphs], graphs
        elif dataset.mode == "public":
            named = [g for g in graphs if not dataset.withholds(g)]
            default = [DEFAULT_GRAPH, *named]
        else:
            default = [DEFAULT_GRAPH if g is None else g for g in dataset.default]
            named = list(dataset.named)
        return self.store.default_graphs(default), named

    def execute(self, job: QueryJob, timeout: float | None = None,
                client: str | None = None) -> QueryOutcome:
        limit = timeout or self.store.config.query_timeout
        form = sparql_text.query_form(job.sparql)
        if form is None:  # not a query at all: let the local parser say where it fails
            raise executor.QuerySyntaxError("expected SELECT, ASK, CONSTRUCT or DESCRIBE")
        if form == "graph" and job.graph_type is None or (
                form != "graph" and job.results_type is None):
            raise executor.NotAcceptable(form)
        if not self._slots.acquire(timeout=limit):
            raise executor.PoolBusy()
        try:
            result = self._ask(job, limit, form)
        finally:
            self._slots.release()
        return _deliver(result, job)

    def _ask(self, job: QueryJob, limit: float, form: str) -> Any:
        default, named = self._dataset(job)
        text = sparql_text.for_explicit_dataset(job.sparql, job.base_iri, frozenset(named),
                                                EMPTY_GRAPH)
        if job.base_iri and not sparql_text.declares_base(text):
            text = f"BASE <{job.base_iri}> {text}"  # same line: error positions stay on it
        fields = [("query", text),
                  # the empty graph is named too: Virtuoso lets GRAPH <g> see any graph
                  # that the named graphs leave out, but honours it for one listed
                  *self.store.client.dataset_fields(default or [EMPTY_GRAPH],
                                                    [*named, EMPTY_GRAPH]),
                  ("timeout", str(int(limit * 1000)))]  # Virtuoso's limit (ms); others ignore it
        client = self.store.client
        accept = ACCEPT_GRAPH if form == "graph" else RESULTS_JSON
        try:
            response = client.post(client.query_url, fields, accept, timeout=limit)
        except RemoteError as e:
            if e.status is None and "timed out" in str(e):
                raise executor.QueryTimeout() from None
            if e.status == 400:  # the remote's parser refused it (the text is not checked here)
                raise executor.QuerySyntaxError(_local_syntax_error(job) or str(e)) from None
            raise executor.QueryFailed(str(e)) from None
        if response.headers.get("X-SQL-State") == "S1TAT":  # Virtuoso: a partial answer
            response.close()
            raise executor.QueryTimeout()
        watchdog = threading.Timer(limit, _abandon, (response,))
        watchdog.start()
        try:
            result = parse_response(response)
        except (TimeoutError, OSError, ValueError):
            raise executor.QueryTimeout() from None
        except StoreError as e:
            raise executor.QueryFailed(f"{e} ({media_type_of(response)})") from None
        finally:
            watchdog.cancel()
        if isinstance(result, list):  # triples: a real QueryTriples for the serialiser
            scratch = memory_store(ox.Quad(t.subject, t.predicate, t.object) for t in result)
            return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
        return result

    def close(self) -> None:
        """Nothing runs in the background: requests end with their deadline."""


def _local_syntax_error(job: QueryJob) -> str | None:
    """pyoxigraph's own message for a text the remote refused, if it refuses it too: the same
    words and position ("error at 1:26") as on the embedded store, whatever the remote says
    (Virtuoso names the line only). Only on this error path, and on an empty store."""
    try:
        memory_store().query(job.sparql, base_iri=job.base_iri or None)
    except SyntaxError as e:
        return str(e)
    except Exception:  # noqa: BLE001 - evaluation is not the point: the text parsed
        return None
    return None


def _deliver(result: Any, job: QueryJob) -> QueryOutcome:
    """Serialise ``result`` for the client as the worker pool does (row limit included)."""
    messages: list[tuple] = []
    executor.run_query(_Answer(result), job, messages.append,  # type: ignore[arg-type]
                       lambda _store, _dataset: {})
    first = messages[0]
    if first[0] != "start":
        return executor.outcome_of(first)
    chunks = [first[3]] + [m[1] for m in messages[1:] if m[0] == "chunk"]
    return QueryOutcome(first[1], first[2], bool(messages[-1][1]), iter(chunks))


def _abandon(response: Any) -> None:
    """Corridor's own deadline: stop reading the answer (the connection is closed)."""
    try:
        response.fp.raw._sock.shutdown(socket.SHUT_RDWR)  # unblock a read in progress
    except (AttributeError, OSError):
        response.close()
