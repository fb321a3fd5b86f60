"""Literals must be representable in every format Corridor serves, XML included.

XML 1.0 cannot carry U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+FFFE or U+FFFF — not
even as character references — so a literal holding one would make every RDF/XML document
and SPARQL XML result that contains it ill-formed. No escaping can fix that at output time;
such literals are refused when they are written (Graph Store bodies, SPARQL Update text,
loaded files), with the code point named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO

import pyoxigraph as ox

_FORBIDDEN_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff"
FORBIDDEN = re.compile(f"[{_FORBIDDEN_CLASS}]")
# The same class as a SPARQL string (for REGEX over data the store loaded in bulk).
SPARQL_CLASS = r'"[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x{FFFE}\\x{FFFF}]"'
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


# Bytes of a serialised RDF file that may stand for a forbidden character: the character raw
# (C0 controls; U+FFFE/U+FFFF as UTF-8 start with EF BF) or a \u / \U escape of one.
_RAW_CONTROLS = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))
_ESCAPED_BYTES = re.compile(
    rb"\\u(?:00[01][0-9A-Fa-f]|[Ff]{3}[EeFf])|\\U0000(?:00[01][0-9A-Fa-f]|[Ff]{3}[EeFf])")
_OVERLAP = 16  # longer than any pattern above, so none is missed at a chunk boundary


def may_hold_forbidden(chunks: Iterable[bytes]) -> bool:
    """Whether a file (as byte chunks) may hold a forbidden character in some literal: False
    means certainly not; True only that an exact check of the parsed terms is needed (the
    bytes may be in a comment or an allowed escape such as ``\\u0009``).

    A screen, not a judge: about 0.5 s for 145 MB, where a REGEX over a million stored
    literals takes several seconds, so the bulk loader only runs the exact check when this
    finds something."""
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        if len(window.translate(None, _RAW_CONTROLS)) != len(window) or b"\xef\xbf" in window:
            return True
        if (b"\\u" in window or b"\\U" in window) and _ESCAPED_BYTES.search(window):
            return True
        tail = window[-_OVERLAP:]
    return False


class UnsafeLiteral(ValueError):
    """A literal holds a character no XML output can carry."""


def describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def _message(char: str, where: str) -> str:
    return (f"{where} holds the control character {describe(char)}, which RDF/XML and SPARQL "
            "XML results cannot represent; remove it (tab, newline and carriage return are "
            "fine)")


def check_terms(terms: Iterable[ox.Quad | ox.Triple]) -> None:
    """Raise :class:`UnsafeLiteral` for the first literal object holding a forbidden character."""
    for statement in terms:
        value = statement.object
        if isinstance(value, ox.Literal):
            found = FORBIDDEN.search(value.value)
            if found:
                raise UnsafeLiteral(_message(found.group(), f"a literal of <{statement.subject}>"
                                    if isinstance(statement.subject, ox.NamedNode)
                                    else "a literal"))


def checked(quads: Iterable[ox.Quad]) -> Iterable[ox.Quad]:
    """``quads``, raising :class:`UnsafeLiteral` at the first unsafe literal (streaming)."""
    for quad in quads:
        check_terms((quad,))
        yield quad


def check_update_text(text: str) -> None:
    """Raise :class:`UnsafeLiteral` if an update could write a forbidden character: raw, or as
    a ``\\u``/``\\U`` escape (SPARQL 1.1 has no function that makes one out of nothing)."""
    found = FORBIDDEN.search(text)
    if found:
        raise UnsafeLiteral(_message(found.group(), "the update"))
    for match in _ESCAPE.finditer(text):
        code = int(match.group(1) or match.group(2), 16)
        if code < 0x110000 and FORBIDDEN.fullmatch(chr(code)):
            raise UnsafeLiteral(_message(chr(code), "the update (as an escape)"))


class CarriageReturnEscaper:
    """A binary file wrapper for XML output: Oxigraph writes U+000D raw, which every XML
    parser reads back as a newline (XML 1.0 §2.11); ``&#13;`` keeps it."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, data: bytes) -> int:
        self.out.write(bytes(data).replace(b"\r", b"&#13;"))
        return len(data)

    def flush(self) -> None:
        self.out.flush()


def escape_carriage_returns(xml_bytes: bytes) -> bytes:
    """:class:`CarriageReturnEscaper` for a whole document."""
    return xml_bytes.replace(b"\r", b"&#13;")
