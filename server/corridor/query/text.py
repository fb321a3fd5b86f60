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
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

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
    | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\U0010FFFF]+)
    | (?P<pname>(?:[A-Za-z\u00C0-\U0010FFFF][.A-Za-z0-9_\-\u00B7\u00C0-\U0010FFFF]*)?:
                (?:[:%.A-Za-z0-9_\-\u00B7\u00C0-\U0010FFFF]|\\[-_~.!$&'()*+,;=/?\#@%])*)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)
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
    """BASE and PREFIX declarations in force at one point, to resolve IRIs as the parser does.

    Immutable: each declaration makes a new object, so the state recorded for an earlier token
    is never changed by a later declaration (a later ``PREFIX`` in a multi-operation update must
    not redefine an earlier ``SERVICE`` target).
    """

    def __init__(self, base_iri: str | None, prefixes: dict[str, str] | None = None) -> None:
        self.base = base_iri
        self.prefixes: dict[str, str] = prefixes or {}

    def with_base(self, iri_token: str) -> _Prologue:
        return _Prologue(_resolve(iri_token, self.base), self.prefixes)

    def with_prefix(self, prefix: str, iri_token: str) -> _Prologue:
        value = _resolve(iri_token, self.base)
        prefixes = {k: v for k, v in self.prefixes.items() if k != prefix}
        if value is not None:  # an unresolvable prefix stays unknown (callers refuse)
            prefixes[prefix] = value
        return _Prologue(self.base, prefixes)

    def iri(self, token: Token) -> str | None:
        """Absolute IRI of an IRI or prefixed-name token; None when it cannot be known."""
        if token.kind == "iri":
            return _resolve(token.text, self.base)
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix not in self.prefixes:
                return None
            return self.prefixes[prefix] + _PN_LOCAL_ESCAPE.sub(r"\1", local)
        return None


@functools.lru_cache(maxsize=1024)
def _resolve(iri_token: str, base: str | None) -> str | None:
    """The IRI an ``<…>`` token denotes, resolved by Oxigraph's own IRI code (the Turtle and
    SPARQL parsers share it, \\u escapes included); None if Oxigraph would not accept it."""
    try:
        quads = ox.parse(f"{iri_token} <urn:x> <urn:x> .".encode(), format=ox.RdfFormat.TURTLE,
                         base_iri=base)
        return next(iter(quads)).subject.value
    except (SyntaxError, ValueError, StopIteration):
        return None


# Oxigraph's grammar matches keywords case-insensitively and with no word boundary: the parser
# reads ``SERVICEex:x`` as SERVICE + ``ex:x``, ``PREFIX:<…>`` as PREFIX + ``:``, and after a
# literal like ``true`` or ``1`` a keyword may follow with no space. Its whitespace rule
# (spaces, tabs, newlines, comments) is this:
_SPACE = re.compile(r"(?:[ \t\r\n]|\#[^\n\r]*)*")
_IRIREF = re.compile(r"""<(?:[^<>"{}|^`\\\x00-\x20]|""" + _UCHAR + r")*>")
_PNAME_NS = re.compile(
    r"(?:[A-Za-z\u00C0-\U0010FFFF](?:[.A-Za-z0-9_\-\u00B7\u00C0-\U0010FFFF]*"
    r"[A-Za-z0-9_\-\u00B7\u00C0-\U0010FFFF])?)?:"
)


def _read_prologue(text: str, pos: int, prologue: _Prologue) -> tuple[int, _Prologue]:
    """Read BASE / PREFIX declarations from ``pos`` the way Oxigraph does; returns where the
    operation's body starts and the prologue in force there."""
    while True:
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        head = text[pos : pos + 6].upper()
        if head.startswith("BASE"):
            iri = _IRIREF.match(text, _SPACE.match(text, pos + 4).end())  # type: ignore[union-attr]
            if iri is None:
                return pos, prologue
            prologue, pos = prologue.with_base(iri.group()), iri.end()
        elif head == "PREFIX":
            name = _PNAME_NS.match(text, _SPACE.match(text, pos + 6).end())  # type: ignore[union-attr]
            if name is None:
                return pos, prologue
            iri = _IRIREF.match(text, _SPACE.match(text, name.end()).end())  # type: ignore[union-attr]
            if iri is None:
                return pos, prologue
            prologue, pos = prologue.with_prefix(name.group()[:-1], iri.group()), iri.end()
        else:
            return pos, prologue


@dataclass(frozen=True)
class _Walk:
    tokens: list[Token]
    states: list[_Prologue]  # the prologue in force at each token
    declarations: frozenset[int]  # indexes of tokens inside a prologue (BASE/PREFIX text)


@functools.lru_cache(maxsize=256)
def _walk(text: str, base_iri: str | None) -> _Walk:
    """Tokens plus, for each token, the prologue in force where it appears.

    A query has one prologue, at its start; an update has one before each operation (after
    each top-level ``;``), and declarations accumulate. Cached: the endpoint asks several times
    per request, and clients repeat queries; callers must not modify the lists.
    """
    tokens = tokenize(text)
    body, prologue = _read_prologue(text, 0, _Prologue(base_iri))
    states: list[_Prologue] = []
    declarations: set[int] = set()
    depth = 0
    for i, token in enumerate(tokens):
        if token.start < body:
            declarations.add(i)
        states.append(prologue)
        if token.kind == "punct" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
        elif depth == 0 and token.kind == "punct" and token.text == ";" and token.start >= body:
            body, prologue = _read_prologue(text, token.end, prologue)
    return _Walk(tokens, states, frozenset(declarations))


def _keyword_sites(walk: _Walk, text: str, keyword: str) -> Iterator[tuple[int, int]]:
    """(token index, end position) of every place the parser could read ``keyword``.

    That is anywhere inside a word or a prefixed name's prefix (``trueSERVICE``,
    ``SERVICEex:x``), in any case — never inside a string, IRI, comment, variable, language
    tag or local name, which the parser reads greedily as one terminal.
    """
    pattern = re.compile(re.escape(keyword), re.IGNORECASE)
    for i, token in enumerate(walk.tokens):
        if i in walk.declarations:
            continue
        if token.kind == "word":
            region = token.text
        elif token.kind == "pname":
            region = token.text.partition(":")[0]
        else:
            continue
        for match in pattern.finditer(region):
            yield i, token.start + match.end()


def _term_at(text: str, pos: int) -> Token | None:
    """The variable, IRI or prefixed name starting at ``pos`` (None if something else)."""
    match = _TOKEN.match(text, pos)
    if match is None or match.lastgroup not in ("var", "iri", "pname"):
        return None
    end = match.end()
    if match.lastgroup == "pname":
        while text[end - 1] == "." and end - 1 > pos:
            end -= 1
    return Token(match.lastgroup, text[pos:end], pos, end)


def service_endpoints(text: str, base_iri: str | None = None) -> list[str | None]:
    """Endpoints of every place the parser could read a ``SERVICE`` clause (None when given by
    a variable or an IRI that cannot be resolved): over-reporting is safe, missing one is not.

    After the keyword come optional space, an optional ``SILENT`` and the endpoint; where
    ``SILENT`` could also be the start of a prefixed name both readings are reported.
    """
    if "service" not in text.lower():
        return []
    walk = _walk(text, base_iri)
    endpoints: list[str | None] = []
    for i, end in _keyword_sites(walk, text, "SERVICE"):
        after = _SPACE.match(text, end).end()  # type: ignore[union-attr]
        candidates = [after]
        if text[after : after + 6].upper() == "SILENT":
            candidates.append(_SPACE.match(text, after + 6).end())  # type: ignore[union-attr]
        for position in candidates:
            term = _term_at(text, position)
            if term is not None:
                endpoints.append(walk.states[i].iri(term))
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
    """Whether the parser could read ``LOAD`` (which makes the server fetch a URL) anywhere in
    an update: the same keyword rule as for ``SERVICE`` (``LOAD<…>``, ``LOAD:x``, any case)."""
    if "load" not in text.lower():
        return False
    return any(True for _ in _keyword_sites(_walk(text, None), text, "LOAD"))


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
    walk = _walk(text, base_iri)
    tokens, states = walk.tokens, walk.states
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


def for_explicit_dataset(text: str, base_iri: str | None, named: frozenset[str],
                         nowhere: str) -> str:
    """``text`` made safe to send to a store that takes its dataset from protocol parameters
    but does not honour them fully (Virtuoso): ``FROM``/``FROM NAMED`` clauses are removed (the
    caller turned them into the protocol dataset already) and every ``GRAPH`` naming a constant
    graph outside ``named`` names ``nowhere`` (an empty graph) instead, which is what the
    dataset rule means: a graph not in the dataset matches nothing."""
    upper = text.upper()
    if "FROM" not in upper and "GRAPH" not in upper:
        return text
    walk = _walk(text, base_iri)
    tokens, states = walk.tokens, walk.states
    cuts: list[tuple[int, int, str]] = []
    for i, token in enumerate(tokens):
        if token.is_word("FROM"):
            j = i + 1
            if j < len(tokens) and tokens[j].is_word("NAMED"):
                j += 1
            if j < len(tokens) and tokens[j].kind in ("iri", "pname"):
                cuts.append((token.start, tokens[j].end, " "))
        elif token.is_word("GRAPH") and i + 1 < len(tokens) and (
                tokens[i + 1].kind in ("iri", "pname")):
            iri = states[i].iri(tokens[i + 1])
            if iri is None or iri not in named:
                cuts.append((tokens[i + 1].start, tokens[i + 1].end, f"<{nowhere}>"))
    for start, end, replacement in reversed(cuts):
        text = text[:start] + replacement + text[end:]
    return text


def declares_base(text: str) -> bool:
    return "BASE" in text.upper() and any(t.is_word("BASE") for t in tokenize(text))


def query_form(text: str) -> str | None:
    """``"solutions"``, ``"boolean"`` or ``"graph"`` from the query's first keyword after the
    prologue; None when the text starts with something else."""
    for token in tokenize(text):
        if token.is_word("SELECT"):
            return "solutions"
        if token.is_word("ASK"):
            return "boolean"
        if token.is_word("CONSTRUCT", "DESCRIBE"):
            return "graph"
        if not (token.is_word("BASE", "PREFIX") or token.kind in ("iri", "pname")):
            return None
    return None
