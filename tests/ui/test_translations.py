"""The interface in German: a complete gettext catalogue, every page kind German through and
through, the language kept while browsing, and screenshots of German pages (looked at by hand).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from corridor.web.ui import i18n

from .conftest import axe_violations

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


# ------------------------------------------------------------------ the catalogue
def extracted(root: Path = ROOT / "server") -> dict[str | tuple[str, ...], list[str]]:
    """Every message Babel extracts from the sources under ``root`` with the project's
    babel.cfg (as ``pybabel extract -F babel.cfg … server`` does), and where."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str | tuple[str, ...], list[str]] = {}
    for filename, lineno, message, _, _ in extract_from_dir(
        str(root), method_map, options_map, keywords=i18n.KEYWORDS
    ):
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def german_catalogue():
    with i18n.catalogue_path("de").open("rb") as source:
        return read_po(source, locale="de")


def untranslated(messages, catalogue) -> list[str]:
    """The messages the catalogue has no (complete, non-fuzzy) translation of."""
    missing = []
    for message, where in messages.items():
        entry = catalogue.get(message)
        forms = entry.string if entry is not None else None
        forms = forms if isinstance(forms, tuple) else (forms,)
        if entry is None or entry.fuzzy or not all(f and f.strip() for f in forms):
            missing.append(f"{message!r} ({', '.join(where)})")
    return missing


def test_every_message_of_the_interface_has_a_german_translation():
    messages = extracted()
    assert len(messages) > 200  # templates, UI modules and the scripts' words
    assert untranslated(messages, german_catalogue()) == []


def test_a_new_untranslated_message_is_caught(tmp_path):
    """What the test above does when someone adds an interface string and no translation."""
    templates = tmp_path / "corridor" / "web" / "templates"
    ui = tmp_path / "corridor" / "web" / "ui"
    templates.mkdir(parents=True)
    ui.mkdir(parents=True)
    (templates / "new.html").write_text("<p>{{ _('Projects') }} {{ _('A brand-new heading') }}</p>")
    (ui / "new.py").write_text('TITLE = i18n.translate("A brand-new page title")\n')
    missing = untranslated(extracted(tmp_path), german_catalogue())
    assert [m.split(" (")[0] for m in missing] == ["'A brand-new heading'",
                                                   "'A brand-new page title'"]


def test_translations_keep_the_placeholders_and_the_catalogue_has_no_leftovers():
    catalogue = german_catalogue()
    messages = extracted()
    for entry in catalogue:
        if not entry.id:
            continue
        assert entry.id in messages, f"{entry.id!r} is in the .po but no longer in the code"
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == wanted, (entry.id, form)


def test_the_catalogue_ships_in_the_wheel():
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = data["tool"]["setuptools"]["package-data"]["corridor.web"]
    po = i18n.catalogue_path("de").relative_to(ROOT / "server" / "corridor" / "web")
    assert any(po.match(p) for p in patterns), patterns
    assert "babel" in {re.split(r"[<>=~ ]", d)[0].lower() for d in data["project"]["dependencies"]}


# ------------------------------------------------------------------ every page kind in German
NUTS = "http://data.europa.eu/nuts/code/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
GERMAN_PAGES = {
    "home": "/",
    "browse": "/browse",
    "projects": "/browse/projects",
    "projects-filtered": "/browse/projects?country=" + quote(COUNTRY + "DEU"),
    "project": "/id/project/s3-4alpclusters",
    "organisation": "/id/organisation/university-of-franche-comte",
    "country": "/resource?iri=" + quote(COUNTRY + "DEU"),
    "region": "/resource?iri=" + quote(NUTS + "DE60"),
    "programme": "/id/programme/interreg-alpine-space-2014-2020",
    "theme": "/id/concept/programme-topic/q01",
    "search": "/search?q=hamburg",
    "search-miss": "/search?q=qqqxyz",
    "map": "/map",
    "network": "/network",
    "timeline": "/timeline",
    "budgets": "/budgets",
    "query": "/query",
    "not-found": "/no/such/page",
}
READY = {
    "map": "#worldmap[data-regions]",
    "network": "#network-status:not(:empty)",
    "query": ".yasqe .CodeMirror",
    "project": ".minimap [data-marks]",
}
# words only the English interface uses (data labels in this graph never contain them)
ENGLISH = (
    "Projects", "Organisations", "Total budget", "EU contribution", "Download", "Search",
    "Legend", "Filters", "Previous", "Next", "Fact sheet", "Lead partner", "Partners in",
    "Browse", "Timeline", "Skip to content", "Not found", "No results", "results for",
    "Referenced by", "Names and descriptions", "Machine-readable", "Example queries",
    "Show the query", "Open in the editor", "Highlight", "Dates unknown", "By programme",
    "By country", "Countries with partners", "Language", "Page", "Other countries",
    "nodes", "links", "organisations", "Syntax error", "Remove filter", "Clear all",
)
ENGLISH_WORDS = re.compile(r"\b(?:" + "|".join(map(re.escape, ENGLISH)) + r")\b")


