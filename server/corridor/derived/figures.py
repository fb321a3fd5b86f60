"""Figures, facets and chart data, computed once per store version.

Whole-graph aggregations take minutes on millions of triples, so pages never wait for them:
:func:`stats_for` serves the newest figures it has (from memory, else from the JSON file the
store folder keeps per version) and recomputes them in a background thread when the store has
moved on. A fresh store with no figures yet shows empty ones (``Stats.computed_at`` None) for
the few seconds the first computation takes.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import json
import logging
import os
import re
import sys
import threading
import time
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from corridor.rdf.namespaces import COR
from corridor.store import CheckpointStore, OxigraphStore

log = logging.getLogger(__name__)
FIGURES_DIR = "figures"  # in the store folder: stats-<version>.json.gz
KEPT = ".json.gz"  # kept figures are gzip-compressed JSON
GZIP_LEVEL = 3  # at 1M triples 17 MB of figures JSON become 1.4 MB (35 MiB in all: 2.2)
STALE_WAIT = 1.0  # seconds a request may wait for kept figures to catch up after a commit
FIRST_WAIT = 0.5  # seconds a request may wait for figures when none exist yet (small stores)
PENDING_WAIT = 1.0  # seconds a request may wait for the first kept figures of a large store


class FiguresPending(Exception):
    """A large store's first figures of this kind are still being computed (in a child
    process): the request is answered "try again" instead of waiting for minutes."""

PREFIXES = f"""PREFIX cor: <{COR}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX dct: <http://purl.org/dc/terms/>
"""
FACETS = ("programme", "country", "region", "theme", "period", "role")
FACET_TITLES = {
    "programme": "Programme",
    "country": "Country",
    "region": "Region",
    "theme": "Thematic area",
    "period": "Period",
    "role": "Role",
}


UNKNOWN = "-"  # the facet value of projects that have no value for the facet

MEMO_ENTRIES = 512  # derived views kept per version (languages x pages x facet selections)


class Memo:
    """A thread-safe LRU of derived values: requests read while others add, and its size is
    bounded whatever keys (languages, selections) clients send."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, compute: Any) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()  # outside the lock: a slow view must not hold up the others
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)


@dataclass
class Stats:
    """Everything the home, browse and view pages show that needs aggregation."""

    version: int
    counts: dict[str, int] = field(default_factory=dict)
    classes: list[tuple[str, int]] = field(default_factory=list)
    project_facets: dict[str, dict[str, Collection[str]]] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    organisations: dict[str, dict[str, Any]] = field(default_factory=dict)
    participations: list[tuple[str, str, str | None]] = field(default_factory=list)
    budgets_by_programme: dict[str, float] = field(default_factory=dict)
    budgets_by_country: dict[str, float] = field(default_factory=dict)  # "" = country unknown
    budgets_by_year: dict[str, float] = field(default_factory=dict)
    # per project, the fraction of its budget per partner country ("" = unknown): sums to 1
    country_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    country_codes: dict[str, str] = field(default_factory=dict)
    project_labels: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    # what is known only at project level (BOOST names its consortium's countries, not whose
    # partner is where; it dates its activities, not itself): shown as such by the views
    project_countries: dict[str, list[str]] = field(default_factory=dict)
    project_activity_dates: dict[str, tuple[str, str]] = field(default_factory=dict)
    computed_at: float | None = None  # epoch seconds; None: placeholder while computing
    links_file: str | None = None  # organisations and participations, when kept on disk
    _memo: Memo = field(default_factory=lambda: Memo(MEMO_ENTRIES), repr=False)

    def memo(self, key: tuple, compute: Any) -> Any:
        """A value derived from these figures (a view in one language, a facet selection),
        kept with them: the most recently used :data:`MEMO_ENTRIES` of them."""
        return self._memo.get(key, compute)

    def links(self) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str, str | None]]]:
        """(organisations, participations): read from the store folder each time when large
        (only the map and network views need them, and they keep what they derive)."""
        if self.links_file is None:
            return self.organisations, self.participations
        try:
            data = read_json(Path(self.links_file))
            return _organisations_of(data), _participations_of(data)
        finally:
            release_memory()

    def facet_counts(self, selected: dict[str, set[str]]) -> dict[str, Counter]:
        """Counts per facet value among projects matching the *other* selected facets."""
        result: dict[str, Counter] = {}
        for facet in FACETS:
            others = {k: v for k, v in selected.items() if k != facet and v}
            counter: Counter = Counter()
            for project in self.matching_projects(others):
                values = self.project_facets.get(project, {}).get(facet, ())
                counter.update(values or (UNKNOWN,))
            result[facet] = counter
        return result

    def matching_projects(self, selected: dict[str, set[str]]) -> list[str]:
        """Projects having, for every selected facet, at least one of the selected values
        (:data:`UNKNOWN` selects the projects without a value for the facet)."""
        out = []
        for project in self.projects:
            values = self.project_facets.get(project, {})
            if all(
                not wanted
                or not wanted.isdisjoint(values.get(f, ()))
                or (UNKNOWN in wanted and not values.get(f))
                for f, wanted in selected.items()
            ):
                out.append(project)
        return out


