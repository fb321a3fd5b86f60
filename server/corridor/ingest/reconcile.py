"""Reconciliation: organisations without a PIC matched to the PIC-identified ones.

An organisation known only to a curated seed or a PIC-less source (keep.eu) may be one that
CORDIS identifies by PIC. Two rules, in order:

1. **VAT**: the same normalised VAT number (``schema:vatID``) -> confidence 1.0,
   justification ``semapv:DatabaseCrossReference``.
2. **name + city + country**: the same country, the same normalised city, and a normalised
   name similarity (rapidfuzz ``token_sort_ratio``) of at least ``threshold`` (default 90) ->
   confidence score/100, justification ``semapv:LexicalSimilarityThresholdMatching``.

A match links the two nodes with ``skos:exactMatch``; it never merges them (``owl:sameAs``
would pool their facts irreversibly, and a wrong match would then be invisible). Each link is
recorded as an SSSOM mapping in its OWL form (an ``owl:Axiom`` annotating the link with
``sssom:mapping_justification``, ``sssom:confidence``, ``sssom:similarity_score``,
``sssom:similarity_measure``, ``sssom:mapping_tool`` and a comment giving the evidence). No
silent merges: when two PIC organisations tie for the best score (within ``TIE`` points), none
is linked and the case is reported as ambiguous. The matches form the graph
``{base}graph/reconciliation``, replaced by each run (validated like any write).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from rapidfuzz import fuzz

from corridor.config import Config
from corridor.ingest import provenance
from corridor.store import OxigraphStore, ReadView, WriteCheck

GRAPH = "reconciliation"
TIE = 2.0
"""Candidates within this many points of the best are a tie: nothing is linked."""

LEGAL_FORMS = {
    "gmbh", "ag", "ev", "e v", "mbh", "kg", "ltd", "limited", "plc", "inc", "sa", "sas", "sarl",
    "srl", "spa", "bv", "nv", "oy", "oyj", "ab", "as", "a s", "sl", "slu", "doo", "d o o", "sro",
    "s r o", "zrt", "kft", "asbl", "vzw", "ggmbh", "eg", "ug", "lda", "ps", "aps",
}
SKOS, SSSOM = "http://www.w3.org/2004/02/skos/core#", "https://w3id.org/sssom/"
OWL, SEMAPV = "http://www.w3.org/2002/07/owl#", "https://w3id.org/semapv/vocab/"
RDFS, XSD = "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MEASURE = "https://rapidfuzz.github.io/RapidFuzz/Usage/fuzz.html#token-sort-ratio"


def normalise(text: str) -> str:
    """Case, accents, punctuation and legal forms removed: "Université de Franche-Comté" ->
    "universite de franche comte"; "OÖ Wirtschaftsagentur GmbH" -> "oo wirtschaftsagentur"."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"[^0-9a-z]+", " ", plain).strip()
    for form in sorted(LEGAL_FORMS, key=len, reverse=True):
        plain = re.sub(rf"(^| ){form}$", "", plain).strip()
    return plain


