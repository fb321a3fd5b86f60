"""The ``corridor`` command line: load, validate, query, dump, graphs, drop, serve.

Exit codes: 0 success, 1 SHACL violations, 2 unusable input (missing or unreadable file, unknown
format, syntax error, bad query), 3 store problem (locked by another process, permission denied,
disk full). Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from corridor.config import Config
from corridor.ingest.loader import InputError
from corridor.store import (
    OxigraphStore,
    StoreError,
    WriteRejected,
    memory_store,
    open_store,
    os_reason,
)
from corridor.store.protected import ProtectedGraphError, protected_graphs, refuse_protected
from corridor.validation import UnsupportedShape, Validator, write_check

EXIT_VIOLATIONS, EXIT_INPUT, EXIT_STORE = 1, 2, 3

DUMP_FORMATS = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}
RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}


class UsageError(Exception):
    """Unusable input given on the command line (exit 2)."""


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store", default=argparse.SUPPRESS, metavar="DIR",
        help="store folder (default: $CORRIDOR_STORE or ./corridor-store)",
    )
    common.add_argument(
        "--base-iri", default=argparse.SUPPRESS, metavar="IRI",
        help="base IRI relative IRIs resolve against (default: $CORRIDOR_BASE_IRI)",
    )
    # a remote SPARQL 1.1 store instead of the embedded one; --store then names the folder of
    # Corridor's own derived files (figures, search index, dumps)
    for flag, env, what in (
        ("--store-url", "CORRIDOR_STORE_URL", "SPARQL Query endpoint of a remote store"),
        ("--update-url", "CORRIDOR_UPDATE_URL", "its SPARQL Update endpoint (default: store-url)"),
        ("--gsp-url", "CORRIDOR_GSP_URL", "its Graph Store endpoint (optional)"),
        ("--store-user", "CORRIDOR_STORE_USER", "user name for the remote store"),
        ("--store-password", "CORRIDOR_STORE_PASSWORD", "password for the remote store"),
    ):
        common.add_argument(flag, default=argparse.SUPPRESS, metavar="URL" if "url" in flag
                            else "TEXT", help=f"{what} (default: ${env})")
    parser = argparse.ArgumentParser(
        prog="corridor", parents=[common],
        description="Keep and serve the Corridor knowledge graph.",
        epilog="Exit codes: 0 ok, 1 SHACL violations, 2 unusable input, 3 store problem.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    load = sub.add_parser("load", parents=[common], help="validate and load RDF files")
    load.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    load.add_argument("--graph", metavar="IRI", help="target named graph (default: from path)")
    load.add_argument("--replace", action="store_true", help="replace the graph's content")
    load.add_argument("--dry-run", action="store_true", help="parse and validate, write nothing")
    load.add_argument("--format", metavar="F", help="ttl, trig, nt, nq, jsonld, rdfxml")
    load.add_argument(
        "--no-validate", action="store_true",
        help="skip SHACL validation (trusted bulk data only)",
    )
    load.add_argument(
        "--skip-protected", action="store_true",
        help="leave out (and count) statements a dataset file has in the metadata or shapes "
             "graph, which only the store writes: how a dump is restored (default: refuse)",
    )

    validate = sub.add_parser("validate", parents=[common], help="validate files, write nothing")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    validate.add_argument("--graph", metavar="IRI")
    validate.add_argument("--format", metavar="F")
    validate.add_argument("--report", metavar="FILE.ttl", help="write the SHACL report as Turtle")
    validate.add_argument(
        "--shapes", action="append", metavar="SHAPES_FILE",
        help="shapes to validate against (with --standalone; may be repeated)",
    )
    validate.add_argument(
        "--standalone", action="store_true",
        help="validate each file alone against --shapes: no store, ontology or bundled shapes "
             "(exit 0 conforms, 1 does not conform, 2 unusable input)",
    )

    imp = sub.add_parser(
        "import", parents=[common], help="map source tables (CSV) to RDF and load them",
        description="Map CSV tables with a declarative mapping (bundled: "
        "cordis, cordis-h2020-network; or a mapping file) and load the result validated.",
    )
    imp.add_argument("mapping", metavar="MAPPING", help="bundled mapping name or mapping file")
    imp.add_argument("paths", nargs="+", metavar="FILE", help="CSV files (.csv or .csv.gz)")
    imp.add_argument("--replace", action="store_true",
                     help="replace the tables' graphs (a newer release of the source)")
    imp.add_argument("--dry-run", action="store_true", help="map and validate, write nothing")
    imp.add_argument("--release", metavar="LABEL",
                     help="release of the source recorded with it (default: file date)")

    rec = sub.add_parser(
        "reconcile", parents=[common],
        help="link PIC-less organisations to PIC ones (VAT, then name + city + country)",
    )
    rec.add_argument("--threshold", type=float, default=90.0,
                     help="least name similarity (0-100, rapidfuzz token_sort_ratio)")
    rec.add_argument("--dry-run", action="store_true", help="list the matches, write nothing")

    query = sub.add_parser("query", parents=[common], help="run a SPARQL query")
    query.add_argument("query", metavar="QUERY|FILE.rq")
    query.add_argument(
        "--format", choices=["table", *RESULT_FORMATS, *GRAPH_FORMATS], default=None,
        help="table (default for SELECT/ASK), csv, tsv, json, xml, turtle, ntriples",
    )

    dump = sub.add_parser("dump", parents=[common], help="write the store or one graph as RDF")
    dump.add_argument("--graph", metavar="IRI")
    dump.add_argument("--format", choices=list(DUMP_FORMATS), default=None)
    dump.add_argument("-o", "--output", metavar="FILE")

    sub.add_parser("graphs", parents=[common], help="list graphs with counts and provenance")
    sub.add_parser("init", parents=[common],
                   help="fill a new store with the bundled ontology, shapes and data "
                        "(as `serve` does on first start)")

    drop = sub.add_parser("drop", parents=[common], help="remove a named graph")
    drop.add_argument("graph", metavar="GRAPH", help="IRI or name under {base}graph/")

    sub.add_parser(
        "reindex", parents=[common],
        help="remote store: take in graphs written behind Corridor's back (new version)")

    serve = sub.add_parser("serve", parents=[common], help="serve HTTP (waitress)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--write-token", help="bearer token for writes (default: no writes)")
    serve.add_argument("--query-timeout", type=float, metavar="SECONDS")
    serve.add_argument("--threads", type=int, default=8)
    return parser


def main(argv: list[str] | None = None, config: Config | None = None) -> int:
    """Run one command; ``config`` (tests) replaces the environment as the starting point."""
    args = build_parser().parse_args(argv)
    store_dir: object = getattr(args, "store", None) or "the store"
    try:
        flags = {
            "store_dir": Path(args.store) if getattr(args, "store", None) else None,
            "base_iri": getattr(args, "base_iri", None),
            **{name: getattr(args, name, None) for name in (
                "store_url", "update_url", "gsp_url", "store_user", "store_password")},
        }
        config = (config or Config.from_env()).with_(
            **{k: v for k, v in flags.items() if v is not None}
        )
        store_dir = config.store_dir
        return COMMANDS[args.command](args, config)
    except WriteRejected as e:
        _error(str(e))
        return EXIT_VIOLATIONS
    except (UsageError, InputError, ProtectedGraphError) as e:
        _error(str(e))
        return EXIT_INPUT
    except UnsupportedShape as e:
        _error(f"unusable shapes: {e}")
        return EXIT_INPUT
    except StoreError as e:
        _error(str(e))
        return EXIT_STORE
    except OSError as e:
        _error(f"cannot write to {e.filename or store_dir}: {os_reason(e)}")
        return EXIT_STORE
    except ValueError as e:  # e.g. CORRIDOR_PORT=abc
        _error(f"invalid setting: {e}")
        return EXIT_INPUT
    except KeyboardInterrupt:
        _error("interrupted; nothing was written")
        return 130


def _error(message: str) -> None:
    print(f"corridor: {message}", file=sys.stderr)


# ---------------------------------------------------------------------------- commands
def cmd_load(args: argparse.Namespace, config: Config) -> int:
    from corridor.ingest import loader

    store = open_store(config)
    sources = loader.plan(store, args.paths, graph=args.graph, format=args.format)
    if args.replace and args.graph and len(sources) > 1:
        raise UsageError("--replace with --graph takes one file")
    check = None if args.no_validate else write_check(store)
    fresh = _is_fresh(store)
    try:
        for source in sources:  # a triple file aimed at a store-written graph
            refuse_protected(config, source.graph)
        results = loader.load_files(
            store, sources, replace=args.replace, check=check, dry_run=args.dry_run,
            skip_protected=args.skip_protected,
        )
    except WriteRejected as e:
        _error(f"{e}; nothing was written")
        if fresh:  # the usual cause: references to scheme concepts the store does not hold yet
            _error(f"the store {config.store_dir} is new and holds no ontology, shapes or "
                   f"reference data yet: run `corridor init --store {config.store_dir}` first")
        if e.report is not None:
            print(e.report.text(), file=sys.stderr)  # type: ignore[attr-defined]
        return EXIT_VIOLATIONS
    for result in results:
        graphs = ", ".join(f"<{g}>" for g in result.graphs)
        path = result.source.path
        if result.skipped:
            print(f"{path}: unchanged (already loaded into {graphs})")
        elif args.dry_run:
            print(f"{path}: valid, {result.triples} triples would go to {graphs}")
        else:
            print(f"{path}: {result.triples} triples loaded into {graphs}")
        for graph, count in result.left_out.items():
            print(f"{path}: {count} statements in <{graph}> left out: that graph is written by "
                  "the store only (it recorded this load and keeps its own shapes)")
    return 0


def cmd_import(args: argparse.Namespace, config: Config) -> int:
    """Map and load source tables; a fresh store gets the bundled data first (as `serve`)."""
    from corridor.ingest import loader, tables

    mapping = tables.load_mapping(args.mapping)
    store = open_store(config)
    if store.version == 0 and not store.named_graphs(public=False):
        loader.load_bundled(store)
    try:
        results = tables.import_files(
            store, mapping, [Path(p) for p in args.paths], replace=args.replace,
            check=write_check(store), dry_run=args.dry_run, release=args.release,
        )
    except WriteRejected as e:
        _error(f"{e}; nothing was written")
        if e.report is not None:
            print(e.report.text(), file=sys.stderr)  # type: ignore[attr-defined]
        return EXIT_VIOLATIONS
    for r in results:
        if r.skipped:
            print(f"{r.path}: unchanged (already imported into <{r.graph}>)")
        elif args.dry_run:
            print(f"{r.path}: {r.table} table, {r.rows} rows valid, would go to <{r.graph}>")
        else:
            print(f"{r.path}: {r.table} table, {r.rows} rows, {r.triples} triples "
                  f"imported into <{r.graph}>")
    return 0


def cmd_reconcile(args: argparse.Namespace, config: Config) -> int:
    from corridor.ingest import reconcile

    store = open_store(config)
    outcome = reconcile.reconcile_store(store, check=write_check(store), dry_run=args.dry_run,
                                        threshold=args.threshold)
    for m in outcome.matches:
        print(f"match\t{m.source}\t{m.target}\t{m.rule}\t{m.score:.1f}\t{m.evidence}")
    for source, candidates in outcome.ambiguous:
        print(f"ambiguous\t{source}\t{' '.join(candidates)}\tnot linked")
    verb = "found" if args.dry_run else "recorded"
    print(f"{len(outcome.matches)} match(es) {verb}, {len(outcome.ambiguous)} ambiguous",
          file=sys.stderr)
    return 0


def cmd_validate(args: argparse.Namespace, config: Config) -> int:
    """Validate each file together with the store's current content, in memory (exit 1 when
    a Violation would refuse the load), or alone against ``--shapes`` (``--standalone``)."""
    from corridor.ingest import loader
    from corridor.validation.validator import Report

    if args.standalone or args.shapes:
        return _validate_standalone(args)

    base = _snapshot_copy(config)
    validator = _validator(config)
    sources = loader.plan(_PlanStore(config), args.paths, graph=args.graph, format=args.format)
    combined = Report(True, [])
    for source in sources:
        scratch = memory_store(base)
        target = ox.NamedNode(source.graph)
        quads = list(loader.retarget(loader.parse_file(source, config.base_iri), target,
                                      protected_graphs(config), {}))
        for graph in {q.graph_name.value for q in quads}:  # type: ignore[union-attr]
            scratch.clear_graph(ox.NamedNode(graph))
        scratch.bulk_extend(quads)
        focus = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
        blank_only = any(isinstance(q.subject, ox.BlankNode) for q in quads) and not focus
        report = validator.validate_store(scratch, None if blank_only else focus)
        print(f"{source.path}: {_verdict(report)}")
        combined.results += report.results
        combined.conforms = combined.conforms and report.conforms
    _write_report(args, combined)
    return 0 if combined.accepted else EXIT_VIOLATIONS


def _verdict(report: object) -> str:
    if report.conforms:  # type: ignore[attr-defined]
        return "conforms"
    if report.accepted:  # type: ignore[attr-defined]
        return "does not conform (warnings or infos only: a load would be accepted)"
    return "does not conform"


def _write_report(args: argparse.Namespace, report: object) -> None:
    if args.report:
        try:
            report.graph().serialize(destination=args.report, format="turtle")  # type: ignore[attr-defined]
        except OSError as e:
            raise UsageError(f"{args.report}: cannot write: {e.strerror or e}") from None
    elif report.results:  # type: ignore[attr-defined]
        print(report.text())  # type: ignore[attr-defined]


def _validate_standalone(args: argparse.Namespace) -> int:
    """Each file alone against ``--shapes`` with the engine that guards writes."""
    from corridor.validation.validator import Report, Validator

    if not (args.standalone and args.shapes):
        raise UsageError("--shapes and --standalone go together (validate FILE --shapes S "
                         "--standalone)")
    if args.graph or args.format:
        raise UsageError("--graph and --format do not apply to --standalone")
    for path in [*args.shapes, *args.paths]:
        if not Path(path).is_file():
            raise UsageError(f"{path}: no such file")
    try:
        validator = Validator.standalone([Path(p) for p in args.shapes])
        validator.check_usable()
    except SyntaxError as e:
        raise UsageError(f"cannot parse the shapes: {e}") from None
    combined = Report(True, [])
    for path in args.paths:
        try:
            report = validator.validate_file(Path(path))
        except SyntaxError as e:
            raise UsageError(f"{path}: cannot parse: {e}") from None
        print(f"{path}: {'conforms' if report.conforms else 'does not conform'}")
        combined.results += report.results
        combined.conforms = combined.conforms and report.conforms
    _write_report(args, combined)
    return 0 if combined.conforms else EXIT_VIOLATIONS


class _PlanStore:
    """Just enough of a store for :func:`loader.plan` (which only reads the config)."""

    def __init__(self, config: Config) -> None:
        self.config = config


def _validator(config: Config) -> Validator:
    return Validator.bundled(config)


def _snapshot_copy(config: Config) -> list[ox.Quad]:
    """The quads of the published store, or the bundled data when there is no store yet."""
    from corridor.ingest import loader

    try:
        with _reading(config) as store:
            return list(store.quads())
    except StoreError:
        quads = []
        for source in loader.bundled_sources(_PlanStore(config)):  # type: ignore[arg-type]
            target = ox.NamedNode(source.graph)
            quads += [ox.Quad(q.subject, q.predicate, q.object, target)
                      for q in loader.parse_file(source, config.base_iri)]
        return quads


@contextlib.contextmanager
def _reading(config: Config) -> Iterator[OxigraphStore]:
    """The published checkpoint, read-only: works while `corridor serve` runs."""
    if config.is_remote:
        yield open_store(config, read_only=True)
        return
    if not (Path(config.store_dir) / "snapshots").is_dir():
        raise StoreError(f"{config.store_dir} holds no store yet (run `corridor load` first)")
    yield open_store(config, read_only=True)


def cmd_query(args: argparse.Namespace, config: Config) -> int:
    text = args.query
    if text.endswith(".rq") or (len(text) < 4096 and "\n" not in text and Path(text).is_file()):
        try:
            text = Path(text).read_text(encoding="utf-8")
        except OSError as e:
            raise UsageError(f"{args.query}: cannot read: {e.strerror or e}") from None
    with _reading(config) as store:
        try:
            result = store.query(text)
        except SyntaxError as e:
            raise UsageError(f"query syntax error: {e.msg or e}") from None
        except (OSError, ValueError, RuntimeError) as e:
            raise UsageError(f"query failed: {e}") from None
        _write_result(result, args.format, sys.stdout)
    return 0


def _write_result(result: object, fmt: str | None, out: IO[str]) -> None:
    if isinstance(result, ox.QueryTriples):
        fmt = fmt or "turtle"
        if fmt not in GRAPH_FORMATS:
            raise UsageError(f"a graph result is written as turtle or ntriples, not {fmt}")
        data = result.serialize(format=GRAPH_FORMATS[fmt])
        out.write(data.decode())  # type: ignore[union-attr]
        return
    fmt = fmt or "table"
    if fmt in GRAPH_FORMATS:
        raise UsageError(f"{fmt} is for CONSTRUCT/DESCRIBE results")
    if fmt != "table":
        out.write(result.serialize(format=RESULT_FORMATS[fmt]).decode())  # type: ignore[attr-defined]
        return
    if isinstance(result, ox.QueryBoolean):
        out.write(("true" if bool(result) else "false") + "\n")
        return
    variables = [v.value for v in result.variables]  # type: ignore[attr-defined]
    rows = [[_cell(row[v]) for v in variables] for row in result]  # type: ignore[attr-defined]
    widths = [max([len(v), *(len(r[i]) for r in rows)]) for i, v in enumerate(variables)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out.write(line + "\n")
    out.write("|" + "|".join(f" {v:<{w}} " for v, w in zip(variables, widths, strict=True)) + "|\n")
    out.write(line + "\n")
    for r in rows:
        out.write("|" + "|".join(f" {c:<{w}} " for c, w in zip(r, widths, strict=True)) + "|\n")
    out.write(line + "\n")
    out.write(f"{len(rows)} row{'s' if len(rows) != 1 else ''}\n")


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def cmd_dump(args: argparse.Namespace, config: Config) -> int:
    fmt = args.format or ("turtle" if args.graph else "nquads")
    graph = _graph_iri(config, args.graph) if args.graph else None
    if graph is None and fmt in ("turtle", "ntriples"):
        raise UsageError(f"--format {fmt} holds one graph: add --graph")
    with _reading(config) as store:
        if graph is not None and not store.graph_exists(graph):
            raise UsageError(f"no such graph: <{graph}>")
        if args.output:
            try:
                with open(args.output, "wb") as out:
                    store.dump(out, DUMP_FORMATS[fmt], graph)
            except OSError as e:
                raise StoreError(f"{args.output}: cannot write: {os_reason(e)}") from None
        else:
            buffer = io.BytesIO()
            store.dump(buffer, DUMP_FORMATS[fmt], graph)
            sys.stdout.write(buffer.getvalue().decode())
    return 0


def cmd_graphs(args: argparse.Namespace, config: Config) -> int:
    from corridor.ingest import provenance

    with _reading(config) as store:
        listing = provenance.listing(store.reader(), config)
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    writer.writerow(["graph", "triples", "source", "sha256", "loaded", "by", "shapes"])
    for entry in listing:
        sources = cast(list[dict[str, object]], entry["sources"] or [{}])
        for s in sources:
            writer.writerow([
                entry["graph"], entry["triples"], s.get("title") or "", s.get("sum") or "",
                s.get("time") or "", s.get("agent") or "", s.get("shapes") or "",
            ])
    return 0


def _is_fresh(store: object) -> bool:
    """A store nothing was ever written to (version 0, no graphs)."""
    return store.version == 0 and not store.named_graphs(public=False)  # type: ignore[attr-defined]


def cmd_init(args: argparse.Namespace, config: Config) -> int:
    """Initialise a new store the way ``serve`` does on its first start."""
    from corridor.ingest.loader import load_bundled

    store = open_store(config)
    if not _is_fresh(store):
        print(f"{config.store_dir}: already initialised (version {store.version}); unchanged")
        return 0
    load_bundled(store)
    print(f"{config.store_dir}: initialised with the bundled ontology, shapes and data "
          f"({len(store.named_graphs(public=False))} graphs)")
    return 0


def _graph_iri(config: Config, name: str) -> str:
    return name if ":" in name else config.graph_iri(name)


def cmd_drop(args: argparse.Namespace, config: Config) -> int:
    graph = _graph_iri(config, args.graph)
    if graph == config.meta_graph:
        raise UsageError("the metadata graph is kept by the store itself")
    store = open_store(config)
    if not store.graph_exists(graph):
        raise UsageError(f"no such graph: <{graph}>")
    with store.transaction(f"drop {graph}") as txn:
        txn.drop_graph(graph)
    print(f"dropped <{graph}>")
    return 0


def cmd_reindex(args: argparse.Namespace, config: Config) -> int:
    """Resync after writes made to a remote store directly (its own loader, another tool):
    register its data graphs and publish a new version, so every derived view is rebuilt."""
    if not config.is_remote:
        print("the embedded store is written only through Corridor: nothing to reindex")
        return 0
    store = open_store(config)
    count = store.reindex()  # type: ignore[attr-defined]
    print(f"{count} graph(s) registered; now version {store.version}")
    return 0


def cmd_serve(args: argparse.Namespace, config: Config) -> int:
    flags = {
        "host": args.host, "port": args.port, "write_token": args.write_token,
        "query_timeout": args.query_timeout,
    }
    config = config.with_(**{k: v for k, v in flags.items() if v is not None})
    from waitress.server import create_server

    from corridor.derived.figures import freeze_long_lived
    from corridor.validation.validator import Validator
    from corridor.web.app import create_app

    # shapes the engine cannot use would turn every write into an error: refuse to start
    Validator.bundled(config).check_usable()
    freeze_long_lived()  # this process keeps its store: long-lived figures leave the collector
    app = create_app(config)
    try:
        # poll(), not select(): a big store keeps many files open, and select() refuses
        # descriptors past 1023 (the server would stop answering)
        server = create_server(app, host=config.host, port=config.port, threads=args.threads,
                               asyncore_use_poll=True)
    except OSError as e:
        where = f"{config.host}:{config.port}"
        raise StoreError(f"cannot listen on {where}: {e.strerror or e}") from None
    serving = config.store_url if config.is_remote else config.store_dir
    print(f"Corridor serving {serving} on http://{config.host}:{config.port}/",
          file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0


COMMANDS = {
    "load": cmd_load,
    "validate": cmd_validate,
    "import": cmd_import,
    "reconcile": cmd_reconcile,
    "query": cmd_query,
    "dump": cmd_dump,
    "graphs": cmd_graphs,
    "drop": cmd_drop,
    "reindex": cmd_reindex,
    "serve": cmd_serve,
    "init": cmd_init,
}

if __name__ == "__main__":
    sys.exit(main())
