"""Conversion between pyoxigraph and rdflib terms, and the plain/N-Triples spellings of terms.

One definition each: validation reports, the loader and the pages all use these.
"""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef


def term_to_plain(term: rdflib.term.Node) -> str:
    """IRI → plain IRI, blank node → ``_:label``."""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def rdflib_to_ox(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def ox_to_rdflib(
    term: ox.NamedNode | ox.BlankNode | ox.Literal, normalize: bool = True
) -> rdflib.term.Node:
    """The rdflib term; ``normalize=False`` keeps a literal's lexical form exactly (rdflib
    otherwise canonicalises it, as SHACL's literal checks must not)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    if dt == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    if normalize:
        return Literal(term.value, datatype=URIRef(dt))
    return Literal(term.value, datatype=URIRef(dt), normalize=False)


def term_from_plain(text: str) -> rdflib.term.Node:
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def term_from_nt(text: str) -> rdflib.term.Node:
    g = rdflib.Graph()
    g.parse(data=f"<urn:s> <urn:p> {text} .", format="nt")
    return next(iter(g.objects()))



def solutions(result: object) -> ox.QuerySolutions:
    """The rows of a SELECT result (pyoxigraph's ``query`` returns a union of result kinds)."""
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"expected SELECT solutions, got {type(result).__name__}")
    return result


def first_int(result: object, variable: str = "n") -> int:
    """The integer value of ``variable`` in the first row of a SELECT (a COUNT)."""
    value = next(iter(solutions(result)))[variable]
    if not isinstance(value, ox.Literal):
        raise TypeError(f"?{variable} is not a literal")
    return int(value.value)
