"""Importing source tables (CSV) into RDF through declarative mappings.

A mapping (``mappings/<name>.json``, or a user's file) is data, not code: per table kind, a
column contract in the W3C CSVW metadata vocabulary (``tableSchema.columns`` with ``name``,
``datatype`` {``base``, ``format``}, ``required``; ``null``) and SPARQL 1.1 queries: a CONSTRUCT
template that turns rows into triples and SELECT checks that name bad cells. The engine checks
every cell against its contract, hands the rows to the queries as the inline data of their
empty ``VALUES (?row ?col ...) {}`` block (a variable per column, named like it), and loads the
result exactly like ``corridor load`` (:func:`corridor.ingest.loader.load_files`: SHACL
validated, one transaction, idempotent, provenance). See docs/import.md.

Rows are identified as RFC 7111 fragments of their source document: ``<src#row=N>`` (the header
is row 1); errors are located ``file:row:column`` with the offending value.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from corridor.config import Config
from corridor.ingest import loader, provenance
from corridor.ingest.loader import InputError, LoadResult, Source
from corridor.store import QUERY_THREADS, OxigraphStore, ReadView, WriteCheck

XSD = "http://www.w3.org/2001/XMLSchema#"
BATCH_ROWS = 20_000
"""Rows per query: big enough to keep per-query overhead small, small enough for memory."""

CSVW_TABLE_KEYS = {"name", "recognise", "null", "tableSchema", "construct", "checks",
                   "placeholders", "dialect", "dc:title", "title"}
CSVW_COLUMN_KEYS = {"name", "titles", "datatype", "required", "null", "dc:description"}
DATATYPES = {
    "string": (None, XSD + "string"),
    "integer": (re.compile(r"[+-]?\d+"), XSD + "integer"),
    "decimal": (re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"), XSD + "decimal"),
    "double": (re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|NaN|INF|-INF"),
               XSD + "double"),
    "date": (re.compile(r"\d{4}-\d{2}-\d{2}"), XSD + "date"),
    "dateTime": (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?"),
                 XSD + "dateTime"),
    "boolean": (None, XSD + "boolean"),
    "anyURI": (re.compile(r"\S+"), XSD + "anyURI"),
}
"""The CSVW datatypes this engine supports (others are refused by name)."""

PLACEHOLDER_GRAPH = "import/placeholders"
"""Labels a source without names gives (``PIC 999984059``), kept apart: a later source with
the name replaces them (see :func:`_placeholder_writes`)."""


class MappingError(InputError):
    """The mapping file is unusable (unknown property, missing query, unsupported datatype)."""


@dataclass(frozen=True)
class Column:
    name: str
    base: str = "string"
    format: re.Pattern[str] | None = None
    true_false: tuple[str, str] | None = None
    required: bool = False
    null: frozenset[str] | None = None
    """The column's own null values (CSVW ``null``), else the table's."""
    decimal_char: str = "."
    group_char: str | None = None


@dataclass
class Table:
    """One table kind of a mapping: how to recognise it, its columns and its queries."""

    name: str
    recognise: tuple[str, ...]
    columns: dict[str, Column]
    null: frozenset[str]
    construct: str
    checks: list[dict[str, str]] = field(default_factory=list)
    placeholders: str | None = None

    def variables(self, query: str) -> list[str]:
        """The columns a query's ``VALUES (?row ...) {}`` block asks for, in its order."""
        match = VALUES_BLOCK.search(query)
        if match is None:
            raise MappingError(f"table {self.name!r}: a query has no empty "
                               "'VALUES (?row ...) {}' block for the rows")
        names = [v.lstrip("?$") for v in match.group(1).split()]
        if names[0] != "row":
            raise MappingError(f"table {self.name!r}: the VALUES block must start with ?row")
        unknown = [n for n in names[1:] if n not in self.columns]
        if unknown:
            raise MappingError(f"table {self.name!r}: the query uses undeclared columns "
                               + ", ".join(unknown))
        return names[1:]


