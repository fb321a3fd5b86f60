"""Stores with the bundled ontology, shapes and data (as `corridor serve` starts), shared per
module because loading the bundled data is the slow part; and the real CORDIS samples."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest

from corridor.config import Config
from corridor.ingest.loader import load_bundled
from corridor.store import OxigraphStore, open_store

REALDATA = Path("/work/shared/realdata")
HE = REALDATA / "cordis-horizon-europe"
NETWORK = REALDATA / "cordis-h2020-network"
HE_SAMPLES = [HE / f"{t}_sample100.csv"
              for t in ("organization", "project", "topics", "legalBasis", "euroSciVoc")]

if not HE.is_dir():
    pytest.skip("the real CORDIS data (/work/shared/realdata) is not here",
                allow_module_level=True)


def bundled_store(root: Path) -> OxigraphStore:
    store = open_store(Config(store_dir=root / "store", query_workers=1))
    load_bundled(store)
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    """A store holding the bundled data only."""
    return bundled_store(tmp_path_factory.mktemp("import"))


def network_rows(n: int, pics: set[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """The header and the first ``n`` rows of the H2020 network (optionally for some PICs)."""
    with gzip.open(NETWORK / "h2020_participations.csv.gz", "rt", encoding="utf-8",
                   newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = []
        for row in reader:
            if pics is None or row[2] in pics:
                rows.append(row)
                if len(rows) >= n:
                    break
    return header, rows


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",",
              bom: bool = False) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(("\ufeff" if bom else "") + out.getvalue(), encoding="utf-8")
    return path


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]
