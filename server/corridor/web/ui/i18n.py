"""The interface in the reader's language (English and German): words, numbers, dates, sorting.

Data labels follow :func:`corridor.web.labels.preferred_languages`; the interface speaks the
first of those languages it knows (else English), and ``<html lang>`` says which one it is.

Words come from gettext catalogues kept with Babel: the English text is the message id, the
German is ``translations/de/LC_MESSAGES/messages.po`` (read once at startup with
:func:`babel.messages.pofile.read_po`; no compile step). Messages are marked in Python with
``i18n.translate(...)``, ``i18n.ngettext(...)`` or (where the text is translated later)
``i18n.N_(...)``, in templates with ``_()`` and ``ngettext()``; scripts get their words from the
page (``<script type="application/json" id="ui-strings">``). To add or change messages::

    pybabel extract -F babel.cfg -k translate -k N_ -k ngettext:1,2 -k plural_forms:1,2 \
        --no-location --sort-output -o /tmp/messages.pot server
    pybabel update -i /tmp/messages.pot -d server/corridor/web/translations --no-fuzzy-matching

then translate the new entries in the ``.po`` (``tests/ui/test_translations.py`` fails while one
is missing). Numbers and dates are written by :mod:`babel.numbers` and :mod:`babel.dates`.
"""

from __future__ import annotations

import gettext
import io
import unicodedata
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import parse_pattern
from flask import g, has_request_context
from markupsafe import Markup, escape

from corridor.web import labels as lbl

LANGUAGES = ("en", "de")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
# the keywords that mark a message (for Babel's extractors; see the module docstring)
KEYWORDS = {
    "_": None, "translate": None, "N_": None, "ngettext": (1, 2), "plural_forms": (1, 2),
}
# Babel locales for numbers and dates: English as in the United Kingdom ("11 Jan 2016")
# parsed once: Babel parses a locale named by a string on every call (600 a listing page)
LOCALES = {"en": Locale.parse("en_GB"), "de": Locale.parse("de_DE")}
YEAR_MONTH = {"en": "MMM y", "de": "MM.y"}
DATETIME = {"en": "d MMM y, HH:mm", "de": "dd.MM.y, HH:mm"}


def catalogue_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of ``language`` (English: the message ids themselves)."""
    path = catalogue_path(language)
    if language == "en" or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # in memory: gettext's own lookup and plural rules
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def N_(text: str) -> str:  # noqa: N802 - the gettext convention
    """Marks ``text`` for the catalogue where it is translated later (tables of titles)."""
    return text


def ui_language() -> str:
    """The language of the interface: the reader's first language that it speaks (worked out
    once per request)."""
    if has_request_context() and "corridor_ui_lang" in g:
        return str(g.corridor_ui_lang)
    chosen = "en"
    if has_request_context():
        for tag in lbl.preferred_languages():
            code = tag.split("-")[0]
            if code in LANGUAGES:
                chosen = code
                break
        g.corridor_ui_lang = chosen
    return chosen


def translate(text: str, **params: Any) -> str:
    """``text`` (English) in the interface language, ``%(name)s`` filled from ``params``."""
    translated = translations(ui_language()).gettext(text)
    return translated % params if params else translated


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    """The singular or plural form for ``n`` in the interface language (``%(n)s`` is ``n``,
    written as the language writes numbers)."""
    translated = translations(ui_language()).ngettext(singular, plural, n)
    return translated % {"n": format_number(n), **params}


def template_translate(text: str, **params: Any) -> str | Markup:
    """``_()`` in templates: with parameters the result is markup, the message escaped and each
    parameter escaped unless it already is markup (a link built in the template)."""
    if not params:
        return translate(text)
    return Markup(escape(translations(ui_language()).gettext(text))) % params


def template_ngettext(singular: str, plural: str, n: int, **params: Any) -> Markup:
    translated = translations(ui_language()).ngettext(singular, plural, n)
    return Markup(escape(translated)) % {"n": format_number(n), **params}


def format_number(value: float | int | None, digits: int = 0) -> str:
    """A number with the interface language's separators (1,234.5 or 1.234,5)."""
    if value is None:
        return ""
    return _number_pattern(digits).apply(value, LOCALES[ui_language()])


@cache
def _number_pattern(digits: int) -> Any:
    """The parsed pattern of :func:`format_number` (what ``babel.numbers.format_decimal``
    parses on every call)."""
    return parse_pattern("#,##0" + ("." + "0" * digits if digits > 0 else ""))


def format_date(value: str | None) -> str:
    """An ISO date (or year-month) the way the interface language writes it."""
    if not value:
        return ""
    language = ui_language()
    if len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
        year, month = int(value[:4]), int(value[5:])
        if 1 <= month <= 12:
            return babel_format_date(date(year, month, 1), YEAR_MONTH[language],
                                     locale=LOCALES[language])
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return babel_format_date(day, "medium", locale=LOCALES[language])


def sort_key(text: str) -> str:
    """A key that sorts names as a reader expects: "Österreich" with the Os, case ignored."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def plural_forms(singular: str, plural: str) -> list[str]:
    """The singular and plural form of a message in the interface language, unfilled (for the
    scripts: English and German choose the first form for one, the second otherwise)."""
    catalogue = translations(ui_language())
    return [catalogue.ngettext(singular, plural, 1), catalogue.ngettext(singular, plural, 2)]


def format_datetime(value: datetime) -> str:
    """A moment (UTC) the way the interface language writes it: "2 Dec 2026, 03:10 UTC"."""
    language = ui_language()
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return babel_format_datetime(moment, DATETIME[language], tzinfo=UTC,
                                 locale=LOCALES[language]) + " UTC"


for _language in LANGUAGES:  # read at startup: a broken catalogue stops the server, not a page
    translations(_language)
