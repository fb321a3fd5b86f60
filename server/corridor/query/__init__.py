"""User SPARQL under limits: the killable worker pool and the dataset rules of a query.

:func:`queries_for` gives a store's :class:`QueryService`; :mod:`corridor.query.text` analyses
query text (forms, SERVICE/LOAD targets) before anything runs.
"""

from corridor.query.executor import (
    Dataset,
    QueryJob,
    QueryOutcome,
    QueryService,
    queries_for,
)

__all__ = ["Dataset", "QueryJob", "QueryOutcome", "QueryService", "queries_for"]
