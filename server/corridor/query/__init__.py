"""User SPARQL under limits: the killable worker pool and the dataset rules of a query.

:func:`queries_for` gives a store's query service (worker processes over the embedded store's
checkpoints, or the remote store's endpoint); :mod:`corridor.query.text` analyses query text
(forms, SERVICE/LOAD targets) before anything runs.
"""

from __future__ import annotations

from typing import Protocol, cast

from corridor.query.executor import (
    Dataset,
    QueryJob,
    QueryOutcome,
    QueryService,
)
from corridor.store import Store

__all__ = ["Dataset", "Queries", "QueryJob", "QueryOutcome", "QueryService", "queries_for"]


class Queries(Protocol):
    """What runs a user query for a store: :class:`QueryService` (embedded) or
    ``remote.RemoteQueryService``."""

    def execute(self, job: QueryJob, timeout: float | None = None,
                client: str | None = None) -> QueryOutcome: ...

    def close(self) -> None: ...


def queries_for(store: Store) -> Queries:
    """The query service of ``store`` (created on first use, kept with the store, closed with
    it): forwards to the remote endpoint for a remote store, with the same limits."""
    service = store.extensions.get("corridor.queries")
    if service is None:
        if store.config.is_remote:
            from corridor.query.remote import RemoteQueryService

            created: Queries = RemoteQueryService(store)
        else:
            created = QueryService(store)
        service = store.extensions.setdefault("corridor.queries", created)
    return cast(Queries, service)