VALUES_BLOCK = re.compile(r"VALUES\s*\(\s*([?$]row(?:\s+[?$]\w+)*)\s*\)\s*\{\s*\}", re.I)


@dataclass
class Mapping:
    name: str
    title: str
    license: str | None
    path: Path
    sha256: str
    tables: list[Table]

    def table_for(self, header: list[str]) -> Table | None:
        """The table kind whose recognising columns the header has (the most specific)."""
        present = set(header)
        fits = [t for t in self.tables if set(t.recognise) <= present]
        return max(fits, key=lambda t: len(t.recognise)) if fits else None


def bundled_mappings() -> dict[str, Path]:
    folder = Path(str(resources.files("corridor.ingest") / "mappings"))
    return {p.stem: p for p in sorted(folder.glob("*.json"))}


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A bundled mapping by name (``cordis``) or a mapping file of the user's."""
    bundled = bundled_mappings()
    path = bundled.get(str(name_or_path)) or Path(name_or_path)
    if not path.is_file():
        known = ", ".join(sorted(bundled))
        raise MappingError(f"{name_or_path}: no such mapping (bundled: {known}; or a file)")
    try:
        raw = path.read_bytes()
        spec = json.loads(raw)
    except (OSError, ValueError) as e:
        raise MappingError(f"{path}: cannot read the mapping: {e}") from None
    tables = [_table(path, t, spec.get("null", ["", "NA"])) for t in spec.get("tables", [])]
    if not tables:
        raise MappingError(f"{path}: the mapping declares no tables")
    return Mapping(spec.get("name", path.stem), spec.get("dc:title", path.stem),
                   spec.get("dc:license"), path, hashlib.sha256(raw).hexdigest(), tables)


def _table(path: Path, spec: dict, default_null: list[str]) -> Table:
    name = spec.get("name", "?")
    unknown = set(spec) - CSVW_TABLE_KEYS
    if unknown:
        raise MappingError(f"{path}: table {name!r}: unsupported properties "
                           + ", ".join(sorted(unknown)))
    columns = {}
    for c in spec.get("tableSchema", {}).get("columns", []):
        extra = set(c) - CSVW_COLUMN_KEYS
        if extra:
            raise MappingError(f"{path}: column {c.get('name')!r}: unsupported CSVW properties "
                               + ", ".join(sorted(extra)) + " (supported: "
                               + ", ".join(sorted(CSVW_COLUMN_KEYS)) + ")")
        columns[c["name"]] = _column(path, c)

    def query(file: str) -> str:
        try:
            return (path.parent / file).read_text(encoding="utf-8")
        except OSError as e:
            raise MappingError(f"{path}: table {name!r}: cannot read {file}: {e}") from None

    table = Table(
        name=name,
        recognise=tuple(spec.get("recognise") or [c for c in columns if columns[c].required]),
        columns=columns,
        null=frozenset(spec.get("null", default_null)),
        construct=query(spec["construct"]),
        checks=[{**c, "query": query(c["query"])} for c in spec.get("checks", [])],
        placeholders=query(spec["placeholders"]) if spec.get("placeholders") else None,
    )
    for q in [table.construct, *(c["query"] for c in table.checks), table.placeholders]:
        if q is not None:
            table.variables(q)
    return table