@dataclass
class KeptState:
    """What one store keeps of one kind of figures (in ``store.extensions``, so it lives and
    dies with the store object the app owns): the newest value, the computation lock and the
    background thread."""

    value: Any = None  # Stats, or (version, value) for KeptFigures
    lock: threading.Lock = field(default_factory=threading.Lock)  # held during a computation
    threads_lock: threading.Lock = field(default_factory=threading.Lock)  # guards ``thread``
    thread: threading.Thread | None = None
    listening: bool = False


def kept_state(store: OxigraphStore, name: str) -> KeptState:
    state = store.extensions.setdefault(f"corridor.figures.{name}", KeptState())
    assert isinstance(state, KeptState)
    return state


computations = 0  # how many times figures were computed from the graph (tests, benches)


def stats_for(store: OxigraphStore, wait: bool = False) -> Stats:
    """The newest figures of the store; never blocks on whole-graph work unless ``wait``.

    Current figures come from memory or from the store folder. Otherwise the previous figures
    (or an empty placeholder) are returned at once while a background thread computes the
    current ones. ``wait=True`` always returns current figures (tests, CLI).
    """
    state = kept_state(store, "stats")
    _listen(store)
    cached = state.value
    if cached is not None and cached.version == store.version:
        return cached
    if wait:
        return _compute_now(store)
    if cached is None:  # first use in this process: figures a previous run kept
        stored = _load(store)
        if stored is not None:
            state.value = cached = stored
            keep_out_of_gc()
            if stored.version == store.version:
                return stored
    worker = _refresh_in_background(store)
    if cached is None and not is_large(store):  # a small store is done in a moment
        worker.join(FIRST_WAIT)
        cached = state.value
    return cached if cached is not None else Stats(version=-1)


def warm(store: OxigraphStore) -> None:
    """Have current figures ready soon (called at start; returns at once)."""
    state = kept_state(store, "stats")
    cached = state.value
    if cached is None or cached.version != store.version:
        stored = _load(store)
        if stored is not None:
            state.value = stored
            keep_out_of_gc()
        if stored is None or stored.version != store.version:
            _refresh_in_background(store)
    _listen(store)


def _listen(store: OxigraphStore) -> None:
    state = kept_state(store, "stats")
    with state.threads_lock:
        if state.listening:
            return
        state.listening = True
    def refresh(_version: int) -> None:
        _refresh_in_background(store)

    store.on_commit(refresh)


def _compute_now(store: OxigraphStore) -> Stats:
    global computations
    state = kept_state(store, "stats")
    with state.lock:
        version = store.version
        cached = state.value
        if cached is None or cached.version != version:
            computations += 1
            folder = _figures_dir(store)
            if folder is None or not is_large(store):
                cached = compute(store, version)
            else:  # whole-graph work in a child process: its memory peak is not ours to keep
                folder.mkdir(parents=True, exist_ok=True)
                target = folder / f"stats-{version}{KEPT}"
                run_in_child(store, "corridor.derived.figures:compute_json", version, target)
                cached = _from_json(read_json(target), target)
                release_memory()
            state.value = cached
            keep_out_of_gc()
            _save(store, cached)
        return cached


def _refresh_in_background(store: OxigraphStore) -> threading.Thread:
    def work() -> None:
        while _compute_now(store).version != store.version:  # a commit came meanwhile
            pass

    return _in_background(kept_state(store, "stats"), "stats", work)


