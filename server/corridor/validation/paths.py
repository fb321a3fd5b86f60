"""SHACL property paths (SHACL §2.3.1): parsed from a shapes graph, written as SPARQL property
paths (the :attr:`corridor.validation.report.Result.path` syntax) and back into report graphs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import rdflib
from rdflib import BNode, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH


class UnsupportedShape(ValueError):
    """The shapes use something no engine of Corridor can evaluate (raised at shape-load time)."""


# ---------------------------------------------------------------------- paths
@dataclass(frozen=True)
class Path:
    """A SHACL property path: ``kind`` is pred, inv, seq, alt, zom (*), oom (+) or zoo (?)."""

    kind: str
    iri: str = ""
    parts: tuple[Path, ...] = ()

    def sparql(self) -> str:
        """The path in SPARQL property-path syntax (also :attr:`Result.path` for non-predicates)."""
        if self.kind == "pred":
            return f"<{self.iri}>"
        if self.kind == "inv":
            inner = self.parts[0]
            return "^" + (inner.sparql() if inner.kind == "pred" else f"({inner.sparql()})")
        if self.kind in ("seq", "alt"):
            sep = "/" if self.kind == "seq" else "|"
            return "(" + sep.join(p.sparql() for p in self.parts) + ")"
        suffix = {"zom": "*", "oom": "+", "zoo": "?"}[self.kind]
        return f"({self.parts[0].sparql()}){suffix}"

    def text(self) -> str:
        """:attr:`Result.path`: a plain IRI for a predicate path, else :meth:`sparql`."""
        return self.iri if self.kind == "pred" else self.sparql()


_PATH_KINDS = {SH.inversePath: "inv", SH.zeroOrMorePath: "zom", SH.oneOrMorePath: "oom",
               SH.zeroOrOnePath: "zoo"}


def parse_path(g: rdflib.Graph, node: rdflib.term.Node, shape: str) -> Path:
    """The SHACL path at ``node`` (SHACL §2.3.1); malformed paths are refused."""
    if isinstance(node, URIRef):
        return Path("pred", str(node))
    if not isinstance(node, BNode):
        raise UnsupportedShape(f"shape {shape}: sh:path {node!r} is not a SHACL path")
    if g.value(node, RDF.first) is not None:
        members = list_items(g, node, shape, "sequence path")
        if len(members) < 2:
            raise UnsupportedShape(f"shape {shape}: a sequence path needs two or more members")
        return Path("seq", parts=tuple(parse_path(g, m, shape) for m in members))
    alternatives = g.value(node, SH.alternativePath)
    if alternatives is not None:
        members = list_items(g, alternatives, shape, "sh:alternativePath")
        if len(members) < 2:
            raise UnsupportedShape(f"shape {shape}: sh:alternativePath needs two or more members")
        return Path("alt", parts=tuple(parse_path(g, m, shape) for m in members))
    for pred, kind in _PATH_KINDS.items():
        inner = g.value(node, pred)
        if inner is not None:
            return Path(kind, parts=(parse_path(g, inner, shape),))
    raise UnsupportedShape(f"shape {shape}: sh:path {node} is not a SHACL path")


def parse_path_text(text: str) -> Path:
    """Inverse of :meth:`Path.text` (for report graphs)."""
    if not text.startswith(("<", "^", "(")):
        return Path("pred", text)
    path, rest = _parse_alt(text)
    if rest:
        raise ValueError(f"not a path: {text!r}")
    return path


def _parse_joined(s: str, separator: str, kind: str,
                  part: Callable[[str], tuple[Path, str]]) -> tuple[Path, str]:
    """``part (separator part)*`` as one path of ``kind`` (or the single part itself)."""
    first, s = part(s)
    parts = [first]
    while s.startswith(separator):
        nxt, s = part(s[1:])
        parts.append(nxt)
    return (parts[0] if len(parts) == 1 else Path(kind, parts=tuple(parts))), s


def _parse_alt(s: str) -> tuple[Path, str]:
    return _parse_joined(s, "|", "alt", _parse_seq)


def _parse_seq(s: str) -> tuple[Path, str]:
    return _parse_joined(s, "/", "seq", _parse_unary)


def _parse_unary(s: str) -> tuple[Path, str]:
    if s.startswith("^"):
        inner, s = _parse_unary(s[1:])
        return Path("inv", parts=(inner,)), s
    if s.startswith("<"):
        end = s.index(">")
        path, s = Path("pred", s[1:end]), s[end + 1:]
    elif s.startswith("("):
        path, s = _parse_alt(s[1:])
        if not s.startswith(")"):
            raise ValueError("unbalanced path")
        s = s[1:]
    else:
        raise ValueError(f"not a path: {s!r}")
    suffixes = {"*": "zom", "+": "oom", "?": "zoo"}
    while s[:1] in suffixes:
        path, s = Path(suffixes[s[0]], parts=(path,)), s[1:]
    return path, s


def path_graph(g: rdflib.Graph, path: Path) -> rdflib.term.Node:
    """Write ``path`` into ``g`` as a SHACL path node."""
    if path.kind == "pred":
        return URIRef(path.iri)
    if path.kind == "seq":
        head = BNode()
        Collection(g, head, [path_graph(g, p) for p in path.parts])
        return head
    node = BNode()
    if path.kind == "alt":
        members = BNode()
        Collection(g, members, [path_graph(g, p) for p in path.parts])
        g.add((node, SH.alternativePath, members))
        return node
    pred = {v: k for k, v in _PATH_KINDS.items()}[path.kind]
    g.add((node, pred, path_graph(g, path.parts[0])))
    return node


def list_items(g: rdflib.Graph, head: rdflib.term.Node, shape: str, what: str) -> list:
    if head == RDF.nil:
        return []
    if g.value(head, RDF.first) is None:
        raise UnsupportedShape(f"shape {shape}: {what} is not an RDF list")
    return list(Collection(g, head))