def _german_text(page) -> str:
    """What a reader sees and hears: the visible text and the labels, placeholders and titles
    of the interface. Left out: the property lists of resource pages (data: the labels and values
of the graph's triples, which follow the reader's language where the graph has it) and
YASGUI (a third-party editor, holding SPARQL code)."""
    return page.evaluate("""() => {
        const own = el => !el.closest('#yasgui, dl.props');
        const left = [...document.querySelectorAll('#yasgui, dl.props')];
        left.forEach(el => { el.dataset.display = el.style.display; el.style.display = 'none'; });
        const texts = [document.title, document.body.innerText];
        left.forEach(el => { el.style.display = el.dataset.display; });
        document.querySelectorAll('[aria-label], [placeholder], [title]').forEach(el => {
            if (!own(el)) return;
            for (const a of ['aria-label', 'placeholder', 'title'])
                if (el.hasAttribute(a)) texts.push(el.getAttribute(a));
        });
        return texts.join('\\n');
    }""")


@pytest.mark.parametrize("kind", GERMAN_PAGES)
def test_every_page_kind_speaks_german(page, live_server, kind):
    """<html lang="de">, no English interface word in what is seen or read out, and no critical
    or serious axe-core finding."""
    url = GERMAN_PAGES[kind]
    response = page.goto(live_server + url + ("&" if "?" in url else "?") + "lang=de")
    assert response.status == (404 if kind == "not-found" else 200)
    if kind in READY:
        page.wait_for_selector(READY[kind])
    assert page.get_attribute("html", "lang") == "de"
    violations = axe_violations(page)  # German labels as accessible as the English ones
    assert violations == [], "\n".join(map(str, violations))
    text = _german_text(page)
    if kind == "query":  # and the message of a query with a syntax error
        page.evaluate("() => { window.corridorYasgui.getTab().setQuery('SELECT ?x { ?x ?y }'); }")
        page.click(".yasqe_queryButton")
        page.wait_for_selector("#query-error:not([hidden])", timeout=30_000)
        text += "\n" + page.locator("#query-error").inner_text()
        assert "Syntaxfehler in Zeile 1, Spalte" in text
        assert page.get_attribute(".yasqe_queryButton", "title") == "Abfrage ausführen"
        assert page.locator(".yasr_btnGroup .yasr_btn").all_inner_texts()[:2] == [
            "Tabelle", "Antwort"]
    left = sorted(set(ENGLISH_WORDS.findall(text)))
    assert left == [], f"English left on the German {kind} page: {left}"


def test_german_pages_say_what_the_english_ones_say(page, live_server):
    """Spot checks of the translations where a reader looks first."""
    page.goto(live_server + "/id/project/s3-4alpclusters?lang=de")
    sheet = page.locator(".factsheet").inner_text()
    for word in ("Steckbrief", "Gesamtbudget", "EU-Beitrag", "Lead-Partner", "Laufzeit"):
        assert word in sheet
    page.goto(live_server + "/browse/projects?lang=de")
    assert page.locator("#project-table thead").inner_text().split() == [
        "Projekt", "Programm", "Länder", "Partner", "Beginn", "Ende", "Gesamtbudget", "EU-Beitrag"]
    assert [t.strip() for t in page.locator(".facets legend").all_inner_texts()] == [
        "Programm", "Land", "Region", "Themenbereich", "Zeitraum", "Rolle"]
    assert re.fullmatch(r"\d+ Projekte\.", page.locator("p[role=status]").inner_text()
                        .split(" Filter")[0].strip())
    page.goto(live_server + "/budgets?lang=de")
    assert re.search(r"Gesamtbudget von \d+ Projekten: [\d.]+ EUR\.", page.inner_text("main"))
    page.goto(live_server + "/network?lang=de")
    page.wait_for_selector("#network-status:not(:empty)")
    assert re.fullmatch(r"\d+ Knoten, \d+ Verbindungen\. .+", page.inner_text("#network-status"))
    page.fill("#network-find", "franche")
    page.wait_for_selector("#network[data-hits='1']")
    assert page.inner_text("#network-found") == "1 gefunden"


def test_the_drawn_map_and_network_speak_german(page, live_server):
    page.goto(live_server + "/map?lang=de")
    page.wait_for_selector("#worldmap[data-marks]")
    labels = page.locator("#worldmap .map-label").all_text_contents()
    assert any(t.startswith("Deutschland ") for t in labels), labels
    assert not any(t.startswith("Germany ") for t in labels)
    mark = page.locator("#worldmap a.mark:not(.project-level)").first.get_attribute("aria-label")
    assert re.search(r": [\d.]+ Organisation(en)?\b", mark), mark
    page.goto(live_server + "/network?level=country&lang=de")
    page.wait_for_selector("#network[data-nodes]")
    names = page.evaluate("() => window.corridorNetwork.nodes().map(n => n.data('label'))")
    assert "Deutschland" in names and "Germany" not in names


