"""Full-text search over labels, acronyms, descriptions and place names, in every language.

An SQLite FTS5 index holds one row per literal, so a hit knows its language. What is indexed
is the literal *folded* (:func:`index_terms`): case and diacritics gone and letters such as ł, ø,
ß, æ spelt out ("Białystok" is found as "bialystok", "Lodz" finds "Łódź"), German umlauts also
transliterated ("Muenchen"), words split where letters meet digits or a capital follows a small
letter ("S3-4AlpClusters" is found by "alpclusters" and "clusters"), and the exonyms of
:data:`EXONYMS` added ("Munich" finds "München"). The user's words are folded the same way and
matched as prefixes; one-letter words only as whole words. A query without hits gets a spelling
suggestion from the index's own vocabulary (:meth:`SearchIndex.suggest`).

The index belongs to one store version: commits are applied incrementally from the store's
change log (re-indexing only the changed resources); a change to a whole graph, or a very large
change, rebuilds the index. Queries never scan the graph.

For a store on disk the index is a file of the store folder (``search.sqlite``) tagged with the
store version and change-log position it reflects, so a restart only catches up with the change
log. Rebuilds run in a background thread; searches meanwhile use the previous index (or, when
there is none yet, wait a moment and then answer empty with :attr:`SearchIndex.building` set).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from corridor.derived.figures import is_large
from corridor.rdf.namespaces import COR, DCT, LOCN, RDFS, SKOS
from corridor.store import OxigraphStore, ReadView, Snapshot, public_quads

# property -> field of the index
FIELDS = {
    f"{RDFS}label": "label",
    f"{SKOS}prefLabel": "label",
    f"{SKOS}altLabel": "label",
    f"{DCT}title": "label",
    f"{DCT}alternative": "label",
    "http://xmlns.com/foaf/0.1/name": "label",
    "https://schema.org/name": "label",
    f"{SKOS}notation": "acronym",
    f"{COR}acronym": "acronym",
    f"{DCT}identifier": "acronym",
    f"{DCT}description": "description",
    f"{DCT}abstract": "description",
    f"{RDFS}comment": "description",
    f"{SKOS}definition": "description",
}
PLACE_PROPERTIES = (f"{LOCN}postName", f"{LOCN}fullAddress", f"{LOCN}adminUnitL2")
WEIGHTS = {"label": 10.0, "acronym": 12.0, "place": 4.0, "description": 1.0}
SCHEMA = "3"  # of the index file: another schema is rebuilt, never read
FULL_REBUILD_AFTER = 5000
TABLES = ("names", "texts")  # short fields (ranked fully) and descriptions (ranked per page)
TEXT_CANDIDATES = 200  # description hits ranked per query
INDEX_FILE = "search.sqlite"  # in the store folder
FIRST_WAIT = 2.0  # seconds a search may wait for a missing index (enough for small stores)
log = logging.getLogger(__name__)
builds = 0  # full builds in this process (tests prove a restart reuses the file)


@dataclass(frozen=True)
class Hit:
    iri: str
    field: str
    text: str
    lang: str
    score: float


class SearchIndex:
    """The search index of one store, kept at the store's version."""

    def __init__(self, store: OxigraphStore, path: Path | None = None) -> None:
        self.store = store
        self.path = path
        self._maintenance = threading.Lock()  # one builder/updater at a time
        self._db_lock = threading.Lock()  # short: guards statements on the connection
        self._db: sqlite3.Connection | None = None
        self._rebuilding = False
        self._next_row = 0
        self.version = -1
        self._seq = 0
        self._worker: threading.Thread | None = None
        if path is not None and path.exists():
            self._open_existing(path)

    @property
    def building(self) -> bool:
        """True while there is no index yet or a full build runs (searches then use the
        previous index, if any)."""
        return self._rebuilding or self._db is None

    def _open_existing(self, path: Path) -> None:
        """Adopt the index file a previous run left, at the version its tag records."""
        try:
            db = sqlite3.connect(str(path), check_same_thread=False)
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("schema") != SCHEMA:
                raise KeyError("schema")
            self._next_row = max(db.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {t}")
                                 .fetchone()[0] for t in TABLES)
            self.version, self._seq = int(meta["version"]), int(meta["seq"])
            self._db = db
        except (sqlite3.Error, KeyError, ValueError):
            log.warning("ignoring the unreadable or outdated search index %s", path)
            with contextlib.suppress(NameError, sqlite3.Error):
                db.close()
            path.unlink(missing_ok=True)
            self._db, self.version, self._seq = None, -1, 0

    def warm(self) -> threading.Thread:
        """Bring the index up to date in a background thread (returns it)."""
        worker = self._worker
        if worker is not None and worker.is_alive():
            return worker

        def run() -> None:
            try:
                self.ensure_current()
            except Exception:  # a closed or deleted store: the next search retries
                log.exception("updating the search index failed")

        self._worker = threading.Thread(target=run, name="search-index", daemon=True)
        self._worker.start()
        return self._worker

    # --------------------------------------------------------------- maintenance
    def ensure_current(self, wait: bool = True) -> None:
        """Bring the index to the store's version (incrementally where possible).

        With ``wait=False`` the caller never waits for whole-graph work: when another thread
        holds the index, or a rebuild is needed and the index lives on disk, the rebuild goes
        to a background thread and the caller searches the previous version meanwhile.
        """
        if self._db is not None and self.version == self.store.version:
            return
        if not self._maintenance.acquire(blocking=False):
            if not wait and self._db is not None and self._rebuilding:
                return  # a full rebuild takes a while: search the previous version meanwhile
            self._maintenance.acquire()  # an incremental update: short
        background = False
        try:
            if self.version == self.store.version and self._db is not None:
                return
            changes = [] if self._db is None else self._pending_changes()
            if changes is None or self._db is None:
                if wait or self.path is None:
                    self._rebuild()
                else:
                    background = True
                return
            version = self.store.version
            self._reindex({c.resource for c in changes if c.resource})
            self._mark(version, changes[-1].seq if changes else self._seq)
        finally:
            self._maintenance.release()
            if background:
                self.warm()

    def _pending_changes(self) -> list | None:
        """Changes since the index's position, or None when a rebuild is cheaper or needed."""
        changes = self.store.changes_since(self._seq, FULL_REBUILD_AFTER + 1)
        if len(changes) > FULL_REBUILD_AFTER or any(c.resource is None for c in changes):
            return None
        return changes

    def _mark(self, version: int, seq: int) -> None:
        """Record the version and change-log position the index reflects (in the file too)."""
        assert self._db is not None
        with self._db_lock:
            _write_meta(self._db, version, seq)
            self._db.commit()
            self.version, self._seq = version, seq

    def rebuild(self) -> None:
        """Rebuild the whole index from the store (searches go on against the old one)."""
        with self._maintenance:
            self._rebuild()

    def _rebuild(self) -> None:
        global builds
        version = self.store.version
        seq = self._last_seq()
        self._rebuilding = True
        try:
            builds += 1
            db, building = self._open_new()
            with self.store.lease(public=True) as snapshot:
                self._fill(db, self._rows_for(snapshot))
            _write_meta(db, version, seq)
            db.commit()
            if building is not None and self.path is not None:
                db.close()
                os.replace(building, self.path)
                db = sqlite3.connect(str(self.path), check_same_thread=False)
        finally:
            self._rebuilding = False
        with self._db_lock:
            old, self._db = self._db, db
            self.version, self._seq = version, seq
        if old is not None:
            old.close()

    def _last_seq(self) -> int:
        return self.store.last_change_seq()

    def _open_new(self) -> tuple[sqlite3.Connection, Path | None]:
        """A new empty index: in memory, or in a file that replaces the index once full."""
        building = None
        target = ":memory:"
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            building = self.path.with_name(self.path.name + ".building")
            building.unlink(missing_ok=True)
            target = str(building)
        db = sqlite3.connect(target, check_same_thread=False)
        if building is not None:
            db.execute("PRAGMA journal_mode = OFF")  # a half-built file is thrown away anyway
        # Each IRI is stored once (``iris``); the text tables and ``rows_of`` (which rows a
        # resource has, for incremental updates) name it by number: with the IRI in every row
        # and an index of it, most of the file was IRIs (97 MiB at 1M triples, now 62)
        db.execute("CREATE TABLE iris (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE)")
        for table in TABLES:
            db.execute(
                f"CREATE VIRTUAL TABLE {table} USING fts5(iri UNINDEXED, field UNINDEXED,"
                " lang UNINDEXED, text UNINDEXED, terms,"
                " tokenize = 'unicode61 remove_diacritics 2')"
            )
        db.execute("CREATE TABLE rows_of (iri INTEGER, row INTEGER, tab INTEGER,"
                   " PRIMARY KEY (iri, row)) WITHOUT ROWID")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        return db, building

    def _reindex(self, resources: set[str]) -> None:
        assert self._db is not None
        # a changed address changes the place text of whoever points at it
        targets = sorted(resources | self._owners_of(resources))
        for start in range(0, len(targets), 200):
            chunk = targets[start : start + 200]
            rows = list(self._rows_of_subjects(chunk))
            with self._db_lock:
                for iri in chunk:
                    found = self._db.execute("SELECT id FROM iris WHERE iri = ?", (iri,))
                    for (number,) in found.fetchall():
                        for tab, row in self._db.execute(
                            "SELECT tab, row FROM rows_of WHERE iri = ?", (number,)
                        ).fetchall():
                            self._db.execute(f"DELETE FROM {TABLES[tab]} WHERE rowid = ?", (row,))
                        self._db.execute("DELETE FROM rows_of WHERE iri = ?", (number,))
                        self._db.execute("DELETE FROM iris WHERE id = ?", (number,))
                self._fill(self._db, rows)
                self._db.commit()

    def _public_objects(self, reader: ReadView, subject: ox.NamedNode, predicate: str):
        for quad in public_quads(self.store.config, reader, subject, ox.NamedNode(predicate)):
            yield quad.object

    def _owners_of(self, resources: set[str]) -> set[str]:
        reader = self.store.reader()
        address = ox.NamedNode(f"{LOCN}address")
        owners: set[str] = set()
        for iri in resources:
            for quad in reader.quads_for_pattern(None, address, ox.NamedNode(iri), None):
                if isinstance(quad.subject, ox.NamedNode):
                    owners.add(quad.subject.value)
        return owners

    def _rows_of_subjects(self, subjects: list[str]):
        """Index rows of a few resources by index lookups (no query planning)."""
        reader = self.store.reader()
        for iri in subjects:
            node = ox.NamedNode(iri)
            for prop, name in FIELDS.items():
                for literal in self._public_objects(reader, node, prop):
                    if isinstance(literal, ox.Literal):
                        yield iri, name, literal.value, literal.language or ""
            places = set()
            for address in self._public_objects(reader, node, f"{LOCN}address"):
                if isinstance(address, ox.NamedNode | ox.BlankNode):
                    for prop in PLACE_PROPERTIES:
                        for q in reader.quads_for_pattern(address, ox.NamedNode(prop), None, None):
                            if isinstance(q.object, ox.Literal):
                                places.add((q.object.value, q.object.language or ""))
            for text, lang in sorted(places):
                yield iri, "place", text, lang

    def _rows_for(self, snapshot: Snapshot) -> Iterator[tuple[str, str, str, str]]:
        """Index rows of the whole public graph (two streaming queries on one version)."""
        props = " ".join(f"<{p}>" for p in FIELDS)
        places = " ".join(f"<{p}>" for p in PLACE_PROPERTIES)
        text_query = (
            f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {props} }} ?s ?p ?o "
            "FILTER(isIRI(?s) && isLiteral(?o)) }"
        )
        for row in snapshot.query(text_query):
            literal = row["o"]
            yield row["s"].value, FIELDS[row["p"].value], literal.value, literal.language or ""
        place_query = (
            f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{LOCN}address> ?a . "
            f"VALUES ?p {{ {places} }} ?a ?p ?o FILTER(isIRI(?s) && isLiteral(?o)) }}"
        )
        for row in snapshot.query(place_query):
            literal = row["o"]
            yield row["s"].value, "place", literal.value, literal.language or ""

    def _fill(self, db: sqlite3.Connection, rows) -> None:
        batch: list[tuple[int, int, str, str, str, str]] = []  # (tab, row, iri, ...)

        def flush() -> None:
            iris = sorted({r[2] for r in batch})
            db.executemany("INSERT OR IGNORE INTO iris (iri) VALUES (?)", [(i,) for i in iris])
            numbers = dict(db.execute(  # ≤ 5,000 parameters: below SQLite's limit of 32,766
                f"SELECT iri, id FROM iris WHERE iri IN ({','.join('?' * len(iris))})", iris))
            for tab, table in enumerate(TABLES):
                db.executemany(
                    f"INSERT INTO {table} (rowid, iri, field, text, lang, terms)"
                    " VALUES (?,?,?,?,?,?)",
                    [(row, numbers[iri], name, text, lang, index_terms(text))
                     for t, row, iri, name, text, lang in batch if t == tab],
                )
            db.executemany("INSERT INTO rows_of (iri, row, tab) VALUES (?,?,?)",
                           [(numbers[r[2]], r[1], r[0]) for r in batch])
            batch.clear()

        for iri, name, text, lang in rows:
            self._next_row += 1
            batch.append((1 if name == "description" else 0, self._next_row, iri, name, text,
                          lang))
            if len(batch) >= 5000:
                flush()
        if batch:
            flush()

    # --------------------------------------------------------------- queries
    def search(self, text: str, limit: int = 20, offset: int = 0) -> list[Hit]:
        """Resources matching every word of ``text`` (as prefixes), best first, one hit each."""
        expression = match_expression(text)
        if not expression:
            return []
        if self._db is None and self.path is not None:
            worker = self.warm()  # no index yet: build it in the background
            if not is_large(self.store):  # a small store's is done in a moment
                worker.join(FIRST_WAIT)
        else:
            self.ensure_current(wait=False)
        if self._db is None:
            return []
        db, wanted = self._db, min(5000, 4 * (offset + limit) + 100)
        with self._db_lock:
            ranked = _rows_within_budget(db, _named(
                "SELECT iri, field, text, lang, bm25(names) AS r FROM names"
                " WHERE names MATCH ? ORDER BY rank LIMIT ?"), (expression, wanted))
            if ranked is None:  # too many matches to rank in time: the first ones, unranked
                ranked = _rows_within_budget(db, _named(
                    "SELECT iri, field, text, lang, bm25(names) AS r FROM names"
                    " WHERE names MATCH ? LIMIT ?"), (expression, wanted)) or []
            # descriptions: the first candidates only, so a common word costs no full ranking
            rows = ranked + (_rows_within_budget(db, _named(
                "SELECT iri, field, text, lang, bm25(texts) AS r FROM texts WHERE texts MATCH ?"
                f" LIMIT {TEXT_CANDIDATES}"), (expression,)) or [])
        best: dict[str, Hit] = {}
        query = _fold(text)  # once: a common word brings back over a thousand rows
        for iri, field, found, lang, rank in rows:
            exact = field in ("label", "acronym", "place") and _fold(found) == query
            score = -rank * WEIGHTS.get(field, 1.0) + (5.0 if exact else 0.0)
            if iri not in best or score > best[iri].score:
                best[iri] = Hit(iri, field, found, lang, score)
        ranked = sorted(best.values(), key=lambda h: (-h.score, h.text.lower()))
        return ranked[offset : offset + limit]

    def suggest(self, text: str) -> str | None:
        """The query with each unknown word replaced by the closest word of the index (same
        first two letters), or None when nothing closer is known: typo tolerance for misses."""
        if self._db is None:
            return None
        words = [w for w in re.findall(r"\w+", fold(text)) if w]
        if not words:
            return None
        changed = False
        out = []
        with self._db_lock:
            self._db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.names_vocab"
                " USING fts5vocab(main, names, row)"
            )
            for word in words[:6]:
                known = self._db.execute(
                    "SELECT 1 FROM temp.names_vocab WHERE term >= ? AND term < ? LIMIT 1",
                    (word, word + "\uffff"),
                ).fetchone()
                if known or len(word) < 4:
                    out.append(word)
                    continue
                candidates = [
                    t for (t,) in self._db.execute(
                        "SELECT term FROM temp.names_vocab WHERE term >= ? AND term < ?"
                        " LIMIT 20000",
                        (word[:2], word[:2] + "\uffff"),
                    )
                ]
                # rapidfuzz's ratio is difflib's 2·matches/length, computed in C++: 20,000
                # terms in ~1 ms where difflib.get_close_matches took ~40 ms (5M triples)
                close = process.extractOne(word, candidates, scorer=fuzz.ratio,
                                           score_cutoff=75)
                out.append(close[0] if close else word)
                changed = changed or bool(close)
        return " ".join(out) if changed else None