def _column(path: Path, spec: dict) -> Column:
    datatype = spec.get("datatype", "string")
    base, fmt = (datatype, None) if isinstance(datatype, str) else (
        datatype.get("base", "string"), datatype.get("format"))
    if base not in DATATYPES:
        raise MappingError(f"{path}: column {spec['name']!r}: datatype {base!r} is not supported "
                           "(supported: " + ", ".join(DATATYPES) + ")")
    pattern, true_false = None, None
    decimal_char, group_char = ".", None
    if isinstance(fmt, dict):
        if base not in ("integer", "decimal", "double") or set(fmt) - {"decimalChar", "groupChar"}:
            raise MappingError(f"{path}: column {spec['name']!r}: a numeric format object "
                               "supports decimalChar and groupChar only (no pattern)")
        decimal_char, group_char = fmt.get("decimalChar", "."), fmt.get("groupChar")
        fmt = None
    if fmt is not None:
        if base == "boolean":
            parts = fmt.split("|")
            if len(parts) != 2:
                raise MappingError(f"{path}: column {spec['name']!r}: a boolean format is "
                                   "'true-value|false-value'")
            true_false = (parts[0], parts[1])
        elif base == "string":
            pattern = re.compile(fmt)
        else:
            raise MappingError(f"{path}: column {spec['name']!r}: a format is supported for "
                               "string (a regular expression) and boolean columns only")
    elif base == "boolean":
        true_false = ("true", "false")
    null = frozenset(spec["null"]) if "null" in spec else None
    return Column(spec["name"], base, pattern, true_false, bool(spec.get("required")), null,
                  decimal_char, group_char)


# ---------------------------------------------------------------------------- reading tables
@dataclass
class TableFile:
    """A file recognised as a table of a mapping.

    ``source_iri`` is the source (the mapping's table, e.g. CORDIS H2020 participations: the
    ``dct:source`` of what it states, the same for every release); ``file_iri`` this file (one
    release of it, identified by its checksum); its rows are ``<file_iri#row=N>`` (RFC 7111).
    """

    path: Path
    table: Table
    delimiter: str
    header: list[str]
    sha256: str
    source_iri: str
    rows: int = 0

    @property
    def file_iri(self) -> str:
        return f"{self.source_iri}/{self.sha256[:16]}"


def _open_text(path: Path) -> io.TextIOWrapper:
    raw = gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def inspect_file(mapping: Mapping, path: Path, base_iri: str) -> TableFile:
    """Recognise a file's table kind from its header row (comma or semicolon)."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        with _open_text(path) as f:
            first = f.readline()
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read: {e}") from None
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delimiter), [])
    header = [h.strip() for h in header]
    table = mapping.table_for(header)
    if table is None:
        wanted = "; ".join(f"{t.name}: {', '.join(t.recognise)}" for t in mapping.tables)
        raise InputError(f"{path}:1:1: header not recognised by mapping {mapping.name!r} "
                         f"(expects the columns of one of: {wanted})")
    for column in table.columns.values():
        if column.required and column.name not in header:
            raise InputError(f"{path}:1:{len(header) + 1}: missing required column "
                             f"{column.name!r} of table {table.name!r}")
    sha = loader.sha256_of(path)
    source_iri = f"{base_iri}id/source/import/{mapping.name}/{table.name}"
    return TableFile(path, table, delimiter, header, sha, source_iri)


def _escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r"))


def _term(column: Column, value: str) -> str | None:
    """The SPARQL term of a cell, or None when it breaks the column's contract."""
    if column.base == "boolean":
        assert column.true_false is not None
        if value == column.true_false[0]:
            return "true"
        if value == column.true_false[1]:
            return "false"
        return None
    pattern, datatype = DATATYPES[column.base]
    if column.group_char:
        value = value.replace(column.group_char, "")
    if column.decimal_char != ".":
        value = value.replace(column.decimal_char, ".")
    if column.format is not None:
        pattern = column.format
    if pattern is not None and not pattern.fullmatch(value):
        return None
    if column.base == "string":
        return f'"{_escape(value)}"'
    if column.base == "dateTime":
        value = value.replace(" ", "T", 1)
    return f'"{_escape(value)}"^^<{datatype}>'


def _expected(column: Column) -> str:
    if column.base == "boolean" and column.true_false:
        return f"boolean ({column.true_false[0]}|{column.true_false[1]})"
    if column.format is not None:
        return f"a value matching {column.format.pattern}"
    return column.base


