"""``POST /import/{mapping}``: the token holder imports source tables over HTTP.

The same import as ``corridor import`` (bundled mappings only: a mapping names SPARQL files on
the server's disk). The body is ``multipart/form-data`` with one or more ``file`` parts (their
file names are recorded as the sources and used in error locations) or one ``text/csv`` body
named by ``?name=``. Parameters: ``replace=true`` (a newer release replaces the tables' graphs),
``release=LABEL``, ``dry-run=true``. Answers 200 with JSON per file, 400 with the located
message (``file:row:column``) for a bad table, 422 with the SHACL report for violations.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, Response, jsonify, request
from werkzeug.utils import secure_filename

from corridor.ingest import tables
from corridor.ingest.loader import InputError
from corridor.store import StoreError, WriteRejected
from corridor.validation import write_check
from corridor.web import auth
from corridor.web.context import get_config, get_store
from corridor.web.errors import error_response, write_failure
from corridor.web.sparql import rejected

bp = Blueprint("importer", __name__)

TRUE = ("1", "true", "yes")


@bp.post("/import/<name>")
def import_tables(name: str) -> Response:
    denied = auth.deny_write(get_config())
    if denied is not None:
        return denied
    if name not in tables.bundled_mappings():
        known = ", ".join(sorted(tables.bundled_mappings()))
        return error_response(404, f"no bundled mapping {name!r} (bundled: {known})")
    store = get_store()
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        try:
            paths = _save_uploads(Path(tmp))
        except ValueError as e:
            return error_response(400, str(e))
        try:
            results = tables.import_files(
                store, tables.load_mapping(name), paths,
                replace=request.args.get("replace", "").lower() in TRUE,
                dry_run=request.args.get("dry-run", "").lower() in TRUE,
                release=request.args.get("release") or None,
                check=write_check(store), agent=auth.write_agent(),
            )
        except InputError as e:
            return error_response(400, str(e).replace(tmp + "/", ""))
        except WriteRejected as e:
            return rejected(e)
        except (StoreError, OSError) as e:
            return write_failure(e, "the import")
    return jsonify({"mapping": name, "results": [
        {"file": r.path.name, "table": r.table, "graph": r.graph, "rows": r.rows,
         "triples": r.triples, "skipped": r.skipped} for r in results]})


def _save_uploads(folder: Path) -> list[Path]:
    """The uploaded tables as files named as the client named them."""
    paths: list[Path] = []
    if request.mimetype == "multipart/form-data":
        for upload in request.files.getlist("file"):
            name = secure_filename(upload.filename or "") or f"table-{len(paths) + 1}.csv"
            target = folder / name
            if target.exists():
                raise ValueError(f"two uploaded files are named {name!r}")
            upload.save(target)
            paths.append(target)
    elif request.mimetype in ("text/csv", "application/gzip"):
        suffix = ".csv.gz" if request.mimetype == "application/gzip" else ".csv"
        name = secure_filename(request.args.get("name", "")) or f"table{suffix}"
        target = folder / name
        target.write_bytes(request.get_data())
        paths.append(target)
    else:
        raise ValueError("send the tables as multipart/form-data 'file' parts or one text/csv "
                         f"body (got {request.mimetype or 'no content type'})")
    if not paths:
        raise ValueError("no table in the request (multipart 'file' parts)")
    return paths