def _named(hits: str) -> str:
    """``hits`` (rows whose first column is an IRI's number) with the IRI itself."""
    return (f"SELECT (SELECT iri FROM iris WHERE id = h.iri), h.field, h.text, h.lang, h.r"
            f" FROM ({hits}) AS h")


def _write_meta(db: sqlite3.Connection, version: int, seq: int) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [("version", str(version)), ("seq", str(seq)), ("schema", SCHEMA)],
    )


MIN_PREFIX = 3  # shorter words match whole words only
SEARCH_SECONDS = 0.25  # the longest one search statement may run


def match_expression(text: str) -> str:
    """An FTS5 query: each folded word of the user's text as a quoted term, all required.

    A word of :data:`MIN_PREFIX` letters or more matches as a prefix; a shorter one must match
    a whole word (as a prefix, one letter matches most of the vocabulary and cost seconds per
    request). Empty when only one-letter words are given.
    """
    words = re.findall(r"\w+", fold(text), flags=re.UNICODE)[:12]
    if not any(len(w) > 1 for w in words):
        return ""
    return " AND ".join(f'"{w}"*' if len(w) >= MIN_PREFIX else f'"{w}"' for w in words)


def _rows_within_budget(db: sqlite3.Connection, sql: str, parameters: tuple) -> list | None:
    """The rows of ``sql``, or None if it ran past :data:`SEARCH_SECONDS` and was interrupted
    (SQLite calls the progress handler every 1000 steps; a nonzero answer stops it)."""
    deadline = time.monotonic() + SEARCH_SECONDS
    db.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
    try:
        return db.execute(sql, parameters).fetchall()
    except sqlite3.OperationalError as e:
        if "interrupt" not in str(e):
            raise
        return None
    finally:
        db.set_progress_handler(None, 0)