def test_accept_language_alone_gives_the_german_interface(browser, live_server):
    from .conftest import DESKTOP, _guarded_page

    context, page, external, errors = _guarded_page(browser, DESKTOP, locale="de-DE")
    try:
        page.goto(live_server + "/map")
        page.wait_for_selector("#worldmap[data-marks]")
        assert page.get_attribute("html", "lang") == "de"
        assert page.locator("h1").inner_text() == "Karte der Partner"
        assert any(t.startswith("Deutschland ")
                   for t in page.locator("#worldmap .map-label").all_text_contents())
        assert external == [] and errors == []
    finally:
        context.close()


def test_the_english_interface_is_unchanged(page, live_server):
    page.goto(live_server + "/id/project/s3-4alpclusters")
    assert page.get_attribute("html", "lang") == "en"
    sheet = page.locator(".factsheet").inner_text()
    assert "Total budget" in sheet and "2,521,964 EUR" in sheet and "11 Jan 2016" in sheet
    page.goto(live_server + "/browse/projects")
    assert page.locator("#project-table thead th").first.inner_text() == "Project"


# ------------------------------------------------------------------ the language is kept
def _browser_links(page, live_server) -> list[str]:
    """The links of the page to other HTML pages of the browser (not the machine formats, the
    RDF documents of the footer or the language switch, which sets the language itself)."""
    hrefs = page.evaluate("""() => [...document.querySelectorAll('header a, main a')]
        .filter(a => !a.closest('.ui-langs, nav.langs, .exports, .formats'))
        .map(a => typeof a.href === "string" ? a.href
                  : new URL(a.href.baseVal, document.baseURI).href)""")  # SVG links too
    host = urlsplit(live_server).netloc
    return [h for h in hrefs if urlsplit(h).netloc == host and not urlsplit(h).fragment
            and not re.search(r"\.(ttl|jsonld|nt|rdf|csv|json)$|format=", h)
            and urlsplit(h).path not in ("/catalog", "/.well-known/void", "/ontology")]


@pytest.mark.parametrize("kind", ["home", "projects", "project", "organisation", "country",
                                  "search", "search-miss", "map", "network", "budgets",
                                  "timeline", "not-found"])
def test_every_link_keeps_the_chosen_language(page, live_server, kind):
    url = GERMAN_PAGES[kind]
    page.goto(live_server + url + ("&" if "?" in url else "?") + "lang=de")
    links = _browser_links(page, live_server)
    assert links
    dropping = [h for h in links if parse_qs(urlsplit(h).query).get("lang") != ["de"]]
    assert dropping == []


def test_browsing_stays_in_german(page, live_server):
    page.goto(live_server + "/?lang=de")
    page.click("#country-h + ul a >> text=Deutschland")  # the project list, filtered
    assert page.get_attribute("html", "lang") == "de" and "lang=de" in page.url
    page.check("fieldset[data-facet=programme] input >> nth=0")  # facets apply as ticked
    page.wait_for_url(re.compile(r"programme="))
    assert "lang=de" in page.url and page.locator("h1").inner_text() == "Projekte"
    page.click("#project-table a.project >> nth=0")
    assert page.get_attribute("html", "lang") == "de"
    assert page.locator("#sheet-h").inner_text() == "Steckbrief"
    page.click(".factsheet a >> nth=0")  # its programme
    assert page.get_attribute("html", "lang") == "de" and "lang=de" in page.url
    page.fill("#site-q", "hamburg")
    page.press("#site-q", "Enter")
    page.wait_for_url(re.compile(r"/search"))
    assert "lang=de" in page.url and "Treffer für" in page.inner_text("main")


# ------------------------------------------------------------------ screenshots
@pytest.mark.parametrize("kind", ["project", "projects", "map", "network", "budgets", "query",
                                  "search-miss", "home"])
def test_german_pages_at_desktop_and_phone_width(page, phone, live_server, artifacts, kind):
    """Screenshots to look at (longer German words must not break the layout): nothing wider
    than the phone's screen."""
    url = GERMAN_PAGES[kind]
    url = live_server + url + ("&" if "?" in url else "?") + "lang=de"
    for viewer, suffix in ((page, ""), (phone, "-phone")):
        viewer.goto(url)
        if kind in READY:
            viewer.wait_for_selector(READY[kind])
        viewer.screenshot(path=str(artifacts / f"de-{kind}{suffix}.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
