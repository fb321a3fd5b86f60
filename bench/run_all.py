"""Regenerate bench/RESULTS.md: every table at 1M and 5M triples, in one command.

    python bench/run_all.py [--scales 1M 5M] [--skip load queries ...]

Runs bench/peers.py (the headline: Corridor beside Oxigraph server and Virtuoso at 100k and
every scale), load.py (table 1), queries.py (2), concurrency.py (3), pages.py (4) and
validation.py (5) as subprocesses, each printing its own
table (machine, versions, command); the tables are collected from bench/out/*.md and written,
with bench/targets.md (the verdicts, written by hand from the figures), to bench/RESULTS.md.
A script that fails is reported as "not measured" with its error, never left out silently.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

BENCH = common.REPO / "bench"
# scripts that only print their table: run_all wraps their output into a section
PRINTED = {
    "load": "Table 1 — load throughput",
    "http_select": "Table 3b — small SELECT, Corridor vs the minimal app on in-memory data "
                   "(20k triples)",
}


def steps(scales: list[str]) -> list[tuple[str, str, list[str]]]:
    """(step name, section file stem, argv)."""
    py = sys.executable
    out: list[tuple[str, str, list[str]]] = [
        ("peers", "peers", [py, str(BENCH / "peers.py"), "--triples",
                            *dict.fromkeys(["100k", *scales])]),
    ]
    for s in scales:
        out.append(("load", f"load-{s.lower()}",
                    [py, str(BENCH / "load.py"), "--triples", str(common_count(s))]))
    for s in scales:
        out.append(("queries", f"queries-{s.lower()}",
                    [py, str(BENCH / "queries.py"), "--triples", s]))
    for s in scales:
        out.append(("concurrency", f"concurrency-{s.lower()}",
                    [py, str(BENCH / "concurrency.py"), "--triples", s]))
    out.append(("http_select", "http-select",
                 [py, str(BENCH / "http_select.py"), "--seconds", "3"]))
    for s in scales:
        out.append(("pages", f"pages-{s.lower()}", [py, str(BENCH / "pages.py"), "--triples", s]))
    for s in scales:
        out.append(("validation", f"validation-{s.lower()}",
                    [py, str(BENCH / "validation.py"), "--triples", s, "--cli"]))
    return out


def common_count(scale: str) -> int:
    from generate import parse_count

    return parse_count(scale)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["1M", "5M"])
    parser.add_argument("--skip", nargs="*", default=[], help="step names to reuse from bench/out")
    args = parser.parse_args(argv)
    sections: list[str] = []
    for name, stem, cmd in steps(args.scales):
        section = common.OUT / f"{stem}.md"
        if name not in args.skip:
            print(f"== {name}: {' '.join(cmd[1:])}", flush=True)
            run = subprocess.run(cmd, cwd=common.REPO, capture_output=True, text=True)
            if name in PRINTED and run.returncode == 0:
                title = PRINTED[name]
                if name == "load":  # one table per scale
                    title += f" ({stem.rsplit('-', 1)[1].upper()} triples)"
                common.write_section(
                    stem, f"### {title}\n\n```\n" + run.stdout.strip() + "\n```\n"
                )
            elif run.returncode != 0:
                tail = (run.stderr or run.stdout).strip().splitlines()[-3:]
                common.write_section(
                    stem,
                    f"### {name}\n\nnot measured: `{' '.join(cmd[1:])}` "
                    f"failed: {' / '.join(tail)}\n",
                )
        sections.append(
            section.read_text()
            if section.exists()
            else f"### {name}\n\nnot measured: no output in {section}\n"
        )
    verdicts = BENCH / "targets.md"
    body = "# Corridor benchmark results\n\n"
    body += "Regenerate with `python bench/run_all.py` (data: `bench/generate.py`, seed 42).\n\n"
    if verdicts.exists():
        body += verdicts.read_text() + "\n"
    body += "\n".join(sections)
    (BENCH / "RESULTS.md").write_text(body)
    print(f"wrote {BENCH / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