# letters that Unicode does not decompose into a base letter and a mark
SPELT_OUT = str.maketrans({
    "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ŀ": "l", "ŧ": "t", "ð": "d",
    "þ": "th", "æ": "ae", "œ": "oe", "ß": "ss", "ĸ": "k",
})
GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
# exonyms of places partners are in: a text naming the place is also found by these names
EXONYMS = {
    "münchen": "munich",
    "köln": "cologne",
    "wien": "vienna",
    "nürnberg": "nuremberg",
    "bayern": "bavaria",
    "braunschweig": "brunswick",
    "praha": "prague",
    "warszawa": "warsaw",
    "kraków": "cracow krakow",
    "łódź": "lodz",
    "gdańsk": "danzig",
    "bucurești": "bucharest",
    "københavn": "copenhagen",
    "göteborg": "gothenburg",
    "torino": "turin",
    "milano": "milan",
    "venezia": "venice",
    "genève": "geneva",
    "zürich": "zurich",
    "luzern": "lucerne",
    "bruxelles": "brussels",
    "lisboa": "lisbon",
    "sevilla": "seville",
    "athína": "athens",
    "vilnius": "wilno",
    "tirol": "tyrol",
    "steiermark": "styria",
    "kärnten": "carinthia",
    "südtirol": "south tyrol",
    "piemonte": "piedmont",
    "lombardia": "lombardy",
}