def read_rows(tf: TableFile, wanted: list[str], progress: _Progress | None = None,
              ) -> Iterator[list[str]]:
    """Rows as lists of ``VALUES`` lines (batches), every cell checked against its contract.

    Raises :class:`InputError` at the first bad cell, located ``file:row:column``.
    """
    table = tf.table
    positions = [(tf.header.index(n) if n in tf.header else None, table.columns[n])
                 for n in wanted]
    checked = [(i, c) for i, c in enumerate(table.columns.values())
               if c.name in tf.header and c.name not in wanted]
    width = len(tf.header)
    null = table.null
    batch: list[str] = []
    row_number = 1
    try:
        with _open_text(tf.path) as f:
            reader = csv.reader(f, delimiter=tf.delimiter)
            next(reader, None)
            for row_number, cells in enumerate(reader, start=2):  # noqa: B007 - reported below
                if len(cells) != width:
                    if not cells:
                        continue
                    position = min(len(cells), width) + 1
                    raise InputError(
                        f"{tf.path}:{row_number}:{position}: expected {width} fields, found "
                        f"{len(cells)} (truncated or misquoted row)")
                terms = []
                for index, column in positions:
                    value = "" if index is None else cells[index]
                    if value in (column.null if column.null is not None else null):
                        if column.required:
                            raise InputError(_located(tf, row_number, index, column,
                                                      value, "a value is required"))
                        terms.append("UNDEF")
                        continue
                    term = _term(column, value)
                    if term is None:
                        raise InputError(_located(tf, row_number, index, column, value,
                                                  f"expected {_expected(column)}"))
                    terms.append(term)
                for _, column in checked:
                    index = tf.header.index(column.name)
                    value = cells[index]
                    if value in (column.null if column.null is not None else null):
                        if column.required:
                            raise InputError(_located(tf, row_number, index, column, value,
                                                      "a value is required"))
                    elif _term(column, value) is None:
                        raise InputError(_located(tf, row_number, index, column, value,
                                                  f"expected {_expected(column)}"))
                batch.append(f"(<{tf.file_iri}#row={row_number}> {' '.join(terms)})")
                if len(batch) >= BATCH_ROWS:
                    if progress is not None:
                        progress.advance(len(batch))
                    yield batch
                    batch = []
    except csv.Error as e:
        raise InputError(f"{tf.path}:{row_number + 1}:1: malformed CSV: {e}") from None
    except (EOFError, gzip.BadGzipFile) as e:
        raise InputError(f"{tf.path}:{row_number + 1}:1: truncated file: {e}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{tf.path}:{row_number + 1}:1: not UTF-8: {e.reason}") from None
    tf.rows = row_number - 1
    if batch:
        if progress is not None:
            progress.advance(len(batch))
        yield batch


def _located(tf: TableFile, row: int, index: int | None, column: Column, value: str,
             reason: str) -> str:
    where = f"{tf.path}:{row}:{(index or 0) + 1}"
    return f"{where}: column {column.name!r}: {reason}, found {value!r}"


class _Progress:
    """Rows mapped so far, on stderr when it is a terminal."""

    def __init__(self, label: str) -> None:
        self.label, self.done = label, 0
        self.enabled = sys.stderr.isatty()

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.enabled:
            sys.stderr.write(f"\r{self.label}: {self.done:,} rows mapped")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


# ---------------------------------------------------------------------------- mapping rows
def _fill(query: str, rows: list[str]) -> str:
    match = VALUES_BLOCK.search(query)
    assert match is not None
    return (query[:match.start()] + f"VALUES ({match.group(1)}) {{\n" + "\n".join(rows)
            + "\n}" + query[match.end():])


def _substitutions(tf: TableFile, graph: str, query: str) -> dict[ox.Variable, ox.NamedNode]:
    """``?source`` (the table file's source document) and ``?graph``, where a query uses them."""
    given = {"source": tf.source_iri, "graph": graph}
    return {ox.Variable(k): ox.NamedNode(v) for k, v in given.items()
            if re.search(rf"[?$]{k}\b", query)}


