"""The namespaces Corridor writes and reads, defined once (IRIs as plain strings).

``PREFIXES`` is what serialisations (Turtle, TriG, JSON-LD contexts, SPARQL prologues) use.
"""

from __future__ import annotations

PREFIXES: dict[str, str] = {
    "cor": "https://w3id.org/corridor/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "locn": "http://www.w3.org/ns/locn#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "eurio": "http://data.europa.eu/s66#",
    "cv": "http://data.europa.eu/m8g/",
    "frapo": "http://purl.org/cerif/frapo/",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "sh": "http://www.w3.org/ns/shacl#",
    "adms": "http://www.w3.org/ns/adms#",
    "spdx": "http://spdx.org/rdf/terms#",
    "country": "http://publications.europa.eu/resource/authority/country/",
    "nuts": "http://data.europa.eu/nuts/code/",
    "as": "https://www.w3.org/ns/activitystreams#",
    "ldes": "https://w3id.org/ldes#",
    "tree": "https://w3id.org/tree#",
}

COR = PREFIXES["cor"]
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
XSD = PREFIXES["xsd"]
OWL = PREFIXES["owl"]
SKOS = PREFIXES["skos"]
DCT = PREFIXES["dct"]
FOAF = PREFIXES["foaf"]
ORG = PREFIXES["org"]
LOCN = PREFIXES["locn"]
PROV = PREFIXES["prov"]
SCHEMA = PREFIXES["schema"]
DCAT = PREFIXES["dcat"]
VOID = PREFIXES["void"]
EURIO = PREFIXES["eurio"]
HYDRA = PREFIXES["hydra"]
SD = PREFIXES["sd"]
SPDX = PREFIXES["spdx"]
RDF_TYPE = RDF + "type"


def sparql_prologue(*names: str) -> str:
    """``PREFIX`` lines for ``names`` (all known prefixes without arguments)."""
    chosen = names or tuple(PREFIXES)
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in chosen)

# Label properties, best first (a language match beats the property order).
LABEL_PROPERTIES = (
    f"{SKOS}prefLabel",
    f"{RDFS}label",
    f"{DCT}title",
    f"{FOAF}name",
    f"{SCHEMA}name",
    f"{PREFIXES['vcard']}fn",
    f"{SKOS}altLabel",
    f"{LOCN}fullAddress",
)
