"""Static analysis of SPARQL text: what the endpoint must know before a query or update runs.

pyoxigraph offers no parse-only API, yet the endpoint has to decide *before* execution whether
a request may make outbound requests (``SERVICE``, ``LOAD``), which graphs a query's ``FROM`` /
``FROM NAMED`` clauses name (withheld graphs must stay invisible), and where the protocol's
``using-graph-uri`` parameters go in an update. A small lexer that follows the SPARQL 1.1
grammar's terminals (strings, IRIs, comments, prefixed names) is enough for all three: keywords
are only recognised outside strings, IRIs and comments, so text like ``"SERVICE"`` never counts,
while anything the lexer cannot classify is treated as code (the cautious side).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urljoin

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
               |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'
               |"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|"""
    + _UCHAR
    + r""")*>)
    | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
    | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][.A-Za-z0-9_\-\u00B7\u00C0-\uFFFF]*)?:
                (?:[:%.A-Za-z0-9_\-\u00B7\u00C0-\uFFFF]|\\[-_~.!$&'()*+,;=/?\#@%])*)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UCHAR_RE = re.compile(_UCHAR)
_PN_LOCAL_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Token:
    kind: str  # string, iri, var, pname, word, number, lang, punct
    text: str
    start: int
    end: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


class SparqlTextError(ValueError):
    """The request cannot be accepted as written (e.g. protocol dataset plus USING)."""


def tokenize(text: str) -> list[Token]:
    """The significant tokens of ``text`` (whitespace and comments dropped)."""
    tokens: list[Token] = []
    pos, length = 0, len(text)
    while pos < length:
        match = _TOKEN.match(text, pos)
        assert match is not None  # the last alternative matches any character
        kind, end = match.lastgroup or "punct", match.end()
        if kind == "pname":
            while text[end - 1] == "." and end - 1 > pos:  # a local name never ends with "."
                end -= 1
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, text[pos:end], pos, end))
        pos = end
    return tokens


class _Prologue:
    """BASE and PREFIX declarations seen so far, to resolve IRIs the way the parser does."""

    def __init__(self, base_iri: str | None) -> None:
        self.base = base_iri
        self.prefixes: dict[str, str] = {}

    def observe(self, tokens: list[Token], i: int) -> None:
        token = tokens[i]
        if token.is_word("BASE") and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            self.base = self.iri(tokens[i + 1])
        elif (
            token.is_word("PREFIX")
            and i + 2 < len(tokens)
            and tokens[i + 1].kind == "pname"
            and tokens[i + 2].kind == "iri"
        ):
            prefix = tokens[i + 1].text.split(":", 1)[0]
            self.prefixes[prefix] = self.iri(tokens[i + 2]) or ""

    def iri(self, token: Token) -> str | None:
        """Absolute IRI of an IRI or prefixed-name token; None when it cannot be known."""
        if token.kind == "iri":
            value = _UCHAR_RE.sub(lambda m: chr(int(m.group()[2:], 16)), token.text[1:-1])
            return urljoin(self.base, value) if self.base else value
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix not in self.prefixes:
                return None
            return self.prefixes[prefix] + _PN_LOCAL_ESCAPE.sub(r"\1", local)
        return None


@functools.lru_cache(maxsize=256)
def _walk(text: str, base_iri: str | None) -> tuple[list[Token], list[_Prologue]]:
    """Tokens plus, for each token, the prologue in force where it appears (cached: the endpoint
    asks twice per query, and clients repeat queries; callers must not modify the lists)."""
    tokens = tokenize(text)
    prologue = _Prologue(base_iri)
    states = []
    for i in range(len(tokens)):
        prologue.observe(tokens, i)
        states.append(prologue)
    return tokens, states


def service_endpoints(text: str, base_iri: str | None = None) -> list[str | None]:
    """Endpoints of every ``SERVICE`` clause (None when given by a variable or unknown prefix)."""
    if "service" not in text.lower():
        return []
    tokens, states = _walk(text, base_iri)
    endpoints: list[str | None] = []
    for i, token in enumerate(tokens):
        if not token.is_word("SERVICE"):
            continue
        j = i + 1
        if j < len(tokens) and tokens[j].is_word("SILENT"):
            j += 1
        endpoints.append(states[i].iri(tokens[j]) if j < len(tokens) else None)
    return endpoints


@functools.lru_cache(maxsize=256)
def select_row_bound(text: str) -> int | None:
    """The most rows a SELECT/ASK can return, from its top-level ``LIMIT``; None if unbounded
    or not a SELECT/ASK (a CONSTRUCT's LIMIT counts solutions, not triples).

    Lets the endpoint skip its row-limit cutter when the query itself promises fewer rows.
    """
    tokens = tokenize(text)
    form = next((t for t in tokens if t.is_word("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), None)
    if form is None or form.is_word("CONSTRUCT", "DESCRIBE"):
        return None
    if form.is_word("ASK"):
        return 1
    depth, bound = 0, None
    for i, token in enumerate(tokens):
        if token.kind == "punct" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
        elif depth == 0 and token.is_word("LIMIT") and i + 1 < len(tokens):
            following = tokens[i + 1]
            if following.kind == "number" and following.text.isdigit():
                bound = int(following.text)
    return bound


def uses_load(text: str) -> bool:
    """Whether an update contains ``LOAD`` (which makes the server fetch a URL)."""
    return any(token.is_word("LOAD") for token in tokenize(text))


@dataclass(frozen=True)
class DatasetClauses:
    default: tuple[str, ...]
    named: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.default or self.named)


def dataset_clauses(text: str, base_iri: str | None = None) -> DatasetClauses:
    """IRIs of the query's ``FROM`` and ``FROM NAMED`` clauses."""
    if "from" not in text.lower():
        return DatasetClauses((), ())
    tokens, states = _walk(text, base_iri)
    default: list[str] = []
    named: list[str] = []
    for i, token in enumerate(tokens):
        if not token.is_word("FROM") or i + 1 >= len(tokens):
            continue
        target, j = (named, i + 2) if tokens[i + 1].is_word("NAMED") else (default, i + 1)
        iri = states[i].iri(tokens[j]) if j < len(tokens) else None
        if iri is None:
            raise SparqlTextError("a FROM clause names a graph whose IRI cannot be resolved")
        target.append(iri)
    return DatasetClauses(tuple(default), tuple(named))


def add_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """Apply the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` to an update.

    SPARQL 1.1 Protocol §2.2.3: the parameters define the dataset of every operation's WHERE
    clause, and an update that also says ``USING`` / ``USING NAMED`` / ``WITH`` is an error.
    The equivalent update text puts the corresponding ``USING`` clauses before each top-level
    ``WHERE`` of a DELETE/INSERT operation (the ``DELETE WHERE`` short form takes none).
    """
    tokens = tokenize(update)
    if any(token.is_word("USING", "WITH") for token in tokens):
        raise SparqlTextError(
            "the update names its dataset with USING or WITH and the request adds "
            "using-graph-uri / using-named-graph-uri parameters: use one or the other"
        )
    clause = "".join(f"USING <{g}> " for g in default_graphs) + "".join(
        f"USING NAMED <{g}> " for g in named_graphs
    )
    insert_at = []
    depth = 0
    for i, token in enumerate(tokens):
        if token.kind == "punct" and token.text == "{":
            depth += 1
        elif token.kind == "punct" and token.text == "}":
            depth -= 1
        elif depth == 0 and token.is_word("WHERE") and i > 0 and tokens[i - 1].text == "}":
            insert_at.append(token.start)
    for position in reversed(insert_at):
        update = update[:position] + clause + update[position:]
    return update