def normalise_vat(vat: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", vat.upper())


@dataclass
class Organisation:
    iri: str
    names: set[str] = field(default_factory=set)
    cities: set[str] = field(default_factory=set)
    country: str | None = None
    vat: str | None = None


@dataclass(frozen=True)
class Match:
    source: str
    target: str
    rule: str  # "vat" or "name"
    score: float  # 0-100
    evidence: str


@dataclass
class Outcome:
    matches: list[Match]
    ambiguous: list[tuple[str, list[str]]]


QUERY = """PREFIX cor: <https://w3id.org/corridor/ontology#>
PREFIX locn: <http://www.w3.org/ns/locn#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?o ?name ?city ?country ?vat WHERE {
  ?o a cor:Organisation .
  OPTIONAL { GRAPH ?g { ?o skos:prefLabel|rdfs:label ?name } FILTER(?g != <%s>) }
  OPTIONAL { ?o locn:address/locn:postName ?city }
  OPTIONAL { ?o cor:country ?country }
  OPTIONAL { ?o schema:vatID ?vat }
}"""


def organisations(reader: ReadView, config: Config) -> dict[str, Organisation]:
    """Every organisation with its names (placeholder labels left out), cities, country, VAT."""
    placeholders = config.graph_iri("import/placeholders")
    found: dict[str, Organisation] = {}
    for row in reader.query(QUERY % placeholders, use_default_graph_as_union=True):
        iri = row["o"].value
        org = found.setdefault(iri, Organisation(iri))
        if row["name"] is not None:
            org.names.add(normalise(row["name"].value))
        if row["city"] is not None:
            org.cities.add(normalise(row["city"].value))
        if row["country"] is not None:
            org.country = row["country"].value
        if row["vat"] is not None:
            org.vat = normalise_vat(row["vat"].value)
    for org in found.values():
        org.names.discard("")
    return found


def reconcile(reader: ReadView, config: Config, threshold: float = 90.0) -> Outcome:
    """Match every PIC-less organisation to at most one PIC organisation (rules above)."""
    prefix = config.base_iri + "id/organisation/pic/"
    every = organisations(reader, config)
    known = [o for o in every.values() if o.iri.startswith(prefix)]
    unknown = [o for o in every.values() if not o.iri.startswith(prefix)]
    by_vat: dict[str, list[Organisation]] = defaultdict(list)
    by_place: dict[tuple[str, str], list[Organisation]] = defaultdict(list)
    for org in known:
        if org.vat:
            by_vat[org.vat].append(org)
        for city in org.cities:
            if org.country:
                by_place[(org.country, city)].append(org)
    outcome = Outcome([], [])
    for org in sorted(unknown, key=lambda o: o.iri):
        if org.vat and by_vat.get(org.vat):
            same = by_vat[org.vat]
            if len(same) == 1:
                outcome.matches.append(Match(org.iri, same[0].iri, "vat", 100.0,
                                             f"same VAT number {org.vat}"))
            else:
                outcome.ambiguous.append((org.iri, sorted(o.iri for o in same)))
            continue
        scored: dict[str, tuple[float, str]] = {}
        for city in org.cities:
            for candidate in by_place.get((org.country or "", city), []):
                for mine in org.names:
                    for theirs in candidate.names:
                        score = fuzz.token_sort_ratio(mine, theirs)
                        if score >= threshold and score > scored.get(candidate.iri, (0, ""))[0]:
                            scored[candidate.iri] = (score, f"name '{mine}' ~ '{theirs}', "
                                                     f"city '{city}', same country")
        if not scored:
            continue
        best = max(s for s, _ in scored.values())
        top = sorted(iri for iri, (s, _) in scored.items() if s >= best - TIE)
        if len(top) > 1:
            outcome.ambiguous.append((org.iri, top))
            continue
        score, evidence = scored[top[0]]
        outcome.matches.append(Match(org.iri, top[0], "name", float(score), evidence))
    return outcome


def match_quads(config: Config, matches: list[Match]) -> list[ox.Quad]:
    """The links and their SSSOM records (OWL axiom form)."""
    n, lit = ox.NamedNode, ox.Literal
    quads = []
    for m in matches:
        digest = hashlib.sha256(f"{m.source} {m.target}".encode()).hexdigest()[:16]
        axiom = n(config.base_iri + f"id/match/{digest}")
        justification = ("DatabaseCrossReference" if m.rule == "vat"
                         else "LexicalSimilarityThresholdMatching")
        triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
            (n(m.source), n(SKOS + "exactMatch"), n(m.target)),
            (axiom, n(RDF_TYPE), n(OWL + "Axiom")),
            (axiom, n(OWL + "annotatedSource"), n(m.source)),
            (axiom, n(OWL + "annotatedProperty"), n(SKOS + "exactMatch")),
            (axiom, n(OWL + "annotatedTarget"), n(m.target)),
            (axiom, n(SSSOM + "mapping_justification"), n(SEMAPV + justification)),
            (axiom, n(SSSOM + "confidence"), lit(f"{m.score / 100:.3f}",
                                                 datatype=n(XSD + "double"))),
            (axiom, n(SSSOM + "mapping_tool"), lit("corridor reconcile (rapidfuzz)")),
            (axiom, n(RDFS + "comment"), lit(m.evidence, language="en")),
        ]
        if m.rule == "name":
            triples += [
                (axiom, n(SSSOM + "similarity_score"), lit(f"{m.score / 100:.3f}",
                                                           datatype=n(XSD + "double"))),
                (axiom, n(SSSOM + "similarity_measure"), lit(MEASURE)),
            ]
        quads += [ox.Quad(s, p, o) for s, p, o in triples]
    return quads


def reconcile_store(
    store: OxigraphStore, *, check: WriteCheck | None = None, dry_run: bool = False,
    threshold: float = 90.0, agent: str | None = None,
) -> Outcome:
    """Replace ``{base}graph/reconciliation`` with the current matches (one transaction)."""
    config = store.config
    outcome = reconcile(store.reader(), config, threshold)
    if dry_run:
        return outcome
    graph = config.graph_iri(GRAPH)
    quads = match_quads(config, outcome.matches)
    body = "\n".join(sorted(str(q) for q in quads)).encode()
    started = provenance.now()
    with store.transaction("reconcile organisations", check=check or (lambda s, f: None)) as txn:
        txn.replace_graph(graph, quads)
        txn.set_graph_metadata(provenance.load_quads(
            config, graph, "corridor reconcile", hashlib.sha256(body).hexdigest(),
            triples_in_file=len(quads), triples_in_graph=len(quads), started=started,
            shapes_version=None, agent=agent or provenance.default_agent(), prior_sources=[],
        ), graph)
    return outcome