def _run_check(reader: ReadView, tf: TableFile, check: dict[str, str], rows: list[str],
               base_iri: str, graph: str) -> None:
    """Run one SELECT check; the first ``?row ?value`` it returns is a located error."""
    query = check["query"]
    # the solutions are consumed and dropped here: pyoxigraph's result iterators may not be
    # dropped by another thread (an import maps its batches on several)
    solution = next(iter(reader.query(_fill(query, rows), base_iri=base_iri,
                                      use_default_graph_as_union=True,
                                      substitutions=_substitutions(tf, graph, query))), None)
    if solution is not None:
        row = solution["row"].value.rsplit("#row=", 1)[1]
        name = check.get("column", "")
        index = tf.header.index(name) + 1 if name in tf.header else 1
        value = solution["value"]
        shown = value.value if value is not None else ""
        raise InputError(f"{tf.path}:{row}:{index}: column {name!r}: "
                         f"{check.get('message', 'rejected by a check')}, found {shown!r}")


def _source_triples(tf: TableFile, mapping: Mapping, release: str | None) -> str:
    """The source (a cor:SourceDocument) and this file, one release of it (N-Triples)."""
    s, f = f"<{tf.source_iri}>", f"<{tf.file_iri}>"
    issued = release or datetime.fromtimestamp(tf.path.stat().st_mtime, UTC).date().isoformat()
    title = _escape(f"{mapping.title}: {tf.table.name} table")
    file_title = _escape(f"{tf.path.name} (release {issued})")
    rdf, dct = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://purl.org/dc/terms/"
    lines = [
        f"{s} <{rdf}type> <https://w3id.org/corridor/ontology#SourceDocument> .",
        f'{s} <http://www.w3.org/2000/01/rdf-schema#label> "{title}"@en .',
        f'{s} <{dct}title> "{title}"@en .',
        f'{s} <{dct}identifier> "{_escape(mapping.name)}/{_escape(tf.table.name)}" .',
        f'{s} <{dct}format> "text/csv" .',
        f"{f} <{rdf}type> <http://www.w3.org/ns/prov#Entity> .",
        f"{f} <{dct}isVersionOf> {s} .",
        f'{f} <{dct}identifier> "{_escape(tf.path.name)}" .',
        f'{f} <{dct}title> "{file_title}"@en .',
        f'{f} <http://www.w3.org/2002/07/owl#versionInfo> "{_escape(issued)}" .',
        f'{f} <http://spdx.org/rdf/terms#checksumValue> "{tf.sha256}"^^<{XSD}hexBinary> .',
        f"{f} <http://www.w3.org/ns/prov#wasGeneratedBy> <{mapping.path.as_uri()}"
        f"#sha256={mapping.sha256}> .",
    ]
    if mapping.license:
        lines.append(f"{s} <{dct}license> <{mapping.license}> .")
    return "\n".join(lines) + "\n"


@dataclass
class ImportResult:
    """What an import did per source file."""

    path: Path
    table: str
    graph: str
    rows: int
    triples: int = 0
    skipped: bool = False


