"""The store boundary: the only package that touches pyoxigraph's ``Store`` or the store's files.

Everything else asks a :class:`Store` (versions, read views, queries, quad patterns, graph
listing and counts, dumps, validated transactions, the change log, commit listeners).
"""

from corridor.store.base import (
    QUERY_THREADS,
    Change,
    Quad,
    ReadView,
    Snapshot,
    Store,
    StoreError,
    StoreLockedError,
    Term,
    UpdateLimits,
    WriteCheck,
    WriteRejected,
    Writes,
    is_withheld_metadata,
    os_reason,
    public_quads,
)
from corridor.store.limited_update import UpdateStopped
from corridor.store.oxigraph import (
    PUBLIC_SUFFIX,
    CheckpointStore,
    OxigraphStore,
    Transaction,
    memory_store,
    open_checkpoint,
    open_store,
    stored_form,
)

__all__ = [
    "PUBLIC_SUFFIX",
    "QUERY_THREADS",
    "Change",
    "CheckpointStore",
    "OxigraphStore",
    "Quad",
    "ReadView",
    "Snapshot",
    "Store",
    "StoreError",
    "StoreLockedError",
    "Term",
    "Transaction",
    "UpdateLimits",
    "UpdateStopped",
    "WriteCheck",
    "WriteRejected",
    "Writes",
    "is_withheld_metadata",
    "memory_store",
    "open_checkpoint",
    "open_store",
    "os_reason",
    "public_quads",
    "stored_form",
]
