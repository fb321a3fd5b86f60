#!/usr/bin/env python3
"""Regenerate the reference graphs in ``data/reference/`` from the shared code lists.

Inputs, copied from ``../shared/reference/`` into ``scripts/reference-sources/`` so that the build
(and its test) runs from any clone; their provenance and licences are in that folder's README.md:

* ``eforms-country.gc`` + ``countries.csv``      -> ``countries.ttl``
* ``eforms-nuts-2021.gc`` + ``countries.csv``    -> ``nuts-2021.ttl``
* ``eforms-language_eu-official-language.gc``    -> ``languages.ttl``
* ``eforms-eu-programme.gc``                     -> ``eu-programmes.ttl``
* ``eis-performance-groups.csv`` + ``countries.csv`` -> ``eis-performance.ttl``

Countries, NUTS regions, languages and EU programmes keep their EU authority IRIs; only the
source-document descriptions and the dated EIS classifications are minted, with *relative*
IRIs (``id/...``) that the loader resolves against the configured base IRI.

The output is deterministic (sorted, no blank nodes, no timestamps), so running the script
twice yields byte-identical files. Usage::

    python scripts/build_reference.py [--reference DIR] [--output DIR]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = REPO_ROOT / "scripts" / "reference-sources"  # copies of ../shared/reference
DEFAULT_OUTPUT = REPO_ROOT / "data" / "reference"
DEFAULT_BASE = "https://w3id.org/corridor/"

COUNTRY_NS = "http://publications.europa.eu/resource/authority/country/"
COUNTRY_SCHEME = "http://publications.europa.eu/resource/authority/country"
LANGUAGE_NS = "http://publications.europa.eu/resource/authority/language/"
LANGUAGE_SCHEME = "http://publications.europa.eu/resource/authority/language"
PROGRAMME_NS = "http://publications.europa.eu/resource/authority/eu-programme/"
PROGRAMME_SCHEME = "http://publications.europa.eu/resource/authority/eu-programme"
NUTS_NS = "http://data.europa.eu/nuts/code/"
NUTS_SCHEME = "http://data.europa.eu/nuts/scheme/2021"
CC_BY_4 = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
EC_REUSE_DECISION = "http://data.europa.eu/eli/dec/2011/833/oj"

EFORMS_COMMIT = "3242fbf7c703810ce36eb797c467b54ce6ae7f0f"
EFORMS_NUTS_COMMIT = "576d4047692e5e96efa207b945207accdf10648d"
EFORMS_BLOB = "https://github.com/OP-TED/eForms-SDK/blob/{commit}/codelists/{name}"
ISO_BLOB = (
    "https://github.com/datasets/country-codes/blob/"
    "caa72d1e0e5af8876c170bb36a9e4d64a01bba88/data/country-codes.csv"
)

# Genericode label columns (ISO 639-2/B-like authority codes) -> BCP 47 language tags.
AUTHORITY_TO_BCP47: dict[str, str] = {
    "BUL": "bg", "CES": "cs", "DAN": "da", "DEU": "de", "ELL": "el", "ENG": "en",
    "EST": "et", "FIN": "fi", "FRA": "fr", "GLE": "ga", "HRV": "hr", "HUN": "hu",
    "ITA": "it", "LAV": "lv", "LIT": "lt", "MLT": "mt", "NLD": "nl", "POL": "pl",
    "POR": "pt", "RON": "ro", "SLK": "sk", "SLV": "sl", "SPA": "es", "SWE": "sv",
}  # fmt: skip
ALL_EU_LANGUAGES = tuple(sorted(AUTHORITY_TO_BCP47))

# NUTS country prefixes whose NUTS names are written in one official language. Names of the
# other countries (BE, CH, CY, ES, FI, IE, IT, LU, ME, MT, RS, UK) mix languages or scripts or
# equal the English name, so they get no national-language tag (see nuts_triples()).
NUTS_NATIONAL_LANGUAGE: dict[str, str] = {
    "AL": "sq", "AT": "de", "BG": "bg", "CZ": "cs", "DE": "de", "DK": "da", "EE": "et",
    "EL": "el", "FR": "fr", "HR": "hr", "HU": "hu", "IS": "is", "LI": "de", "LT": "lt",
    "LV": "lv", "MK": "mk", "NL": "nl", "NO": "no", "PL": "pl", "PT": "pt", "RO": "ro",
    "SE": "sv", "SI": "sl", "SK": "sk", "TR": "tr",
}  # fmt: skip

EIS_GROUPS: dict[str, str] = {
    "Innovation Leader": "innovation-leader",
    "Strong Innovator": "strong-innovator",
    "Moderate Innovator": "moderate-innovator",
    "Emerging Innovator": "emerging-innovator",
}

PREFIXES: dict[str, str] = {
    "cor": "https://w3id.org/corridor/ontology#",
    "country": COUNTRY_NS,
    "dct": "http://purl.org/dc/terms/",
    "eisgroup": "id/concept/eis-performance-group/",
    "euprog": PROGRAMME_NS,
    "lang": LANGUAGE_NS,
    "nuts": NUTS_NS,
    "pc": "id/performance-classification/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "src": "id/source/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


# --------------------------------------------------------------------------------------------
# Turtle writing (hand-made so that layout and order are stable and readable)
# --------------------------------------------------------------------------------------------
def lit(text: str, lang: str | None = None) -> str:
    """A Turtle literal, escaped by rdflib (plain string or language-tagged)."""
    return Literal(text, lang=lang).n3()


def typed(text: str, datatype: str) -> str:
    """A typed literal written with a prefixed datatype, e.g. ``"2021"^^xsd:gYear``."""
    return f"{Literal(text).n3()}^^{datatype}"


def iri(value: str) -> str:
    return f"<{value}>"


@dataclass
class Resource:
    """One Turtle subject block: ``subject`` followed by (predicate, objects) pairs."""

    subject: str
    properties: list[tuple[str, list[str]]]

    def render(self) -> str:
        lines = [self.subject]
        props = [(p, objs) for p, objs in self.properties if objs]
        for index, (predicate, objects) in enumerate(props):
            end = " ." if index == len(props) - 1 else " ;"
            one_line = f"    {predicate} {', '.join(objects)}{end}"
            if len(objects) == 1 or len(one_line) <= 100:
                lines.append(one_line)
            else:
                lines.append(f"    {predicate}")
                for j, obj in enumerate(objects):
                    tail = end if j == len(objects) - 1 else " ,"
                    lines.append(f"        {obj}{tail}")
        return "\n".join(lines)


def write_turtle(path: Path, header: str, prefixes: Iterable[str], blocks: list[Resource]) -> str:
    """Render a Turtle document, check that it parses, and write it; returns the text."""
    out = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    out.append("")
    width = max(len(p) for p in prefixes)
    for prefix in sorted(prefixes):
        out.append(f"@prefix {prefix + ':':<{width + 1}} <{PREFIXES[prefix]}> .")
    out.append("")
    out.append("\n\n".join(block.render() for block in blocks))
    text = "\n".join(out) + "\n"
    Graph().parse(data=text, format="turtle", publicID=DEFAULT_BASE)  # fail loudly if broken
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return text


# --------------------------------------------------------------------------------------------
# Reading the inputs
# --------------------------------------------------------------------------------------------
def read_genericode(path: Path) -> list[dict[str, str]]:
    """Rows of an OASIS Genericode 1.0 ``SimpleCodeList`` as ``{column id: value}``."""
    rows: list[dict[str, str]] = []
    for element in ET.parse(path).getroot().iter():
        if element.tag.rsplit("}", 1)[-1] != "Row":
            continue
        row: dict[str, str] = {}
        for value in element:
            if value.tag.rsplit("}", 1)[-1] == "Value":
                text = "".join(value.itertext()).strip()
                if text:
                    row[value.get("ColumnRef", "")] = text
        rows.append(row)
    return rows


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def multilingual_labels(row: dict[str, str]) -> list[str]:
    """``skos:prefLabel`` objects from the ``<lang>_label`` columns, in tag order."""
    labels = []
    for code in sorted(AUTHORITY_TO_BCP47, key=lambda c: AUTHORITY_TO_BCP47[c]):
        value = row.get(f"{code.lower()}_label")
        if value:
            labels.append(lit(value, AUTHORITY_TO_BCP47[code]))
    return labels


def source_document(
    slug: str,
    title: str,
    file_name: str,
    description: str,
    languages: Iterable[str],
    upstream: Iterable[str],
    licence: str,
) -> Resource:
    """A ``cor:SourceDocument`` describing one input file of the reference graphs."""
    return Resource(
        f"src:{slug}",
        [
            ("a", ["cor:SourceDocument"]),
            ("rdfs:label", [lit(title, "en")]),
            ("dct:title", [lit(title, "en")]),
            ("dct:identifier", [lit(file_name)]),
            ("dct:description", [lit(description, "en")]),
            ("dct:language", [f"lang:{code}" for code in languages]),
            ("dct:source", [iri(u) for u in upstream]),
            ("dct:license", [iri(licence)]),
        ],
    )


def graph_description(name: str, title: str, sources: list[str]) -> Resource:
    """Provenance of a whole named graph ``{base}graph/reference/<name>``."""
    return Resource(
        f"<graph/reference/{name}>",
        [
            ("dct:title", [lit(title, "en")]),
            ("prov:wasDerivedFrom", [f"src:{s}" for s in sources]),
        ],
    )


COUNTRIES_CSV_SOURCE = source_document(
    "reference-countries-csv",
    "Countries joined with ISO 3166 codes (derived code list)",
    "countries.csv",
    "Derived table joining the EU authority table 'country' (eforms-country.gc, "
    "eforms-country_eu-country.gc) with ISO 3166-1 codes (datasets/country-codes) on the "
    "alpha-3 code: ISO alpha-2 code, NUTS country prefix, EU membership.",
    ["DAN", "DEU", "ENG", "SWE"],
    [
        EFORMS_BLOB.format(commit=EFORMS_COMMIT, name="country.gc"),
        EFORMS_BLOB.format(commit=EFORMS_COMMIT, name="country_eu-country.gc"),
        ISO_BLOB,
    ],
    CC_BY_4,
)


# --------------------------------------------------------------------------------------------
# The five reference graphs
# --------------------------------------------------------------------------------------------
def build_countries(reference: Path, output: Path) -> str:
    """``countries.ttl``: every country of the EU authority table, labels in 24 languages."""
    gc_rows = {row["code"]: row for row in read_genericode(reference / "eforms-country.gc")}
    csv_rows = {row["authority_code"]: row for row in read_csv(reference / "countries.csv")}
    blocks = [
        graph_description(
            "countries",
            "Reference graph: countries (EU Publications Office authority table)",
            ["reference-eforms-country-gc", "reference-countries-csv"],
        ),
        source_document(
            "reference-eforms-country-gc",
            "EU authority table 'country' (eForms SDK code list)",
            "eforms-country.gc",
            "Genericode export of the EU Publications Office authority table 'country' "
            "(version 20260617-0) with labels in the 24 official EU languages.",
            ALL_EU_LANGUAGES,
            [EFORMS_BLOB.format(commit=EFORMS_COMMIT, name="country.gc")],
            CC_BY_4,
        ),
        COUNTRIES_CSV_SOURCE,
        Resource(
            iri(COUNTRY_SCHEME),
            [
                ("a", ["skos:ConceptScheme"]),
                ("skos:prefLabel", [lit("Countries and territories", "en")]),
                ("dct:source", ["src:reference-eforms-country-gc"]),
            ],
        ),
    ]
    for code in sorted(gc_rows):
        row, extra = gc_rows[code], csv_rows.get(code, {})
        properties: list[tuple[str, list[str]]] = [
            ("a", ["skos:Concept", "cor:Country"]),
            ("skos:inScheme", [iri(COUNTRY_SCHEME)]),
            ("skos:notation", [lit(code)]),
        ]
        if extra.get("iso_alpha2"):
            properties.append(("cor:isoCountryCode", [lit(extra["iso_alpha2"])]))
        if extra.get("eu_member"):
            properties.append(("cor:euMemberState", [extra["eu_member"]]))
        properties.append(("skos:prefLabel", multilingual_labels(row)))
        blocks.append(Resource(f"country:{code}", properties))
    header = (
        "Countries: the EU Publications Office authority table 'country', labels in the 24\n"
        "official EU languages, ISO 3166-1 alpha-2 codes and EU membership.\n"
        "Generated by scripts/build_reference.py -- do not edit by hand."
    )
    prefixes = ["cor", "country", "dct", "lang", "prov", "rdfs", "skos", "src"]
    return write_turtle(output / "countries.ttl", header, prefixes, blocks)


def build_nuts(reference: Path, output: Path) -> str:
    """``nuts-2021.ttl``: all NUTS 2021 regions as SKOS concepts, NUTS-0 linked to countries."""
    rows = sorted(read_genericode(reference / "eforms-nuts-2021.gc"), key=lambda r: r["code"])
    countries = read_csv(reference / "countries.csv")
    by_nuts0 = {row["nuts0"]: row for row in countries if row["nuts0"]}
    blocks = [
        graph_description(
            "nuts-2021",
            "Reference graph: NUTS 2021 regions",
            ["reference-eforms-nuts-2021-gc", "reference-countries-csv"],
        ),
        source_document(
            "reference-eforms-nuts-2021-gc",
            "NUTS 2021 code list (eForms SDK)",
            "eforms-nuts-2021.gc",
            "Genericode export of the NUTS 2021 classification (EU, EFTA, candidate countries, "
            "United Kingdom; levels 0-3 with parent codes). The names are the official "
            "national-language names, which the list also gives as its English labels.",
            ["ENG"],
            [EFORMS_BLOB.format(commit=EFORMS_NUTS_COMMIT, name="nuts.gc")],
            CC_BY_4,
        ),
        Resource(
            iri(NUTS_SCHEME),
            [
                ("a", ["skos:ConceptScheme"]),
                ("skos:prefLabel", [lit("NUTS 2021", "en")]),
                ("dct:source", ["src:reference-eforms-nuts-2021-gc"]),
            ],
        ),
    ]
    for row in rows:
        code, name = row["code"], row["Name"]
        level = len(code) - 2
        prefix = code[:2]
        national = NUTS_NATIONAL_LANGUAGE.get(prefix)
        extra_regio = code.endswith("Z")
        english = name
        country = by_nuts0.get(code) if level == 0 else None
        if country:
            english = country["label_en"]
        labels = [lit(english, "en")]
        alt: list[str] = []
        if national and not extra_regio:
            labels.append(lit(name, national))
        elif name != english:
            alt.append(lit(name))  # multilingual official name: no single language tag
        properties: list[tuple[str, list[str]]] = [
            ("a", ["skos:Concept", "cor:NutsRegion"]),
            ("skos:inScheme", [iri(NUTS_SCHEME)]),
            ("skos:notation", [lit(code)]),
            ("cor:nutsLevel", [str(level)]),
            ("skos:prefLabel", labels),
            ("skos:altLabel", alt),
        ]
        if level == 0:
            properties.append(("skos:topConceptOf", [iri(NUTS_SCHEME)]))
            if country:
                properties.append(("skos:exactMatch", [f"country:{country['authority_code']}"]))
        else:
            properties.append(("skos:broader", [f"nuts:{row['parentCode']}"]))
        blocks.append(Resource(f"nuts:{code}", properties))
    header = (
        "NUTS 2021 regions (levels 0-3) as SKOS concepts with their EU IRIs. English labels as\n"
        "given by the code list (official names); national-language labels where the country\n"
        "names its regions in a single language; NUTS-0 concepts skos:exactMatch the EU\n"
        "authority country. Generated by scripts/build_reference.py -- do not edit by hand."
    )
    prefixes = ["cor", "country", "dct", "lang", "nuts", "prov", "rdfs", "skos", "src"]
    return write_turtle(output / "nuts-2021.ttl", header, prefixes, blocks)


def build_languages(reference: Path, output: Path) -> str:
    """``languages.ttl``: the 24 official EU languages of the EU language authority table."""
    rows = read_genericode(reference / "eforms-language_eu-official-language.gc")
    blocks = [
        graph_description(
            "languages",
            "Reference graph: official EU languages",
            ["reference-eforms-language-gc"],
        ),
        source_document(
            "reference-eforms-language-gc",
            "EU authority table 'language', subset of official EU languages (eForms SDK)",
            "eforms-language_eu-official-language.gc",
            "Genericode export of the 24 official EU languages of the EU Publications Office "
            "authority table 'language', with labels in the 24 official EU languages.",
            ALL_EU_LANGUAGES,
            [EFORMS_BLOB.format(commit=EFORMS_COMMIT, name="language_eu-official-language.gc")],
            CC_BY_4,
        ),
        Resource(
            iri(LANGUAGE_SCHEME),
            [
                ("a", ["skos:ConceptScheme"]),
                ("skos:prefLabel", [lit("Languages", "en")]),
                ("dct:source", ["src:reference-eforms-language-gc"]),
            ],
        ),
    ]
    for row in sorted(rows, key=lambda r: r["code"]):
        code = row["code"]
        blocks.append(
            Resource(
                f"lang:{code}",
                [
                    ("a", ["skos:Concept", "dct:LinguisticSystem"]),
                    ("skos:inScheme", [iri(LANGUAGE_SCHEME)]),
                    ("skos:notation", [lit(code)]),
                    ("cor:languageTag", [typed(AUTHORITY_TO_BCP47[code], "xsd:language")]),
                    ("skos:prefLabel", multilingual_labels(row)),
                ],
            )
        )
    header = (
        "The 24 official EU languages (EU Publications Office authority table 'language'),\n"
        "with their BCP 47 tags and labels in all official languages.\n"
        "Generated by scripts/build_reference.py -- do not edit by hand."
    )
    prefixes = ["cor", "dct", "lang", "prov", "rdfs", "skos", "src", "xsd"]
    return write_turtle(output / "languages.ttl", header, prefixes, blocks)


def build_programmes(reference: Path, output: Path) -> str:
    """``eu-programmes.ttl``: EU programmes and funds of the EU authority table."""
    rows = read_genericode(reference / "eforms-eu-programme.gc")
    blocks = [
        graph_description(
            "eu-programmes",
            "Reference graph: EU programmes and funds (EU authority table)",
            ["reference-eforms-eu-programme-gc"],
        ),
        source_document(
            "reference-eforms-eu-programme-gc",
            "EU authority table 'eu-programme' (eForms SDK code list)",
            "eforms-eu-programme.gc",
            "Genericode export of the EU Publications Office authority table 'eu-programme' "
            "(version 20250618-0): EU programmes and funds such as ERDF (2014/2020) and "
            "TERRCOOP (European territorial cooperation 2014/2020), labels in 24 languages.",
            ALL_EU_LANGUAGES,
            [EFORMS_BLOB.format(commit=EFORMS_COMMIT, name="eu-programme.gc")],
            CC_BY_4,
        ),
        Resource(
            iri(PROGRAMME_SCHEME),
            [
                ("a", ["skos:ConceptScheme"]),
                ("skos:prefLabel", [lit("EU programmes and funds", "en")]),
                ("dct:source", ["src:reference-eforms-eu-programme-gc"]),
            ],
        ),
    ]
    for row in sorted(rows, key=lambda r: r["code"]):
        blocks.append(
            Resource(
                f"euprog:{row['code']}",
                [
                    ("a", ["skos:Concept"]),
                    ("skos:inScheme", [iri(PROGRAMME_SCHEME)]),
                    ("skos:notation", [lit(row["code"])]),
                    ("skos:prefLabel", multilingual_labels(row)),
                ],
            )
        )
    header = (
        "EU programmes and funds (EU Publications Office authority table 'eu-programme').\n"
        "Generated by scripts/build_reference.py -- do not edit by hand."
    )
    prefixes = ["cor", "dct", "euprog", "lang", "prov", "rdfs", "skos", "src"]
    return write_turtle(output / "eu-programmes.ttl", header, prefixes, blocks)


URL = re.compile(r"https?://\S+")
COM = "http://publications.europa.eu/resource/authority/corporate-body/COM"
# Only rows whose cited page is published by the EU (europa.eu) restate an official edition of
# the Scoreboard; rows that cite only secondary pages (news sites reproducing EC texts) are left
# out of the reference graph (issue 14), though they stay in the bundled table.
OFFICIAL_HOSTS = (".europa.eu/", "//europa.eu/")


def is_official(citation: str) -> bool:
    return any(host in url for url in URL.findall(citation) for host in OFFICIAL_HOSTS)


def build_eis(reference: Path, output: Path) -> str:
    """``eis-performance.ttl``: dated European Innovation Scoreboard groups of the EU-27."""
    rows = read_csv(reference / "eis-performance-groups.csv")
    countries = read_csv(reference / "countries.csv")
    names = {row["authority_code"]: row["label_en"] for row in countries}
    blocks = [
        graph_description(
            "eis-performance",
            "Reference graph: European Innovation Scoreboard performance groups "
            "(official editions)",
            ["reference-eis-performance-groups-csv"],
        ),
        source_document(
            "reference-eis-performance-groups-csv",
            "European Innovation Scoreboard performance groups of the EU-27, editions 2021-2023",
            "eis-performance-groups.csv",
            "Hand-compiled table of the performance group (Innovation Leader, Strong, Moderate, "
            "Emerging Innovator) of each EU Member State in the European Innovation Scoreboard "
            "editions 2021, 2022 and 2023; every row cites the web page it was taken from. "
            "For 2022 one secondary page lists Estonia as Strong Innovator; the table follows "
            "the two sources that say Moderate Innovator. The reference graph restates only the "
            "rows whose cited page is an official European Commission page (europa.eu), each "
            "with its edition: at present the 2023 edition; the 2021 and 2022 rows cite only "
            "secondary pages.",
            ["ENG"],
            [],
            EC_REUSE_DECISION,
        ),
    ]
    ordered = sorted(rows, key=lambda r: (r["eis_edition"], r["authority_code"]))
    official = [row for row in ordered if is_official(row["source"])]
    for edition in sorted({row["eis_edition"] for row in official}):
        pages = sorted({u.rstrip(";,") for row in official if row["eis_edition"] == edition
                        for u in URL.findall(row["source"])})
        blocks.append(
            Resource(
                f"src:eis-edition-{edition}",
                [
                    ("a", ["cor:SourceDocument"]),
                    ("rdfs:label", [lit(f"European Innovation Scoreboard {edition}", "en")]),
                    ("dct:title", [lit(f"European Innovation Scoreboard {edition}", "en")]),
                    ("dct:identifier", [lit(f"eis-{edition}")]),
                    ("dct:issued", [typed(edition, "xsd:gYear")]),
                    ("dct:publisher", [iri(COM)]),
                    ("dct:description", [lit(
                        f"The {edition} edition of the European Innovation Scoreboard of the "
                        "European Commission, as the Commission's own pages cited here state its "
                        "performance groups.", "en")]),
                    ("rdfs:seeAlso", [iri(u) for u in pages]),
                ],
            )
        )
    for row in official:
        edition, code = row["eis_edition"], row["authority_code"]
        group = EIS_GROUPS[row["performance_group"]]
        group_name = row["performance_group"]
        label = f"{names[code]}: {group_name} (European Innovation Scoreboard {edition})"
        blocks.append(
            Resource(
                f"pc:eis-{edition}-{code.lower()}",
                [
                    ("a", ["cor:PerformanceClassification"]),
                    ("rdfs:label", [lit(label, "en")]),
                    ("cor:classifiedArea", [f"country:{code}"]),
                    ("cor:performanceGroup", [f"eisgroup:{group}"]),
                    ("cor:classificationYear", [typed(edition, "xsd:gYear")]),
                    ("dct:source", ["src:reference-eis-performance-groups-csv",
                                    f"src:eis-edition-{edition}"]),
                    ("dct:bibliographicCitation", [lit(row["source"])]),
                    ("rdfs:seeAlso", [iri(u.rstrip(";,")) for u in URL.findall(row["source"])]),
                ],
            )
        )
    header = (
        "Dated European Innovation Scoreboard (EIS) performance groups of the EU Member States,\n"
        "one cor:PerformanceClassification per country and edition, only where the cited page is\n"
        "an official European Commission page; each names its edition (src:eis-edition-YYYY).\n"
        "Generated by scripts/build_reference.py -- do not edit by hand."
    )
    prefixes = ["cor", "country", "dct", "eisgroup", "lang", "pc", "prov", "rdfs", "src", "xsd"]
    return write_turtle(output / "eis-performance.ttl", header, prefixes, blocks)


BUILDERS = (build_countries, build_nuts, build_languages, build_programmes, build_eis)


def build_all(reference: Path, output: Path) -> Iterator[Path]:
    """Write every reference graph; yields the paths written."""
    for builder in BUILDERS:
        builder(reference, output)
    yield from sorted(output.glob("*.ttl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reference",
        type=Path,
        default=DEFAULT_REFERENCE,
        help="directory with the code lists (default: scripts/reference-sources, the copies of "
        "the shared code lists this build uses; their provenance is in its README.md)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="directory to write the Turtle files to (default: data/reference)",
    )
    args = parser.parse_args(argv)
    if not args.reference.is_dir():
        parser.error(f"reference directory not found: {args.reference}")
    for path in build_all(args.reference, args.output):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