# ------------------------------------------------------------------ persistence
def _figures_dir(store: OxigraphStore) -> Path | None:
    return store.derived_dir(FIGURES_DIR)


def _save(store: OxigraphStore, stats: Stats) -> None:
    folder = _figures_dir(store)
    if folder is None:
        return
    try:
        target = folder / f"stats-{stats.version}{KEPT}"
        if not target.exists():
            write_json(target, _to_json(stats))
        _forget_other_versions(folder, "stats", stats.version)
    except OSError:
        log.exception("could not keep the figures in %s", folder)


def write_json(target: Path, data: Any) -> None:
    """Write ``data`` so that readers see the old file or the whole new one, never a part;
    gzip-compressed when the name ends in ``.gz`` (kept figures: JSON shrinks ~10×, and
    reading it back costs a few ms per MB)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    text = json.dumps(data).encode("utf-8")
    if target.suffix == ".gz":
        with gzip.open(tmp, "wb", compresslevel=GZIP_LEVEL) as f:
            f.write(text)
    else:
        tmp.write_bytes(text)
    os.replace(tmp, target)


def read_json(path: Path) -> Any:
    """JSON written by :func:`write_json` (plain or gzip-compressed, told by its first bytes:
    files kept by an older Corridor are plain)."""
    with path.open("rb") as f:
        compressed = f.read(2) == b"\x1f\x8b"
    if compressed:
        with gzip.open(path, "rb") as f:
            return json.loads(f.read())
    return json.loads(path.read_bytes())



def _kept_files(folder: Path, name: str) -> list[tuple[int, Path, bool]]:
    """(version, path, is a part) of the ``<name>-<version>[-<part>].json[.gz]`` files in
    ``folder``, newest version first."""
    pattern = re.compile(rf"{re.escape(name)}-(\d+)(-[a-z]+)?\.json(\.gz)?")
    found = []
    for path in folder.glob(f"{name}-*.json*") if folder.is_dir() else ():
        match = pattern.fullmatch(path.name)
        if match:
            found.append((int(match.group(1)), path, match.group(2) is not None))
    return sorted(found, reverse=True)


def _forget_other_versions(folder: Path, name: str, version: int) -> None:
    """Remove the kept files of this kind (parts too) that belong to other versions."""
    for kept, path, _part in _kept_files(folder, name):
        if kept != version:
            path.unlink(missing_ok=True)


def _in_background(state: KeptState, name: str, work: Any) -> threading.Thread:
    """The thread doing ``work`` for one store (started unless one is running already)."""
    with state.threads_lock:
        thread = state.thread
        if thread is not None and thread.is_alive():
            return thread

        def run() -> None:
            try:
                work()
            except Exception:  # a closed or deleted store: the next request retries
                log.exception("computing the %s figures failed", name)

        thread = threading.Thread(target=run, name=f"corridor-{name}", daemon=True)
        state.thread = thread
        thread.start()
        return thread


def _load(store: OxigraphStore) -> Stats | None:
    """The newest figures kept in the store folder (any version), or None."""
    folder = _figures_dir(store)
    if folder is None:
        return None
    for _version, path, part in _kept_files(folder, "stats"):
        if part:  # the links file beside the figures
            continue
        try:
            return _from_json(read_json(path), path)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        finally:
            release_memory()
    return None


_FREEZE = {"enabled": False}  # process-wide, like the collector itself: set by `corridor serve`


def freeze_long_lived(enabled: bool = True) -> None:
    """Let :func:`keep_out_of_gc` freeze (a serving process: its stores live as long as it)."""
    _FREEZE["enabled"] = enabled


def keep_out_of_gc() -> None:
    """Exempt every object alive now from the cyclic garbage collector (``gc.freeze``).

    Figures and the collaboration network are millions of long-lived objects that each full
    collection walks again, inside whichever request triggered it: at 5M triples with the
    network held, one search in ten paused 1.8 s (p90 1810 ms, 62 ms frozen; measured).
    Reference counting still frees them when a newer version replaces them; only a reference
    cycle alive at that moment is kept for good, so a process that opens and drops stores
    (tests, the CLI) leaves this off.
    """
    if _FREEZE["enabled"]:
        gc.freeze()


def release_memory() -> None:
    """Give the memory a big JSON parse freed back to the system (glibc keeps it otherwise)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _to_json(stats: Stats) -> dict[str, Any]:
    return {
        "version": stats.version,
        "computed_at": stats.computed_at,
        "counts": stats.counts,
        "classes": stats.classes,
        "project_facets": {
            p: {f: sorted(v) for f, v in facets.items() if v}
            for p, facets in stats.project_facets.items()
        },
        "projects": {
            p: {**e, "programmes": sorted(e["programmes"])} for p, e in stats.projects.items()
        },
        "organisations": {
            o: {**e, "regions": sorted(e["regions"])} for o, e in stats.organisations.items()
        },
        "participations": stats.participations,
        "budgets_by_programme": stats.budgets_by_programme,
        "budgets_by_country": stats.budgets_by_country,
        "budgets_by_year": stats.budgets_by_year,
        "country_shares": stats.country_shares,
        "country_codes": stats.country_codes,
        "project_labels": stats.project_labels,
        "project_countries": stats.project_countries,
        "project_activity_dates": stats.project_activity_dates,
    }


