"""Runtime configuration: one frozen object, built from defaults, environment and CLI flags.

Every setting has a safe default so `corridor serve` works with no configuration at all; the
environment variable beside each field lets a deployment change it without touching code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import ClassVar

from corridor.rdf.namespaces import COR
from corridor.resources import bundled

DEFAULT_BASE_IRI = "https://w3id.org/corridor/"
ONTOLOGY_NS = COR


def _env_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(value: str) -> tuple[str, ...]:
    return tuple(item for item in value.replace(",", " ").split() if item)


@dataclass(frozen=True)
class Config:
    """Settings of one Corridor deployment (see README, "Configuration")."""

    store_dir: Path = field(default_factory=lambda: Path.cwd() / "corridor-store")
    base_iri: str = DEFAULT_BASE_IRI
    write_token: str | None = None
    query_timeout: float = 30.0
    update_timeout: float = 60.0  # a SPARQL Update's child process is killed after this
    max_result_rows: int = 100_000
    max_request_bytes: int = 10 * 1024 * 1024
    query_workers: int = 2
    # workers one client address may hold at once (None: all but one; 0: no limit)
    queries_per_client: int | None = None
    query_memory_mb: int = 4096  # address space (RLIMIT_AS) one query may add to its worker
    allowed_service_endpoints: tuple[str, ...] = ()
    publish_personal_data: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    ontology_dir: Path = field(default_factory=lambda: bundled("ontology"))
    shapes_dir: Path = field(default_factory=lambda: bundled("shapes"))
    data_dir: Path = field(default_factory=lambda: bundled("data"))
    queries_dir: Path = field(default_factory=lambda: bundled("queries"))
    in_memory: bool = False
    # a remote SPARQL 1.1 store instead of the embedded one (see store/remote.py, README)
    store_url: str | None = None  # the SPARQL Query endpoint; set = the remote backend
    update_url: str | None = None  # the SPARQL Update endpoint (default: store_url)
    gsp_url: str | None = None  # the Graph Store endpoint (optional: used for graph reads)
    store_user: str | None = None
    store_password: str | None = None
    remote_poll: float = 1.0  # how stale this process's view of another's write may be (s)

    _ENV: ClassVar[dict[str, tuple[str, Callable[[str], object]]]] = {
        "store_dir": ("CORRIDOR_STORE", Path),
        "base_iri": ("CORRIDOR_BASE_IRI", str),
        "write_token": ("CORRIDOR_WRITE_TOKEN", str),
        "query_timeout": ("CORRIDOR_QUERY_TIMEOUT", float),
        "update_timeout": ("CORRIDOR_UPDATE_TIMEOUT", float),
        "max_result_rows": ("CORRIDOR_MAX_RESULT_ROWS", int),
        "max_request_bytes": ("CORRIDOR_MAX_REQUEST_BYTES", int),
        "query_workers": ("CORRIDOR_QUERY_WORKERS", int),
        "queries_per_client": ("CORRIDOR_QUERIES_PER_CLIENT", int),
        "query_memory_mb": ("CORRIDOR_QUERY_MEMORY_MB", int),
        "allowed_service_endpoints": ("CORRIDOR_ALLOWED_SERVICE_ENDPOINTS", _env_list),
        "publish_personal_data": ("CORRIDOR_PUBLISH_PERSONAL_DATA", _env_bool),
        "host": ("CORRIDOR_HOST", str),
        "port": ("CORRIDOR_PORT", int),
        "store_url": ("CORRIDOR_STORE_URL", str),
        "update_url": ("CORRIDOR_UPDATE_URL", str),
        "gsp_url": ("CORRIDOR_GSP_URL", str),
        "store_user": ("CORRIDOR_STORE_USER", str),
        "store_password": ("CORRIDOR_STORE_PASSWORD", str),
        "remote_poll": ("CORRIDOR_REMOTE_POLL", float),
    }

    def __post_init__(self) -> None:
        if not self.base_iri.endswith(("/", "#")):
            object.__setattr__(self, "base_iri", self.base_iri + "/")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Config:
        """Defaults, then environment variables, then explicit overrides (CLI flags)."""
        source: Mapping[str, str] = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, (var, convert) in cls._ENV.items():
            if source.get(var):
                values[name] = convert(source[var])
        values.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> Config:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def is_remote(self) -> bool:
        """Whether the data lives in a remote SPARQL 1.1 store (``store_dir`` then holds only
        Corridor's derived files: figures, search index, dumps)."""
        return bool(self.store_url)

    # IRIs derived from the base -------------------------------------------------------------
    def graph_iri(self, name: str) -> str:
        """IRI of a named graph, e.g. ``graph_iri("projects/boost")``."""
        return f"{self.base_iri}graph/{name.strip('/')}"

    @property
    def meta_graph(self) -> str:
        return self.graph_iri("meta")

    @property
    def personal_graph_prefix(self) -> str:
        return self.graph_iri("personal") + "/"

    def is_withheld(self, graph_iri: str) -> bool:
        """Graphs the public service must not expose (personal data unless published)."""
        return not self.publish_personal_data and (
            graph_iri.startswith(self.personal_graph_prefix)
            or graph_iri == self.graph_iri("personal")
        )
