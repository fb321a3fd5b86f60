"""The interface in the reader's language (English and German): words, numbers, dates, sorting.

Data labels follow :func:`corridor.web.labels.preferred_languages`; the interface speaks the
first of those languages it knows (else English), and ``<html lang>`` says which one it is.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from flask import g, has_request_context

from corridor.web import labels as lbl

LANGUAGES = ("en", "de")
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# English text -> German; a missing entry shows the English text
GERMAN = {
    "Browse": "Durchsuchen",
    "Projects": "Projekte",
    "Project": "Projekt",
    "Map": "Karte",
    "Network": "Netzwerk",
    "Timeline": "Zeitleiste",
    "Budgets": "Budgets",
    "Search": "Suche",
    "SPARQL": "SPARQL",
    "Skip to content": "Zum Inhalt springen",
    "Main": "Hauptmenü",
    "Language": "Sprache",
    "Search projects, organisations, regions…": "Projekte, Organisationen, Regionen suchen…",
    "Find a project, organisation, region or place": (
        "Projekt, Organisation, Region oder Ort finden"
    ),
    "What the graph holds": "Was der Graph enthält",
    "Organisations": "Organisationen",
    "Organisation": "Organisation",
    "Regions (NUTS) with partners": "Regionen (NUTS) mit Partnern",
    "Countries with partners": "Länder mit Partnern",
    "Programmes": "Programme",
    "Programme": "Programm",
    "Triples": "Tripel",
    "By programme": "Nach Programm",
    "By country": "Nach Land",
    "By theme": "Nach Thema",
    "By year": "Nach Jahr",
    "Explore": "Entdecken",
    "Country": "Land",
    "Countries": "Länder",
    "Region": "Region",
    "Regions": "Regionen",
    "Thematic area": "Themenbereich",
    "Period": "Zeitraum",
    "Role": "Rolle",
    "Partners": "Partner",
    "Start": "Beginn",
    "End": "Ende",
    "Total budget": "Gesamtbudget",
    "EU contribution": "EU-Mittel",
    "EU co-financing rate": "EU-Kofinanzierungssatz",
    "Status": "Status",
    "Dates": "Laufzeit",
    "unknown": "unbekannt",
    "country unknown": "Land unbekannt",
    "Filters": "Filter",
    "Active filters": "Aktive Filter",
    "Clear all": "Alle entfernen",
    "Remove filter": "Filter entfernen",
    "Apply filters": "Filter anwenden",
    "Download": "Herunterladen",
    "Previous": "Zurück",
    "Next": "Weiter",
    "Page": "Seite",
    "of": "von",
    "results for": "Treffer für",
    "No results for": "Keine Treffer für",
    "Did you mean": "Meinten Sie",
    "Type": "Typ",
    "All types": "Alle Typen",
    "All countries": "Alle Länder",
    "Show": "Anzeigen",
    "Type at least two letters.": "Geben Sie mindestens zwei Buchstaben ein.",
    "Not found": "Nicht gefunden",
    "Home": "Startseite",
    "Fact sheet": "Steckbrief",
    "Lead partner": "Lead-Partner",
    "Partners by country": "Partner nach Ländern",
    "Themes": "Themen",
    "Outputs": "Ergebnisse",
    "Sources": "Quellen",
    "Projects in the list": "Projekte in der Liste",
    "All projects here in the project list": "Alle Projekte hier in der Projektliste",
    "Budget share": "Budgetanteil",
    "Machine-readable": "Maschinenlesbar",
    "Legend": "Legende",
    "Events": "Veranstaltungen",
    "Event": "Veranstaltung",
    "SPARQL query": "SPARQL-Abfrage",
    "Example queries": "Beispielabfragen",
    "Collaboration network": "Kooperationsnetzwerk",
    "Map of partners": "Karte der Partner",
    "Timeline of projects": "Zeitleiste der Projekte",
    "projects": "Projekte",
    "project": "Projekt",
    "result": "Treffer",
    "results": "Treffer",
    "Catalogue": "Katalog",
    "Ontology": "Ontologie",
    "SPARQL endpoint": "SPARQL-Endpunkt",
    (
        "A knowledge graph of EU-funded projects, the organisations and regions that take part"
        " in them, and the programmes that fund them."
    ): (
        "Ein Wissensgraph EU-geförderter Projekte, der Organisationen und Regionen, die an"
        " ihnen teilnehmen, und der Programme, die sie fördern."
    ),
    "Browse by class": "Nach Klassen durchsuchen",
    "SPARQL query editor": "SPARQL-Abfrageeditor",
    "Data catalogue (DCAT)": "Datenkatalog (DCAT)",
    "VoID description": "VoID-Beschreibung",
    "Last update": "Letzte Aktualisierung",
}


def ui_language() -> str:
    """The language of the interface: the reader's first language that it speaks (worked out
    once per request)."""
    if has_request_context() and "corridor_ui_lang" in g:
        return str(g.corridor_ui_lang)
    chosen = "en"
    for tag in lbl.preferred_languages():
        code = tag.split("-")[0]
        if code in LANGUAGES:
            chosen = code
            break
    if has_request_context():
        g.corridor_ui_lang = chosen
    return chosen


def translate(text: str) -> str:
    """``text`` (English) in the interface language."""
    if ui_language() == "de":
        return GERMAN.get(text, text)
    return text


def format_number(value: float | int | None, digits: int = 0) -> str:
    """A number with the interface language's separators (1,234.5 or 1.234,5)."""
    if value is None:
        return ""
    text = f"{value:,.{digits}f}"
    if ui_language() == "de":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_date(value: str | None) -> str:
    """An ISO date (or year-month, year) the way the interface language writes it."""
    if not value:
        return ""
    if len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
        year, month = int(value[:4]), int(value[5:])
        if 1 <= month <= 12:
            if ui_language() == "de":
                return f"{month:02d}.{year}"
            return f"{MONTHS_EN[month - 1]} {year}"
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    if ui_language() == "de":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def sort_key(text: str) -> str:
    """A key that sorts names as a reader expects: "Österreich" with the Os, case ignored."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))