def import_files(
    store: OxigraphStore, mapping: Mapping, paths: list[Path], *, replace: bool = False,
    check: WriteCheck | None = None, dry_run: bool = False, agent: str | None = None,
    release: str | None = None,
) -> list[ImportResult]:
    """Map the files and load the result in ONE validated transaction: all or nothing.

    Each table kind goes to its graph ``{base}graph/import/{mapping}/{table}``; with
    ``replace`` that graph is replaced (a newer release), otherwise added to.
    """
    config = store.config
    base = config.base_iri
    files = [inspect_file(mapping, Path(p), base) for p in paths]
    reader = store.reader()
    with tempfile.TemporaryDirectory(prefix="import-", dir=_scratch_dir(store)) as tmp:
        sources: list[Source] = []
        results: list[ImportResult] = []
        labelled: set[str] = set()
        placeholders: list[str] = []
        for i, tf in enumerate(files):
            graph = config.graph_iri(f"import/{mapping.name}/{tf.table.name}")
            if _already_imported(reader, config, tf, graph, replace):
                results.append(ImportResult(tf.path, tf.table.name, graph, 0, skipped=True))
                continue
            out_path = Path(tmp) / f"{i}.nt"
            progress = _Progress(tf.path.name)
            wanted = tf.table.variables(tf.table.construct)
            check_vars = [(c, tf.table.variables(c["query"])) for c in tf.table.checks]
            try:
                with open(out_path, "wb") as out:
                    out.write(_source_triples(tf, mapping, release).encode())
                    union = sorted(set(wanted).union(*(v for _, v in check_vars)))
                    placeholders += _map_rows(
                        read_rows(tf, union, progress),
                        partial(_map_batch, reader, tf, union, wanted, check_vars, base, graph),
                        out)
            finally:
                progress.close()
            if out_path.stat().st_size < loader.FAST_PATH_BYTES:
                if not replace:
                    _keep_only_new(reader, out_path, graph)
                labelled |= _labelled_subjects(out_path)
            sources.append(Source(out_path, graph, ox.RdfFormat.N_TRIPLES,
                                  title=tf.path.name, sha256=tf.sha256))
            results.append(ImportResult(tf.path, tf.table.name, graph, tf.rows))
        extra = _placeholder_sources(store, Path(tmp), placeholders, labelled)
        loaded = loader.load_files(store, sources + extra, replace=replace, check=check,
                                   dry_run=dry_run, agent=agent,
                                   activity=f"import {mapping.name}")
    by_path: dict[str, LoadResult] = {str(r.source.path): r for r in loaded}
    mapped = [r for r in results if not r.skipped]
    for result, source in zip(mapped, sources, strict=True):
        done = by_path.get(str(source.path))
        if done is not None:
            result.triples, result.skipped = done.triples, done.skipped
    return results


def _already_imported(reader: ReadView, config: Config, tf: TableFile, graph: str,
                      replace: bool) -> bool:
    """The same file is already recorded for this graph (and, to replace, as its only one)."""
    if graph not in provenance.graphs_with_source(reader, config, tf.sha256):
        return False
    return not replace or provenance.sources_of(reader, config, graph) == {tf.sha256}


PROVENANCE_PREDICATES = frozenset({"http://www.w3.org/ns/prov#wasDerivedFrom",
                                   "http://purl.org/dc/terms/source"})


def _keep_only_new(reader: ReadView, path: Path, graph: str) -> None:
    """Drop from a generated file the triples its graph already holds.

    A re-import restates most facts; writing only the new ones keeps the write's focus (the
    subjects SHACL re-validates, with their neighbours) to what really changes. A resource
    whose facts are all known keeps the provenance it has (the earlier file and row that stated
    them): its new row is not added, so restating a fact changes nothing.
    """
    g = ox.NamedNode(graph)
    if not reader.contains_named_graph(g):
        return
    with open(path, "rb") as f:
        triples = list(ox.parse(f, ox.RdfFormat.N_TRIPLES))
    fresh = [t for t in dict.fromkeys(triples)
             if ox.Quad(t.subject, t.predicate, t.object, g) not in reader]
    changed = {t.subject for t in fresh if t.predicate.value not in PROVENANCE_PREDICATES}
    fresh = [t for t in fresh if t.subject in changed]
    with open(path, "wb") as out:
        ox.serialize(fresh, out, ox.RdfFormat.N_TRIPLES)


def _scratch_dir(store: OxigraphStore) -> str | None:
    root = store.config.store_dir if not store.config.in_memory else None
    if root is None:
        return None
    Path(root).mkdir(parents=True, exist_ok=True)
    return str(root)


def _map_rows(batches: Iterator[list[str]],
              map_batch: Callable[[list[str]], tuple[bytes, list[str]]],
              out: io.BufferedWriter) -> list[str]:
    """Map the batches on one thread per core (the checks and CONSTRUCTs are Oxigraph queries,
    evaluated without the GIL), writing their triples to ``out`` in the file's order.

    Errors come in the file's order too: a batch's failed check is raised before a bad cell
    of a later row that was read ahead. Returns the placeholder lines of every batch.
    """
    placeholders: list[str] = []
    pending: deque[Future[tuple[bytes, list[str]]]] = deque()

    def drain(keep: int) -> None:
        while len(pending) > keep:
            data, lines = pending.popleft().result()
            out.write(data)
            placeholders.extend(lines)

    with ThreadPoolExecutor(QUERY_THREADS, thread_name_prefix="corridor-import") as pool:
        try:
            for batch in batches:
                pending.append(pool.submit(map_batch, batch))
                drain(2 * QUERY_THREADS)  # a bounded read-ahead: memory stays a few batches
        except Exception:
            drain(0)  # an earlier batch's error first, as a serial run would raise it
            raise
        drain(0)
    return placeholders