def _i(text: str | None) -> str | None:
    return None if text is None else sys.intern(text)


def _organisations_of(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        o: {"country": _i(e["country"]), "regions": tuple(_i(r) for r in e["regions"])}
        for o, e in data["organisations"].items()
    }


def _participations_of(data: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [tuple(_i(v) for v in x) for x in data["participations"]]  # type: ignore[misc]


def _from_json(data: dict[str, Any], path: Path | None = None) -> Stats:
    links = "participations" not in data and path is not None
    return Stats(
        version=data["version"],
        computed_at=data["computed_at"],
        counts=data["counts"],
        classes=[tuple(c) for c in data["classes"]],
        # tuples, and only the facets a project has: a set costs 4x a small tuple
        project_facets={
            p: {f: tuple(sys.intern(v) for v in values) for f, values in facets.items() if values}
            for p, facets in data["project_facets"].items()
        },
        projects={
            p: {**e, "programmes": set(e["programmes"])} for p, e in data["projects"].items()
        },
        organisations={} if links else _organisations_of(data),
        participations=[] if links else _participations_of(data),
        links_file=str(path.with_name(
            f"stats-{data['version']}-links{KEPT if path.suffix == '.gz' else '.json'}"))
        if links and path is not None else None,
        budgets_by_programme=data["budgets_by_programme"],
        budgets_by_country=data["budgets_by_country"],
        budgets_by_year=data.get("budgets_by_year", {}),
        country_shares=data.get("country_shares", {}),
        country_codes=data["country_codes"],
        project_labels={
            p: [tuple(x) for x in options] for p, options in data["project_labels"].items()
        },
        project_countries=data.get("project_countries", {}),
        project_activity_dates={
            p: (start, end) for p, (start, end) in data.get("project_activity_dates", {}).items()
        },
    )


def _rows(store: OxigraphStore, query: str) -> Iterator[Any]:
    """Solutions one at a time (a list of millions of solutions would be held at once)."""
    return iter(store.query(PREFIXES + query))


def _value(solution: Any, name: str) -> str | None:
    """The term's text, interned: the same IRI in many figures is then one object in memory."""
    term = solution[name]
    return None if term is None else sys.intern(term.value)


def _bound(solution: Any, name: str) -> str:
    """:func:`_value` of a variable the query always binds."""
    return sys.intern(solution[name].value)


def _count(store: OxigraphStore, where: str) -> int:
    row = next(_rows(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}"), None)
    return int(row["n"].value) if row is not None else 0


def compute(store: OxigraphStore, version: int) -> Stats:
    stats = Stats(version=version)
    stats.counts = {
        "projects": _count(store, "?x a cor:Project"),
        "organisations": _count(store, "?x a cor:Organisation"),
        "regions": _count(store, "?o a cor:Organisation ; cor:nutsRegion ?x"),  # in use
        "countries": _count(store, "{ ?o a cor:Organisation ; cor:country ?x }"
                            " UNION { ?p a cor:Project ; cor:consortiumCountry ?x }"),
        "programmes": _count(store, "?x a cor:FundingProgramme"),
        "triples": _count_triples(store),
    }
    stats.classes = [
        (_bound(r, "c"), int(r["n"].value))
        for r in _rows(
            store, "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)"
        )
        if isinstance(r["c"], ox.NamedNode)
    ]
    for r in _rows(store, "SELECT ?c ?code WHERE { ?c a cor:Country ; skos:notation ?code }"):
        stats.country_codes[_bound(r, "c")] = _bound(r, "code")
    _projects(store, stats)
    _organisations(store, stats)
    _participations(store, stats)
    _budgets(store, stats)
    _project_labels(store, stats)
    stats.computed_at = time.time()
    return stats


def _count_triples(store: OxigraphStore) -> int:
    row = next(_rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), None)
    return int(row["n"].value) if row is not None else 0


def _projects(store: OxigraphStore, stats: Stats) -> None:
    for r in _rows(
        store,
        """SELECT ?p ?start ?end ?budget ?eu ?status ?programme WHERE {
        ?p a cor:Project .
        OPTIONAL { ?p schema:startDate ?start } OPTIONAL { ?p schema:endDate ?end }
        OPTIONAL { ?p cor:totalBudget/schema:value ?budget }
        OPTIONAL { ?p cor:euContribution/schema:value ?eu }
        OPTIONAL { ?p cor:status ?status }
        OPTIONAL { ?p cor:programme ?programme } }""",
    ):
        p = _bound(r, "p")
        entry = stats.projects.setdefault(
            p,
            {"start": None, "end": None, "budget": None, "eu": None, "status": None,
             "partners": 0, "programmes": set()},
        )
        entry["start"] = entry["start"] or _value(r, "start")
        entry["end"] = entry["end"] or _value(r, "end")
        entry["status"] = entry["status"] or _value(r, "status")
        for key in ("budget", "eu"):
            if r[key] is not None and entry[key] is None:
                with contextlib.suppress(ValueError):
                    entry[key] = float(r[key].value)
        if r["programme"] is not None:
            entry["programmes"].add(_bound(r, "programme"))
    consortium = "SELECT DISTINCT ?p ?c WHERE { ?p a cor:Project ; cor:consortiumCountry ?c }"
    for r in _rows(store, consortium):
        stats.project_countries.setdefault(_bound(r, "p"), []).append(_bound(r, "c"))
    for r in _rows(store, """SELECT ?p (MIN(?s) AS ?start) (MAX(COALESCE(?e, ?s)) AS ?end) WHERE {
        ?p a cor:Project . { ?ch cor:challengeOwner ?p . ?ev cor:hasChallenge ?ch }
        UNION { ?ev cor:withinProject ?p } ?ev schema:startDate ?s
        OPTIONAL { ?ev schema:endDate ?e } } GROUP BY ?p"""):
        if r["start"] is not None:
            stats.project_activity_dates[_bound(r, "p")] = (_bound(r, "start"), _bound(r, "end"))
    facets: dict[str, dict[str, set[str]]] = {p: {f: set() for f in FACETS} for p in stats.projects}
    for p, entry in stats.projects.items():
        facets[p]["programme"] |= entry["programmes"]
        if entry["start"]:
            start = entry["start"][:4]
            end = (entry["end"] or entry["start"])[:4]
            if start.isdigit() and end.isdigit():
                facets[p]["period"] |= {str(y) for y in range(int(start), int(end) + 1)}
    pattern = {
        "theme": "?p (cor:thematicArea|cor:topic|cor:s3Domain) ?v",
        # partners' countries, and the countries a source names for the consortium as a whole
        "country": "{ ?part cor:project ?p ; cor:organisation/cor:country ?v }"
        " UNION { ?p cor:consortiumCountry ?v }",
        "region": "{ ?part cor:project ?p ; cor:organisation/cor:nutsRegion ?v }"
        " UNION { ?p cor:targetRegion ?v }",
        "role": "?part cor:project ?p ; cor:role ?v",
    }
    for facet, where in pattern.items():
        for r in _rows(
            store, f"SELECT DISTINCT ?p ?v WHERE {{ ?p a cor:Project . {where} FILTER(isIRI(?v)) }}"
        ):
            p = _bound(r, "p")
            if p in facets:
                facets[p][facet].add(_bound(r, "v"))
    stats.project_facets = {p: dict(values) for p, values in facets.items()}


def _project_labels(store: OxigraphStore, stats: Stats) -> None:
    """Every label of every project with its property's rank, so the project list sorts by
    label in any language without one lookup per project."""
    from corridor.rdf.namespaces import LABEL_PROPERTIES

    for order, prop in enumerate(LABEL_PROPERTIES):
        for r in _rows(
            store, f"SELECT ?p ?l WHERE {{ ?p a cor:Project ; <{prop}> ?l FILTER(isLiteral(?l)) }}"
        ):
            literal = r["l"]
            stats.project_labels.setdefault(_bound(r, "p"), []).append(
                (order, literal.value, literal.language or "")
            )


def _organisations(store: OxigraphStore, stats: Stats) -> None:
    for r in _rows(
        store,
        """SELECT ?o ?country ?region WHERE { ?o a cor:Organisation .
        OPTIONAL { ?o cor:country ?country } OPTIONAL { ?o cor:nutsRegion ?region } }""",
    ):
        o = _bound(r, "o")
        entry = stats.organisations.setdefault(o, {"country": None, "regions": set()})
        entry["country"] = entry["country"] or _value(r, "country")
        if r["region"] is not None:
            entry["regions"].add(_bound(r, "region"))


def _participations(store: OxigraphStore, stats: Stats) -> None:
    stats.participations = [
        (_bound(r, "p"), _bound(r, "o"), _value(r, "role"))
        for r in _rows(
            store,
            """SELECT ?p ?o ?role WHERE { ?x cor:project ?p ; cor:organisation ?o .
            OPTIONAL { ?x cor:role ?role } }""",
        )
    ]


def _budgets(store: OxigraphStore, stats: Stats) -> None:
    """Budgets by programme, partner country and year; each project's budget counted once.

    A project's budget goes to its countries in proportion to its funded partners there (the
    associated organisations only when it has no other partners); partners of unknown country
    give their share to "" (country unknown), so the countries add up to the total. Over the
    years a budget is spread evenly across the calendar years the project runs.
    """
    partners: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for project, org, role in stats.participations:
        partners[project].append((org, role))
    by_programme: dict[str, float] = defaultdict(float)
    by_country: dict[str, float] = defaultdict(float)
    by_year: dict[str, float] = defaultdict(float)
    for project, entry in stats.projects.items():
        members = partners.get(project, [])
        entry["partners"] = len({org for org, _ in members})
        funded = {org for org, role in members if not _associated(role)} or {o for o, _ in members}
        countries = Counter(
            (stats.organisations.get(org, {}).get("country") or "") for org in sorted(funded)
        )
        total = sum(countries.values())
        shares = {c: n / total for c, n in countries.items()} if total else {"": 1.0}
        if set(shares) == {""}:  # no partner's country known: the consortium's, in equal parts
            named = sorted(stats.project_facets.get(project, {}).get("country", ()))
            if named:
                shares = {c: 1 / len(named) for c in named}
        stats.country_shares[project] = shares
        budget = entry["budget"]
        if budget is None:
            continue
        for programme in entry["programmes"] or {"(no programme)"}:
            by_programme[programme] += budget / max(1, len(entry["programmes"]))
        for country, share in shares.items():
            by_country[country] += budget * share
        years = _years(entry["start"], entry["end"])
        for year in years or ["(no dates)"]:
            by_year[year] += budget / max(1, len(years))
    stats.budgets_by_programme = dict(by_programme)
    stats.budgets_by_country = dict(by_country)
    stats.budgets_by_year = dict(sorted(by_year.items()))


def _associated(role: str | None) -> bool:
    """Whether a role is the scheme's "associated organisation" (no share of the budget)."""
    return bool(role) and role.endswith("/participation-role/associated-organisation")  # type: ignore[union-attr]


def _years(start: str | None, end: str | None) -> list[str]:
    first, last = (start or "")[:4], (end or start or "")[:4]
    if not (first.isdigit() and last.isdigit()) or int(last) < int(first):
        return []
    return [str(y) for y in range(int(first), int(last) + 1)]


def network(
    stats: Stats, level: str, limit: int | None = None,
    project_level: set[tuple[str, str]] | None = None,
) -> tuple[dict[str, int], Counter]:
    """Nodes (with project counts) and weighted edges between nodes sharing projects.

    With ``limit``, only the ``limit`` nodes in most projects and the edges between them (the
    full organisation network of millions of triples has millions of edges). At country level
    a project's consortium countries count too where its partners' countries are unknown;
    the edges that rest on such a project-level fact are added to ``project_level``."""
    members: dict[str, set[str]] = defaultdict(set)
    organisations, participations = stats.links()
    for project, org, _role in participations:
        for node in _nodes_of(organisations, org, level):
            members[project].add(node)
    del organisations, participations
    added: dict[str, set[str]] = {}
    if level == "country":
        for project, countries in stats.project_countries.items():
            added[project] = set(countries) - members[project]
            members[project] |= added[project]
    nodes: Counter = Counter()
    for group in members.values():
        nodes.update(group)
    if limit is not None and len(nodes) > limit:
        nodes = Counter(dict(nodes.most_common(limit)))
    edges: Counter = Counter()
    for group in members.values():
        ordered = sorted(n for n in group if n in nodes)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                edges[(a, b)] += 1
    if project_level is not None:
        for project, extra in added.items():
            shown = sorted(n for n in members[project] if n in nodes)
            project_level.update((a, b) for i, a in enumerate(shown) for b in shown[i + 1:]
                                 if a in extra or b in extra)
    return dict(nodes), edges


def _nodes_of(organisations: dict[str, Any], org: str, level: str) -> set[str]:
    if level == "organisation":
        return {org}
    entry = organisations.get(org, {})
    if level == "country":
        return {entry["country"]} if entry.get("country") else set()
    return {_nuts2(r) for r in entry.get("regions", ())}


NUTS_CODES = "http://data.europa.eu/nuts/code/"


def _nuts2(region: str) -> str:
    """The NUTS 2 region a NUTS 3 region is in (the network compares regions of one level)."""
    if region.startswith(NUTS_CODES) and len(region) > len(NUTS_CODES) + 4:
        return sys.intern(region[: len(NUTS_CODES) + 4])
    return region


class KeptFigures:
    """Whole-graph figures of one kind (VoID counts, DCAT coverage) kept per store version.

    Served from memory, else from ``figures/<name>-<version>.json`` in the store folder; when
    the store has moved on, the previous figures are served while a background thread computes
    the new ones. Only a store that never had them computes them while the request waits.
    """

    def __init__(
        self, name: str, compute: Any, encode: Any = None, decode: Any = None,
        child: str | None = None,
    ) -> None:
        self.name = name
        self._child = child  # "module:function" computing the encoded figures in a child
        self._compute = compute  # (store) -> value
        self._encode = encode or (lambda value: value)
        self._decode = decode or (lambda data: data)

    def get(self, store: OxigraphStore) -> Any:
        state = kept_state(store, self.name)
        cached = self._at_hand(store)
        if cached is not None:
            if cached[0] != store.version:  # a small store is done within the wait
                self.refresh_in_background(store).join(STALE_WAIT)
                cached = state.value or cached
            return cached[1]
        if is_large(store):
            self.refresh_in_background(store).join(PENDING_WAIT)
            if state.value is None:
                raise FiguresPending(self.name)
            return state.value[1]
        return self._compute_now(store)

    def ensure_current(self, store: OxigraphStore) -> None:
        """Compute the figures of this version now unless they are at hand (background
        warming: it may take as long as it needs)."""
        cached = self._at_hand(store)
        if cached is None or cached[0] != store.version:
            self._compute_now(store)

    def warm(self, store: OxigraphStore) -> None:
        """Start computing in the background unless current figures are at hand."""
        cached = self._at_hand(store)
        if cached is None or cached[0] != store.version:
            self.refresh_in_background(store)

    def _at_hand(self, store: OxigraphStore) -> tuple[int, Any] | None:
        """The figures in memory, else those kept in the store folder (then remembered)."""
        state = kept_state(store, self.name)
        if state.value is None:
            state.value = self._load(store)
            keep_out_of_gc()
        return state.value

    def _compute_now(self, store: OxigraphStore) -> Any:
        state = kept_state(store, self.name)
        with state.lock:
            version = store.version
            cached = state.value
            if cached is None or cached[0] != version:
                folder = _figures_dir(store)
                if folder is not None and self._child is not None and is_large(store):
                    folder.mkdir(parents=True, exist_ok=True)
                    target = folder / f"{self.name}-{version}.json.child"
                    run_in_child(store, self._child, version, target)
                    data = read_json(target)
                    target.unlink(missing_ok=True)
                    cached = (version, self._decode(data))
                else:
                    cached = (version, self._compute(store))
                state.value = cached
                keep_out_of_gc()
                self._save(store, cached)
            return cached[1]

    def refresh_in_background(self, store: OxigraphStore) -> threading.Thread:
        return _in_background(
            kept_state(store, self.name), self.name, lambda: self._compute_now(store)
        )

    def _save(self, store: OxigraphStore, cached: tuple[int, Any]) -> None:
        folder = _figures_dir(store)
        if folder is None:
            return
        try:
            write_json(folder / f"{self.name}-{cached[0]}{KEPT}", self._encode(cached[1]))
            _forget_other_versions(folder, self.name, cached[0])
        except OSError:
            log.exception("could not keep the %s figures in %s", self.name, folder)

    def _load(self, store: OxigraphStore) -> tuple[int, Any] | None:
        folder = _figures_dir(store)
        if folder is None:
            return None
        for version, path, part in _kept_files(folder, self.name):
            if part:
                continue
            try:
                return version, self._decode(read_json(path))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return None


# ------------------------------------------------------------------ child processes
LARGE_CHECKPOINT_BYTES = 64 * 1024 * 1024  # smaller stores compute in-process (no start-up cost)


def is_large(store: OxigraphStore) -> bool:
    """Whether the published checkpoint is big enough for whole-graph work to go to a child."""
    checkpoint = store.public_checkpoint
    if checkpoint is None:
        return False
    try:
        size = sum(f.stat().st_size for f in checkpoint.iterdir() if f.is_file())
    except OSError:
        return False
    return size >= LARGE_CHECKPOINT_BYTES


CHILD_NICENESS = 10  # the scheduler gives a child's CPU to the server when both want it


def run_in_child(store: OxigraphStore, function: str, version: int, target: Path) -> None:
    """Run ``function`` ("module:name", taking a :class:`~corridor.store.CheckpointStore` and
    the target path, returning JSON data) in a child process on the store's public
    checkpoint, leased for the child's lifetime; the child writes ``target``.

    Aggregating millions of triples allocates hundreds of MB that a long-running server would
    keep (freed memory is rarely given back); a child gives all of it back when it exits.
    """
    import pickle
    import subprocess

    with store.lease(public=True) as snapshot:
        checkpoint = snapshot.path
        if checkpoint is None:
            raise ValueError("an in-memory store has no checkpoint for a child process")
        subprocess.run(  # the configuration on stdin: no file left behind by a stopped server
            [sys.executable, "-m", "corridor.derived.figures", function, str(checkpoint),
             str(version), str(target), str(os.getpid())],
            check=True, cwd=target.parent, input=pickle.dumps(store.config),
        )


def _die_with_parent(parent: int) -> None:
    """A stopped server must not leave a computation running (Linux: PR_SET_PDEATHSIG).

    Set by the child itself (``preexec_fn`` is unsafe in a threaded server); a parent that
    died before the signal was armed is noticed by the changed parent pid.
    """
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)
    if os.getppid() != parent:
        raise SystemExit(1)


def compute_json(view: Any, target: Path) -> dict[str, Any]:
    """The home/browse figures as JSON data (run in a child by :func:`run_in_child`); the
    organisations and participations go to a file of their own (read only when needed)."""
    data = _to_json(compute(view, view.version))
    links = {key: data.pop(key) for key in ("organisations", "participations")}
    write_json(target.with_name(f"stats-{view.version}-links{KEPT}"), links)
    return data


def _child_main(argv: list[str]) -> int:
    import importlib
    import pickle

    function, checkpoint, version, target, parent = argv
    _die_with_parent(int(parent))
    with contextlib.suppress(OSError):  # background work: requests and writes come first
        os.nice(CHILD_NICENESS)
    config = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from the parent process
    module, name = function.split(":")
    view = CheckpointStore(checkpoint, config, int(version))
    data = getattr(importlib.import_module(module), name)(view, Path(target))
    write_json(Path(target), data)
    return 0


if __name__ == "__main__":
    raise SystemExit(_child_main(sys.argv[1:]))
