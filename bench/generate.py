"""Realistic synthetic Corridor data as N-Triples, at a chosen scale, deterministic and streaming.

    python bench/generate.py --triples 1M -o bench/out/1m.nt [--seed 42]

Mirrors the curated data in data/: the same classes, properties and IRI patterns
(``{base}id/project/<slug>``, ``id/participation/<project>/<organisation>``, ``id/amount/...``),
absolute IRIs (N-Triples has no relative ones). Reuses the reference code lists (countries and
NUTS-2021 regions from data/reference/nuts-2021.ttl) and the bundled SKOS schemes
(participation roles, organisation types, project statuses); mints its own programmes,
priorities, specific objectives and a thematic-area scheme. Output is a pure function of
(--triples, --seed); memory stays constant (organisations are recomputed from their index).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/corridor/"
COR = "https://w3id.org/corridor/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
LOCN = "http://www.w3.org/ns/locn#"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD = "http://www.w3.org/2001/XMLSchema#"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
SOURCE = f"{BASE}id/source/bench-synthetic"

# Main language of each country (labels of its organisations are written in it).
COUNTRY_LANG = {
    "AUT": "de",
    "BEL": "nl",
    "BGR": "bg",
    "HRV": "hr",
    "CYP": "el",
    "CZE": "cs",
    "DNK": "da",
    "EST": "et",
    "FIN": "fi",
    "FRA": "fr",
    "DEU": "de",
    "GRC": "el",
    "HUN": "hu",
    "IRL": "en",
    "ITA": "it",
    "LVA": "lv",
    "LTU": "lt",
    "LUX": "fr",
    "MLT": "mt",
    "NLD": "nl",
    "POL": "pl",
    "PRT": "pt",
    "ROU": "ro",
    "SVK": "sk",
    "SVN": "sl",
    "ESP": "es",
    "SWE": "sv",
}
ORG_WORDS = {
    "de": ("Universität", "Forschungszentrum", "Wirtschaftsförderung", "Cluster", "Hochschule"),
    "fr": ("Université", "Agence de développement", "Pôle de compétitivité", "Région", "Institut"),
    "es": ("Universidad", "Agencia de Innovación", "Fundación", "Clúster", "Diputación"),
    "it": (
        "Università",
        "Agenzia per lo sviluppo",
        "Fondazione",
        "Distretto",
        "Camera di commercio",
    ),
    "pl": ("Uniwersytet", "Agencja Rozwoju", "Fundacja", "Klaster", "Urząd Marszałkowski"),
    "ro": ("Universitatea", "Agenția de Dezvoltare", "Fundația", "Clusterul", "Consiliul Județean"),
    "cs": ("Univerzita", "Rozvojová agentura", "Nadace", "Klastr", "Krajský úřad"),
    "hu": ("Egyetem", "Fejlesztési Ügynökség", "Alapítvány", "Klaszter", "Kamara"),
    "sv": ("Universitet", "Utvecklingsbolag", "Stiftelse", "Kluster", "Länsstyrelse"),
    "pt": ("Universidade", "Agência de Inovação", "Fundação", "Cluster", "Câmara Municipal"),
    "el": ("Πανεπιστήμιο", "Αναπτυξιακή Εταιρεία", "Ίδρυμα", "Σύμπλεγμα", "Περιφέρεια"),
    "bg": ("Университет", "Агенция за развитие", "Фондация", "Клъстер", "Община"),
}
ORG_WORDS_EN = ("University", "Development Agency", "Foundation", "Cluster", "Regional Authority")
ORG_TYPES = (
    "higher-education-institution",
    "development-agency",
    "research-organisation",
    "cluster-organisation",
    "public-authority",
    "company",
)
TOPIC_WORDS = (
    "Smart",
    "Green",
    "Digital",
    "Circular",
    "Alpine",
    "Baltic",
    "Danube",
    "Blue",
    "Urban",
    "Rural",
    "Health",
    "Energy",
    "Mobility",
    "Water",
    "Tourism",
    "Heritage",
    "Climate",
    "Innovation",
    "Skills",
    "Data",
)
TOPIC_NOUNS = (
    "Regions",
    "Clusters",
    "Ecosystems",
    "Valleys",
    "Corridors",
    "Networks",
    "Hubs",
    "Cities",
    "Coasts",
    "Labs",
)
THEMES = (
    ("industry-4-0", "Industry 4.0", "Industrie 4.0", "Industrie 4.0"),
    ("green-transition", "Green transition", "Grüner Wandel", "Transition écologique"),
    (
        "health-well-being",
        "Health and well-being",
        "Gesundheit und Wohlbefinden",
        "Santé et bien-être",
    ),
    (
        "ict-digital",
        "ICT and digital transformation",
        "IKT und digitaler Wandel",
        "Transformation numérique",
    ),
    ("circular-economy", "Circular economy", "Kreislaufwirtschaft", "Économie circulaire"),
    ("renewable-energy", "Renewable energy", "Erneuerbare Energien", "Énergies renouvelables"),
    ("sustainable-mobility", "Sustainable mobility", "Nachhaltige Mobilität", "Mobilité durable"),
    ("cultural-heritage", "Cultural heritage", "Kulturerbe", "Patrimoine culturel"),
    ("blue-growth", "Blue growth", "Blaues Wachstum", "Croissance bleue"),
    ("agri-food", "Agri-food", "Agrar- und Lebensmittelwirtschaft", "Agroalimentaire"),
    (
        "skills-education",
        "Skills and education",
        "Kompetenzen und Bildung",
        "Compétences et éducation",
    ),
    (
        "climate-adaptation",
        "Climate adaptation",
        "Klimaanpassung",
        "Adaptation au changement climatique",
    ),
    ("smart-cities", "Smart cities", "Intelligente Städte", "Villes intelligentes"),
    ("social-innovation", "Social innovation", "Soziale Innovation", "Innovation sociale"),
    ("biodiversity", "Biodiversity", "Biodiversität", "Biodiversité"),
    ("tourism", "Sustainable tourism", "Nachhaltiger Tourismus", "Tourisme durable"),
)
PROGRAMMES = (
    "Alpine Space",
    "Baltic Sea Region",
    "Central Europe",
    "Danube",
    "North Sea",
    "North West Europe",
    "Atlantic Area",
    "Mediterranean",
    "Adrion",
    "Europe",
    "Upper Rhine",
    "Greater Region",
    "France-Italy ALCOTRA",
    "Spain-Portugal POCTEP",
    "Romania-Hungary",
    "Poland-Saxony",
    "Bavaria-Czechia",
    "Italy-Austria",
    "South Baltic",
    "Euro-MED",
)
PERIODS = ((2014, 2020), (2021, 2027))
ROLE = f"{BASE}id/concept/participation-role/"
SCALE = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}


def parse_count(text: str) -> int:
    """'250k', '1M', '5m', '20M', '1000000' -> an integer."""
    text = text.strip().lower().replace("_", "")
    if text and text[-1] in SCALE:
        return int(float(text[:-1]) * SCALE[text[-1]])
    return int(text)


def nuts3_regions(path: Path = REPO / "data" / "reference" / "nuts-2021.ttl") -> list[tuple]:
    """Sorted (region IRI, country IRI, region name) of every NUTS-3 region in a country."""
    level, broader, exact, name = {}, {}, {}, {}
    for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=BASE):
        s, p, o = t.subject.value, t.predicate.value, t.object
        if p == COR + "nutsLevel":
            level[s] = int(o.value)
        elif p == SKOS + "broader":
            broader[s] = o.value
        elif p == SKOS + "exactMatch":
            exact[s] = o.value
        elif p == SKOS + "prefLabel" and s not in name:
            name[s] = o.value
    out = []
    for region, lvl in level.items():
        if lvl != 3:
            continue
        top = region
        while top in broader:
            top = broader[top]
        if top in exact:
            out.append((region, exact[top], name.get(region, region.rsplit("/", 1)[1])))
    return sorted(out)


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def lit(text: str, lang: str = "en") -> str:
    return f'"{esc(text)}"@{lang}'


def plain(text: str) -> str:
    return f'"{esc(text)}"'


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def slugify(text: str) -> str:
    return "-".join(
        "".join(c if c.isalnum() and c.isascii() else " " for c in text.lower()).split()
    )


class Generator:
    """Yields N-Triples lines; everything derives from the seed and the entity's index."""

    def __init__(self, seed: int, regions: list[tuple]) -> None:
        self.seed = seed
        self.regions = regions
        self.org_count = 0

    # -------------------------------------------------------------- helpers
    @staticmethod
    def iri(path: str) -> str:
        return f"<{BASE}{path}>"

    def triple(self, s: str, p: str, o: str) -> str:
        return f"{s} <{p}> {o} .\n"

    def described(self, s: str, cls: str, label: str) -> list[str]:
        return [
            self.triple(s, RDF_TYPE, f"<{cls}>"),
            self.triple(s, RDFS_LABEL, lit(label)),
            self.triple(s, DCT + "source", f"<{SOURCE}>"),
        ]

    # -------------------------------------------------------------- fixed part
    def header(self) -> Iterator[str]:
        """Source document, thematic-area scheme, programmes, priorities, specific objectives."""
        t, src = self.triple, f"<{SOURCE}>"
        yield t(src, RDF_TYPE, f"<{COR}SourceDocument>")
        yield t(src, RDFS_LABEL, lit("Synthetic benchmark data (bench/generate.py)"))
        yield t(src, DCT + "title", lit("Synthetic benchmark data"))
        yield t(src, DCT + "identifier", plain(f"bench-generate-seed-{self.seed}"))
        scheme = self.iri("id/scheme/bench-thematic-area")
        yield t(scheme, RDF_TYPE, f"<{SKOS}ConceptScheme>")
        yield t(scheme, SKOS + "prefLabel", lit("Thematic areas (synthetic)"))
        yield t(scheme, SKOS + "prefLabel", lit("Themenbereiche (synthetisch)", "de"))
        yield t(scheme, DCT + "source", src)
        for slug, en, de, fr in THEMES:
            c = self.iri(f"id/concept/bench-thematic-area/{slug}")
            yield t(c, RDF_TYPE, f"<{SKOS}Concept>")
            yield t(c, RDF_TYPE, f"<{COR}ThematicArea>")
            yield t(c, SKOS + "inScheme", scheme)
            yield t(c, SKOS + "topConceptOf", scheme)
            yield t(scheme, SKOS + "hasTopConcept", c)
            for text, lang in ((en, "en"), (de, "de"), (fr, "fr")):
                yield t(c, SKOS + "prefLabel", lit(text, lang))
            yield t(c, DCT + "source", src)
        for pi in range(len(PROGRAMMES) * len(PERIODS)):
            yield from self.programme(pi)

    def programme_slug(self, pi: int) -> str:
        name = PROGRAMMES[pi % len(PROGRAMMES)]
        start, end = PERIODS[pi // len(PROGRAMMES)]
        return f"synthetic-interreg-{slugify(name)}-{start}-{end}"

    def programme(self, pi: int) -> Iterator[str]:
        t = self.triple
        name = PROGRAMMES[pi % len(PROGRAMMES)]
        start, end = PERIODS[pi // len(PROGRAMMES)]
        slug = self.programme_slug(pi)
        prog = self.iri(f"id/programme/{slug}")
        yield from self.described(prog, COR + "FundingProgramme", f"Interreg {name} {start}-{end}")
        yield t(prog, SKOS + "prefLabel", lit(f"Interreg {name} {start}-{end}"))
        yield t(prog, SKOS + "notation", plain(f"{slugify(name)}-{start}"))
        for k in range(1, 5):
            prio = self.iri(f"id/priority/{slug}-{k}")
            yield from self.described(prio, COR + "ProgrammePriority", f"Priority {k} of {name}")
            yield t(
                prio, SKOS + "prefLabel", lit(f"Priority {k}: {THEMES[(pi + k) % len(THEMES)][1]}")
            )
            yield t(
                prio,
                SKOS + "prefLabel",
                lit(f"Priorität {k}: {THEMES[(pi + k) % len(THEMES)][2]}", "de"),
            )
            yield t(prio, COR + "priorityOf", prog)
            for j in range(1, 3):
                so = self.iri(f"id/specific-objective/{slug}-{k}-{j}")
                yield from self.described(
                    so, COR + "SpecificObjective", f"Specific objective {k}.{j} of {name}"
                )
                yield t(so, SKOS + "prefLabel", lit(f"Specific objective {k}.{j}"))
                yield t(so, COR + "objectiveOf", prio)

    # -------------------------------------------------------------- organisations
    def organisation_slug(self, j: int) -> str:
        return f"org-{j:07d}"

    def organisation_country(self, j: int) -> tuple:
        return self.regions[random.Random(self.seed * 7_919 + j).randrange(len(self.regions))]

    def organisation(self, j: int) -> Iterator[str]:
        rng = random.Random(self.seed * 7_919 + j)
        region, country, region_name = self.regions[rng.randrange(len(self.regions))]
        code = country.rsplit("/", 1)[1]
        lang = COUNTRY_LANG.get(code, "en")
        kind = rng.randrange(5)
        org_type = kind if kind < 4 else rng.choice((4, 5))
        local = ORG_WORDS.get(lang)
        en_name = f"{ORG_WORDS_EN[kind]} of {region_name} {j}"
        o = self.iri(f"id/organisation/{self.organisation_slug(j)}")
        t = self.triple
        yield from self.described(o, COR + "Organisation", en_name)
        yield t(o, SKOS + "prefLabel", lit(en_name))
        if local and lang != "en":
            yield t(o, SKOS + "prefLabel", lit(f"{local[kind]} {region_name} {j}", lang))
        yield t(o, COR + "acronym", plain(f"O{j}"))
        yield t(o, COR + "country", f"<{country}>")
        yield t(o, COR + "nutsRegion", f"<{region}>")
        yield t(
            o,
            COR + "organisationType",
            self.iri(f"id/concept/organisation-type/{ORG_TYPES[org_type]}"),
        )
        addr = self.iri(f"id/address/{self.organisation_slug(j)}")
        post_code = f"{rng.randrange(10000, 99999)}"
        yield t(o, LOCN + "address", addr)
        yield t(addr, RDF_TYPE, f"<{COR}Address>")
        yield t(addr, LOCN + "postCode", plain(post_code))
        yield t(addr, LOCN + "postName", plain(region_name))
        yield t(addr, LOCN + "fullAddress", plain(f"{post_code} {region_name}, {code}"))
        yield t(addr, DCT + "spatial", f"<{region}>")
        yield t(addr, DCT + "source", f"<{SOURCE}>")

    # -------------------------------------------------------------- projects
    def project(self, i: int) -> Iterator[str]:
        rng = random.Random(self.seed * 1_000_003 + i)
        t = self.triple
        words = f"{rng.choice(TOPIC_WORDS)} {rng.choice(TOPIC_NOUNS)}"
        acronym = f"{words.split()[0].upper()}-{words.split()[1][:3].upper()}{i}"
        slug = slugify(acronym)
        p = self.iri(f"id/project/{slug}")
        theme = THEMES[rng.randrange(len(THEMES))]
        yield from self.described(p, COR + "Project", acronym)
        yield t(p, COR + "acronym", plain(acronym))
        yield t(p, DCT + "title", lit(f"{words} for {theme[1].lower()} ({i})"))
        yield t(p, DCT + "title", lit(f"{words}: {theme[2]} ({i})", "de"))
        yield t(p, DCT + "title", lit(f"{words} : {theme[3].lower()} ({i})", "fr"))
        yield t(
            p,
            DCT + "description",
            lit(
                f"The project {acronym} brings regions together on {theme[1].lower()}: joint "
                f"pilots, a transnational action plan and tools for regional innovation ecosystems."
            ),
        )
        yield t(
            p,
            DCT + "description",
            lit(
                f"Das Projekt {acronym} verbindet Regionen im Bereich {theme[2]}: gemeinsame "
                f"Pilotvorhaben, ein transnationaler Aktionsplan und Werkzeuge für Ökosysteme.",
                "de",
            ),
        )
        yield t(p, DCT + "identifier", plain(f"BENCH{i:07d}"))
        pi = rng.randrange(len(PROGRAMMES) * len(PERIODS))
        period = PERIODS[pi // len(PROGRAMMES)]
        prog_slug = self.programme_slug(pi)
        k, j = rng.randint(1, 4), rng.randint(1, 2)
        yield t(p, COR + "programme", self.iri(f"id/programme/{prog_slug}"))
        yield t(p, COR + "priority", self.iri(f"id/priority/{prog_slug}-{k}"))
        yield t(
            p, COR + "specificObjective", self.iri(f"id/specific-objective/{prog_slug}-{k}-{j}")
        )
        for th in sorted(
            {theme[0], *(THEMES[rng.randrange(len(THEMES))][0] for _ in range(rng.randint(0, 2)))}
        ):
            yield t(p, COR + "thematicArea", self.iri(f"id/concept/bench-thematic-area/{th}"))
        start_year = rng.randint(period[0] + 1, period[1] - 2)
        start = f"{start_year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        end = f"{start_year + rng.randint(1, 3)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        yield t(p, SCHEMA + "startDate", typed(start, "date"))
        yield t(p, SCHEMA + "endDate", typed(end, "date"))
        status = (
            "closed" if end < "2025-06-01" else ("ongoing" if start < "2025-06-01" else "planned")
        )
        yield t(p, COR + "status", self.iri(f"id/concept/project-status/{status}"))
        yield t(p, FOAF + "homepage", f"<https://projects.example.eu/{slug}>")
        total_cents = rng.randint(50_000_000, 500_000_000)
        eu_cents = total_cents * rng.randint(50, 85) // 100
        for kind, prop, cents, label in (
            ("total-budget", "totalBudget", total_cents, "Total budget"),
            ("eu-contribution", "euContribution", eu_cents, "EU contribution"),
        ):
            a = self.iri(f"id/amount/{slug}-{kind}")
            yield t(p, COR + prop, a)
            yield from self.described(a, COR + "MonetaryAmount", f"{label} of {acronym}")
            yield t(a, SCHEMA + "value", typed(f"{cents // 100}.{cents % 100:02d}", "decimal"))
            yield t(a, SCHEMA + "currency", plain("EUR"))
        n = rng.randint(5, 20)
        members = self.members(rng, n)
        countries = {self.organisation_country(m)[1] for m in members}
        yield t(p, COR + "partnerCount", typed(n, "nonNegativeInteger"))
        yield t(p, COR + "countryCount", typed(len(countries), "nonNegativeInteger"))
        for rank, m in enumerate(members):
            org_slug = self.organisation_slug(m)
            pa = self.iri(f"id/participation/{slug}/{org_slug}")
            role = "lead-partner" if rank == 0 else "project-partner"
            yield from self.described(pa, COR + "Participation", f"O{m} in {acronym}")
            yield t(pa, COR + "project", p)
            yield t(pa, COR + "organisation", self.iri(f"id/organisation/{org_slug}"))
            yield t(pa, COR + "role", f"<{ROLE}{role}>")
        if i % 40 == 39:
            yield from self.event(i, rng, p, acronym, members[0], theme)

    def members(self, rng: random.Random, n: int) -> list[int]:
        """n distinct organisations: a few new ones, the rest from those already written."""
        fresh = min(n, max(2, n // 3)) if self.org_count >= 20 else n
        chosen = list(range(self.org_count, self.org_count + fresh))
        while len(chosen) < n:
            m = rng.randrange(self.org_count)
            if m not in chosen:
                chosen.append(m)
        rng.shuffle(chosen)
        self._fresh = range(self.org_count, self.org_count + fresh)
        self.org_count += fresh
        return chosen

    def event(
        self, i: int, rng: random.Random, project: str, acronym: str, organiser: int, theme: tuple
    ) -> Iterator[str]:
        t = self.triple
        region, country, region_name = self.regions[rng.randrange(len(self.regions))]
        e = self.iri(f"id/event/{slugify(acronym)}-partner-meeting")
        year = rng.randint(2016, 2026)
        day = rng.randint(1, 25)
        yield from self.described(e, COR + "Event", f"{acronym} partner meeting in {region_name}")
        yield t(e, DCT + "title", lit(f"{acronym} partner meeting"))
        yield t(e, DCT + "title", lit(f"Partnertreffen {acronym} in {region_name}", "de"))
        yield t(e, SCHEMA + "startDate", typed(f"{year}-05-{day:02d}", "date"))
        yield t(e, SCHEMA + "endDate", typed(f"{year}-05-{day + 2:02d}", "date"))
        yield t(e, COR + "country", f"<{country}>")
        yield t(e, COR + "nutsRegion", f"<{region}>")
        yield t(
            e, COR + "organiser", self.iri(f"id/organisation/{self.organisation_slug(organiser)}")
        )
        yield t(e, COR + "withinProject", project)
        yield t(e, COR + "thematicArea", self.iri(f"id/concept/bench-thematic-area/{theme[0]}"))

    # -------------------------------------------------------------- the stream
    def lines(self, triples: int) -> Iterator[str]:
        """At least ``triples`` lines (whole projects), header first."""
        count = 0
        for line in self.header():
            count += 1
            yield line
        i = 0
        while count < triples:
            block = list(self.project(i))
            for m in self._fresh:
                block.extend(self.organisation(m))
            count += len(block)
            yield from block
            i += 1


def generate(triples: int, out: Path, seed: int = 42) -> int:
    """Write the data set; returns the number of triples written."""
    gen = Generator(seed, nuts3_regions())
    n = 0
    with open(out, "w", encoding="utf-8", buffering=1 << 20) as f:
        for line in gen.lines(triples):
            f.write(line)
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", required=True, type=parse_count, help="e.g. 250k, 1M, 5M, 20M")
    parser.add_argument("-o", "--output", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    n = generate(args.triples, args.output, args.seed)
    print(f"wrote {n} triples to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