def _map_batch(reader: ReadView, tf: TableFile, union: list[str], wanted: list[str],
               check_vars: list[tuple[dict[str, str], list[str]]], base: str, graph: str,
               batch: list[str]) -> tuple[bytes, list[str]]:
    """One batch of rows: its checks run (a failure is a located error), then its triples
    as N-Triples and its placeholder lines."""
    for check, variables in check_vars:
        _run_check(reader, tf, check, _project(batch, union, variables), base, graph)
    rows = _project(batch, union, wanted)
    data = reader.query(_fill(tf.table.construct, rows), base_iri=base,
                        use_default_graph_as_union=True,
                        substitutions=_substitutions(tf, graph, tf.table.construct)
                        ).serialize(format=ox.RdfFormat.N_TRIPLES) or b""
    lines = (_placeholder_lines(reader, tf, batch, union, base, graph)
             if tf.table.placeholders else [])
    return data, lines


_TERM = re.compile(r'UNDEF|"(?:[^"\\]|\\.)*"(?:\^\^<[^>]*>)?|true|false')


def _project(batch: list[str], union: list[str], wanted: list[str]) -> list[str]:
    """Keep the ``wanted`` columns of VALUES lines built for the ``union`` columns."""
    if wanted == union:
        return batch
    keep = [union.index(w) for w in wanted]
    rows = []
    for line in batch:
        row, _, rest = line[1:-1].partition(" ")
        terms = _TERM.findall(rest) if rest else []
        rows.append(f"({row} {' '.join(terms[k] for k in keep)})")
    return rows


def _placeholder_lines(reader: ReadView, tf: TableFile, batch: list[str], union: list[str],
                       base: str, graph: str) -> list[str]:
    query = tf.table.placeholders
    assert query is not None
    rows = _project(batch, union, tf.table.variables(query))
    data = reader.query(_fill(query, rows), base_iri=base, use_default_graph_as_union=True,
                        substitutions=_substitutions(tf, graph, query)
                        ).serialize(format=ox.RdfFormat.N_TRIPLES)
    return data.decode().splitlines() if data else []


RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def _labelled_subjects(path: Path) -> set[str]:
    """Subjects given an rdfs:label by a (small) generated file."""
    subjects = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            s, _, rest = line.partition(" ")
            if rest.startswith(RDFS_LABEL):
                subjects.add(s)
    return subjects


def _placeholder_sources(store: OxigraphStore, tmp: Path, lines: list[str],
                         labelled: set[str]) -> list[Source]:
    """The placeholder graph's change: new placeholders for subjects no source names, and the
    placeholders of subjects this import names removed (the graph is then rewritten)."""
    graph = store.config.graph_iri(PLACEHOLDER_GRAPH)
    g = ox.NamedNode(graph)
    reader = store.reader()
    superseded = {
        s for s in labelled
        if next(iter(reader.quads_for_pattern(ox.NamedNode(s[1:-1]), None, None, g)), None)
    }
    kept = sorted({line for line in lines if line.split(" ", 1)[0] not in labelled})
    if not kept and not superseded:
        return []
    if superseded:
        old = [f"{q.subject} {q.predicate} {q.object} ." for q in
               reader.quads_for_pattern(None, None, None, g) if str(q.subject) not in superseded]
        kept = sorted(set(kept) | set(old))
    path = tmp / "placeholders.nt"
    path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return [Source(path, graph, ox.RdfFormat.N_TRIPLES, title="placeholder labels",
                   sha256=digest, replace=bool(superseded))]
