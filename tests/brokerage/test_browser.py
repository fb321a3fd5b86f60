"""Find partners, Corridor and a profile in headless Chromium (requests only to 127.0.0.1),
on a desktop and a phone viewport; screenshots go to tests/artifacts/brokerage-*.png."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from corridor.derived.brokerage import brokerage_for
from tests.ui.conftest import app, artifacts, live_server, shared_browser  # noqa: F401

playwright_sync = pytest.importorskip("playwright.sync_api")
UFC = "https://w3id.org/corridor/id/organisation/university-of-franche-comte"


@pytest.fixture(scope="module")
def browser() -> object:
    return shared_browser()  # one playwright per process: the UI suites' browser


@pytest.fixture(params=[(1280, 900), (390, 844)], ids=["desktop", "phone"])
def page(request, browser, live_server, app):  # noqa: F811
    brokerage_for(app.extensions["corridor.store"]).current(wait=True)
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    external: list[str] = []

    def guard(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.tag = "phone" if width < 500 else "desktop"
    yield page
    context.close()
    assert external == []


def test_find_partners_from_an_organisation_page(page, live_server, artifacts) -> None:  # noqa: F811
    page.goto(f"{live_server}/resource?iri={quote(UFC)}")
    page.click("a.find-partners")
    page.wait_for_selector("ol.suggestions li.suggestion")
    assert page.locator("li.suggestion").count() == 10
    page.locator("li.suggestion details").first.click()
    assert page.locator("ol.path li").first.is_visible()
    page.screenshot(path=str(artifacts / f"brokerage-find-partners-{page.tag}.png"),
                    full_page=True)


def test_the_corridor_matrix_filtered_by_year(page, live_server, artifacts) -> None:  # noqa: F811
    page.goto(f"{live_server}/corridor")
    assert page.locator("table.corridor-matrix td.pair").count() > 0
    page.screenshot(path=str(artifacts / f"brokerage-corridor-{page.tag}.png"), full_page=True)


def test_a_profile_from_a_suggestion(page, live_server, artifacts) -> None:  # noqa: F811
    page.goto(f"{live_server}/suggest/partners?organisation={quote(UFC)}")
    page.locator("li.suggestion a.profile").first.click()
    page.wait_for_selector("h1")
    assert page.locator("h1").inner_text().startswith("Collaboration profile:")
    page.screenshot(path=str(artifacts / f"brokerage-profile-{page.tag}.png"), full_page=True)