def fold(text: str) -> str:
    """Lower case without diacritics, letters such as ł, ø, ß spelt out ("Łódź" → "lodz")."""
    if text.isascii():  # most labels: nothing to decompose (a search folds ~1,300 of them)
        return text.lower()
    import unicodedata

    lowered = text.casefold().translate(SPELT_OUT)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def index_terms(text: str) -> str:
    """What the index matches a literal by: its folded words, their parts (split at digits and
    inner capitals), German transliterations and exonyms (see the module docstring)."""
    terms = [fold(text)]
    lowered = text.casefold()
    if any(c in lowered for c in "äöü"):
        terms.append(fold(lowered.translate(GERMAN)))
    for token in re.findall(r"\w+", text):
        parts = re.findall(r"[A-Z]?[a-z\u00DF-\u00FF\u0100-\u024F]+|[A-Z]+(?![a-z])|\d+|\w", token)
        if len(parts) > 1:
            terms.append(fold(" ".join(parts)))
            letters = "".join(p for p in parts if not p.isdigit())
            if letters and letters != token:
                terms.append(fold(letters))
    for word in set(re.findall(r"\w+", lowered)):
        if word in EXONYMS:
            terms.append(EXONYMS[word])
    return " ".join(dict.fromkeys(" ".join(terms).split()))


def _fold(text: str) -> str:
    return fold(text).strip()


def index_for(store: OxigraphStore) -> SearchIndex:
    """The shared index of ``store`` (created on first use, kept current on every commit),
    kept in ``store.extensions``: both are freed together."""
    index = store.extensions.get("corridor.search")
    if isinstance(index, SearchIndex):
        return index
    lock = store.extensions.setdefault("corridor.search.lock", threading.Lock())
    assert isinstance(lock, type(threading.Lock()))
    with lock:
        index = store.extensions.get("corridor.search")
        if not isinstance(index, SearchIndex):
            index = SearchIndex(store, store.derived_dir(INDEX_FILE))
            store.extensions["corridor.search"] = index
            store.on_commit(lambda _version: _refresh_soon(index))
    return index


def _refresh_soon(index: SearchIndex) -> None:
    """Update the index in the background after a commit, so the next search is quick."""
    index.warm()
