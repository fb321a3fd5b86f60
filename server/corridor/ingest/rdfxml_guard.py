"""RDF/XML is checked before Oxigraph parses it: what its parser does not refuse, we do.

Oxigraph's RDF/XML parser expands entities declared in a DOCTYPE (a 798-byte "billion laughs"
document becomes a 300 MB literal), takes quadratic time on deeply nested elements, and
returns the triples of a document cut off before its root element closes (a truncated upload
stored as a partial graph). One streaming pass of the standard library's expat parser (C,
no entity expansion once the DOCTYPE is refused) decides all three first:

* any DOCTYPE (hence any ENTITY declaration) is refused — RDF/XML never needs one;
* elements may nest :data:`MAX_DEPTH` deep;
* the document must end with its root element closed.
"""

from __future__ import annotations

import xml.parsers.expat
from collections.abc import Iterable

errors = xml.parsers.expat.errors
MAX_DEPTH = 128
_TRUNCATED = {errors.codes[errors.XML_ERROR_NO_ELEMENTS],
              errors.codes[errors.XML_ERROR_UNCLOSED_TOKEN]}
CHUNK = 1 << 16


class RdfXmlRefused(ValueError):
    """The document is refused before parsing; the message says why and where."""


def check_rdfxml(chunks: bytes | Iterable[bytes]) -> None:
    """Raise :class:`RdfXmlRefused` unless the RDF/XML document in ``chunks`` is acceptable."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    depth = 0

    def refuse(message: str) -> None:
        raise RdfXmlRefused(f"line {parser.CurrentLineNumber}: {message}")

    def doctype(*_: object) -> None:
        refuse("the RDF/XML document has a DOCTYPE (entity declarations are not accepted)")

    def entity(*_: object) -> None:
        refuse("the RDF/XML document declares an ENTITY (not accepted)")

    def start(*_: object) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            refuse(f"the RDF/XML elements nest more than {MAX_DEPTH} levels deep")

    def end(*_: object) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    if isinstance(chunks, bytes):
        chunks = [chunks[i : i + CHUNK] for i in range(0, len(chunks), CHUNK)] or [b""]
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as e:
        reason = errors.messages[e.code] if e.code else str(e)
        if e.code in _TRUNCATED:
            reason = "the document ends before its root element is closed (truncated?)"
        raise RdfXmlRefused(f"line {e.lineno}, column {e.offset}: {reason}") from None


def check_rdfxml_file(path: str) -> None:
    """:func:`check_rdfxml` on a file, read in chunks (gzip is decompressed on the fly)."""
    import gzip

    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as stream:
        check_rdfxml(iter(lambda: stream.read(CHUNK), b""))
