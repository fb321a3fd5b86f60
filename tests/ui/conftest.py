"""Fixtures of the UI tests: the bundled data in an on-disk store, a Flask client, a live server."""

from __future__ import annotations

import atexit
import json
import socket
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from waitress.server import create_server

from corridor.config import Config
from corridor.derived.figures import stats_for
from corridor.derived.search import index_for
from corridor.web.app import create_app

ARTIFACTS = Path(__file__).resolve().parents[2] / "tests" / "artifacts"
BASE = "https://w3id.org/corridor/"


def get_json(url: str) -> dict:
    """The JSON answer of ``url`` (asked for with ``Accept: application/json``)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, backend, request):
    """The app over a store (each backend in turn) holding the bundled ontology, shapes and
    data."""
    store_dir = tmp_path_factory.mktemp("ui-store") / "store"
    app = create_app(Config(store_dir=store_dir, query_workers=1, **backend.settings(request)))
    # what a started server does in the background, finished before the pages are looked at
    store = app.extensions["corridor.store"]
    stats_for(store, wait=True)
    index_for(store).ensure_current()
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` serving the app with waitress in a background thread."""
    server = create_server(app, host="127.0.0.1", port=_free_port(), threads=4,
                           asyncore_use_poll=True)  # select() fails on descriptors past 1023
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    host, port = server.effective_host, server.effective_port
    yield f"http://{host}:{port}"
    server.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# ------------------------------------------------------------------ headless Chromium
CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/ui18-shots")


_PLAYWRIGHT: dict[str, object] = {}


def shared_browser():
    """The one headless Chromium of the test process (Debian's /usr/bin/chromium): playwright's
    sync API runs once per process, so every suite that drives a browser shares it."""
    if "browser" not in _PLAYWRIGHT:
        sync_api = pytest.importorskip("playwright.sync_api")
        manager = sync_api.sync_playwright()
        playwright = manager.start()
        _PLAYWRIGHT["browser"] = playwright.chromium.launch(executable_path=CHROMIUM,
                                                            headless=True)

        def stop() -> None:
            _PLAYWRIGHT["browser"].close()  # type: ignore[attr-defined]
            manager.__exit__(None, None, None)

        atexit.register(stop)
    return _PLAYWRIGHT["browser"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    return shared_browser()


def _guarded_page(browser, viewport: dict, **options):
    """A page whose requests may only go to 127.0.0.1; returns (context, page, external,
    script errors)."""
    from urllib.parse import urlsplit

    context = browser.new_context(viewport=viewport, **options)
    external: list[str] = []

    def guard(route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            external.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(20_000)
    return context, page, external, errors


@pytest.fixture()
def page(browser, live_server):
    """A desktop-sized page (1366×900) that may not leave the host nor raise script errors."""
    context, page, external, errors = _guarded_page(browser, DESKTOP)
    yield page
    context.close()
    assert external == [], f"requests left 127.0.0.1: {external}"
    assert errors == [], f"script errors: {errors}"


@pytest.fixture()
def phone(browser, live_server):
    """A phone-sized page (390×844, touch) under the same rules."""
    context, page, external, errors = _guarded_page(
        browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield page
    context.close()
    assert external == [], f"requests left 127.0.0.1: {external}"
    assert errors == [], f"script errors: {errors}"


@pytest.fixture(scope="session")
def shots() -> Path:
    """Where screenshots go (looked at by hand; listed in the report)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


def axe_violations(page, impacts=("critical", "serious")) -> list[dict]:
    """axe-core's (from npm) violations of the given impacts on the page as it is now."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']}))")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
