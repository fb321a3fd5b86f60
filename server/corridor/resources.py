"""Where the bundled ontology, shapes, curated data, example queries and front-end libraries are.

A built package (wheel) ships them as the resource package ``corridor.bundle`` (the repository
root mapped by ``pyproject.toml``), so an installed Corridor needs no checkout. An editable
install has no copy: its distribution metadata (``direct_url.json``, PEP 610) names the source
tree, which is read directly.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import metadata, util
from pathlib import Path
from urllib.parse import unquote, urlparse


@cache
def _bundle_root() -> Path:
    try:  # a namespace package (no __init__): its one folder, not a MultiplexedPath
        spec = util.find_spec("corridor.bundle")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    try:
        text = metadata.distribution("corridor").read_text("direct_url.json") or "{}"
    except metadata.PackageNotFoundError:
        text = "{}"
    origin = json.loads(text)
    if origin.get("dir_info", {}).get("editable") and origin.get("url", "").startswith("file:"):
        return Path(unquote(urlparse(origin["url"]).path))
    raise RuntimeError(
        "the bundled ontology, shapes and data are not installed: install Corridor with pip "
        "(scripts/setup.sh) or set the folders explicitly (Config.ontology_dir, shapes_dir, ...)"
    )


def bundled(name: str) -> Path:
    """Path of a bundled folder or file, e.g. ``bundled("shapes")``."""
    return _bundle_root() / name


def vendor_file(relative: str) -> Path:
    """A front-end library file installed by npm, e.g. ``cytoscape/dist/cytoscape.min.js``."""
    return bundled("node_modules") / relative
