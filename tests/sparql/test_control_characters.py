"""Literals holding a character XML 1.0 cannot carry (U+0000-U+0008, U+000B, U+000C,
U+000E-U+001F, U+FFFE, U+FFFF) are refused on every write path, so that every output format —
RDF/XML and SPARQL XML results included — stays well-formed; tab, newline and carriage return
are kept and come back intact in every format."""

from __future__ import annotations

import xml.dom.minidom

import pyoxigraph as ox
import pytest
import requests

from corridor.config import Config
from corridor.ingest import loader
from corridor.rdf import formats as conneg
from corridor.store import open_store

from .conftest import BASE, EX, TOKEN
from .helpers import RESULT_FORMATS, result_of

AUTH = {"Authorization": f"Bearer {TOKEN}"}
FORBIDDEN = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\ufffe", "\uffff"]


def escape(char: str) -> str:
    return f"\\u{ord(char):04X}"


@pytest.mark.parametrize("char", FORBIDDEN)
@pytest.mark.parametrize("media_type", ["text/turtle", "application/n-triples"])
def test_a_graph_store_body_with_one_is_refused(live, char, media_type):
    graph = BASE + "graph/test/control"
    body = f'<{EX}s> <{EX}p> "a{escape(char)}b" .'.encode()
    version = live.store.version
    r = requests.put(live.graph_store, params={"graph": graph}, data=body,
                     headers={**AUTH, "Content-Type": media_type})
    assert r.status_code == 400, r.text
    assert f"U+{ord(char):04X}" in r.text
    assert live.store.version == version


@pytest.mark.parametrize("char", FORBIDDEN)
@pytest.mark.parametrize("form", ["escape", "raw", "long-escape", "replace"])
def test_an_update_that_would_write_one_is_refused(live, char, form):
    if form == "raw" and char == "\x00":
        pytest.skip("a form field cannot carry U+0000 through requests")
    value = {"escape": f'"a{escape(char)}"', "raw": f'"a{char}"',
             "long-escape": f'"a\\U{ord(char):08X}"',
             "replace": '?v'}[form]
    where = f'WHERE {{ BIND(REPLACE("ab", "b", "{escape(char)}") AS ?v) }}' \
        if form == "replace" else "WHERE {}"
    update = f"INSERT {{ GRAPH <{BASE}graph/test/control> {{ <{EX}s> <{EX}p> {value} }} }} {where}"
    version = live.store.version
    r = requests.post(live.sparql, data={"update": update}, headers=AUTH)
    assert r.status_code == 400, (update, r.text)
    assert f"U+{ord(char):04X}" in r.text
    assert live.store.version == version


SPELLINGS = {
    "escape-u": escape,
    "escape-U": lambda char: f"\\U{ord(char):08X}",
    "lowercase-hex": lambda char: f"\\u{ord(char):04x}",
    "raw": lambda char: char,
}


@pytest.mark.parametrize("char", ["\x01", "\x1f", "\ufffe"])
@pytest.mark.parametrize("spelling", list(SPELLINGS))
@pytest.mark.parametrize("fast", [False, True])
def test_a_loaded_file_with_one_is_refused(tmp_path, monkeypatch, fast, spelling, char):
    if fast:  # the bulk path screens the bytes, then checks the stored literals exactly
        monkeypatch.setattr(loader, "FAST_PATH_BYTES", 0)
    path = tmp_path / "control.nt"
    bad = SPELLINGS[spelling](char)
    path.write_bytes(f'<{EX}a> <{EX}p> "fine" .\n<{EX}s> <{EX}p> "a{bad}b" .\n'.encode())
    store = open_store(Config(store_dir=tmp_path / "store"))
    version = store.version
    with pytest.raises(loader.InputError, match="control character"):
        loader.load_one(store, loader.Source(path, BASE + "graph/test/c", ox.RdfFormat.N_TRIPLES))
    assert store.version == version


@pytest.mark.parametrize("fast", [False, True])
def test_a_file_that_only_looks_suspicious_loads(tmp_path, monkeypatch, fast):
    """Allowed escapes (tab), U+FFFD and a control-character escape in a comment pass."""
    if fast:
        monkeypatch.setattr(loader, "FAST_PATH_BYTES", 0)
    path = tmp_path / "fine.nt"
    path.write_bytes(f'# \\u0001 in a comment\n<{EX}s> <{EX}p> "tab\\u0009 and \ufffd" .\n'
                     .encode())
    store = open_store(Config(store_dir=tmp_path / "store"))
    loader.load_one(store, loader.Source(path, BASE + "graph/test/c", ox.RdfFormat.N_TRIPLES))
    literal = next(iter(store.reader().quads_for_pattern(None, None, None, None))).object
    assert literal.value == "tab\t and \ufffd"


@pytest.fixture(scope="module")
def whitespace(live):
    graph = BASE + "graph/test/whitespace"
    body = f'<{EX}ws> <{EX}p> "tab\\tnewline\\ncr\\rend" .'.encode()
    r = requests.put(live.graph_store, params={"graph": graph}, data=body,
                     headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code in (201, 204), r.text
    return "tab\tnewline\ncr\rend"


@pytest.mark.parametrize("media_type", list(RESULT_FORMATS))
def test_allowed_whitespace_survives_every_result_format(live, whitespace, media_type):
    r = requests.get(live.sparql, params={"query": f"SELECT ?o {{ <{EX}ws> <{EX}p> ?o }}"},
                     headers={"Accept": media_type})
    assert r.status_code == 200
    if "xml" in media_type:
        xml.dom.minidom.parseString(r.content)  # well-formed
    if media_type in ("text/csv", "text/tab-separated-values"):
        return  # CSV/TSV carry the value too, but rdflib's TSV reader drops \r
    (row,) = result_of(r).bindings
    assert str(next(iter(row.values()))) == whitespace


@pytest.mark.parametrize("media_type", list(conneg.RDF_FORMATS))
def test_allowed_whitespace_survives_every_graph_format(live, whitespace, media_type):
    r = requests.get(live.sparql, params={"query": f"CONSTRUCT WHERE {{ <{EX}ws> ?p ?o }}"},
                     headers={"Accept": media_type})
    assert r.status_code == 200
    if "xml" in media_type:
        xml.dom.minidom.parseString(r.content)
    (quad,) = ox.parse(r.content, format=conneg.RDF_FORMATS[media_type])
    assert quad.object.value == whitespace


@pytest.mark.parametrize("media_type", ["application/rdf+xml", "text/turtle",
                                        "application/n-triples"])
def test_allowed_whitespace_survives_a_graph_store_get(live, whitespace, media_type):
    r = requests.get(live.graph_store, params={"graph": BASE + "graph/test/whitespace"},
                     headers={"Accept": media_type})
    assert r.status_code == 200
    (quad,) = ox.parse(r.content, format=conneg.RDF_FORMATS[media_type])
    assert quad.object.value == whitespace
