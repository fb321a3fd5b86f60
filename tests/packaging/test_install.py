"""An installed Corridor needs no checkout: ``pip install .`` into a fresh virtual environment,
then ``corridor serve`` from another directory serves the bundled data."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROJECTS = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/corridor/ontology#Project> }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (no site packages) with Corridor installed from the checkout as a wheel."""
    home = tmp_path_factory.mktemp("installed")
    subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
    python = home / "venv" / "bin" / "python"
    build = tmp_path_factory.mktemp("wheel")
    subprocess.run([str(python), "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(build),
                    str(REPO)], check=True, cwd=build)
    wheel = next(build.glob("corridor-*.whl"))
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True,
                   cwd=home)
    return home / "venv"


def test_the_installed_package_runs_from_the_venv_not_the_checkout(venv, tmp_path):
    probe = ("import json, corridor, corridor.resources as r; print(json.dumps("
             "[corridor.__file__, str(r.bundled('shapes')), str(r.vendor_file('cytoscape'))]))")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", probe], check=True, cwd=tmp_path,
                         capture_output=True, text=True, env={"PATH": os.environ["PATH"]})
    for location in json.loads(out.stdout):
        assert Path(location).resolve().is_relative_to(venv.resolve())
        assert not Path(location).resolve().is_relative_to(REPO)


def test_corridor_serve_from_elsewhere_serves_the_bundled_data(venv, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    server = subprocess.Popen(
        [str(venv / "bin" / "corridor"), "serve", "--store", str(tmp_path / "new-store"),
         "--port", str(port)],
        cwd=elsewhere, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "corridor serve did not answer in time"
                time.sleep(0.5)
        query = urllib.parse.urlencode({"query": PROJECTS})
        request = urllib.request.Request(f"{url}/sparql?{query}",
                                         headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            count = int(json.load(response)["results"]["bindings"][0]["n"]["value"])
        assert count >= 3  # BOOST, GoSmart & Excel BSR, S3-4AlpClusters at least
        with urllib.request.urlopen(url + "/vendor/cytoscape.min.js", timeout=30) as response:
            assert response.status == 200  # the npm-installed front-end libraries ship too
    finally:
        server.terminate()
        server.wait(30)
