"""(Superseded by bench/brokerage_fit.py, which learns every weight.) Weights of the suggestion
score chosen on a validation split inside the training part only
(projects before 2017 train, pairs first seen in 2017 hidden; nothing from 2018 on is read),
with the network built directly from the CSV rows in the same structure the server reads
(bench-only: no store, so a grid of weights runs in minutes). ``--heldout W_REACH W_THEMES
W_SAME`` then scores the held-out split (cutoff 2018) once with the chosen weights.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.brokerage import BASE, ROLES, evaluate, hidden_pairs, read_rows, split  # noqa: E402


def network_from_rows(rows, parts):
    from corridor.derived.brokerage.network import Network

    net = Network(version=0)
    for r in rows:
        proj = f"{BASE}id/project/rcn/{r['rcn']}"
        org = f"{BASE}id/organisation/pic/{r['pic']}"
        net.add_participation(f"{proj}/participation/{r['pic']}", org, proj,
                              f"{BASE}id/concept/participation-role/{ROLES.get(r['role'], 'x')}")
        j, i = net.project_index[proj], net.org_index[org]
        if r["start_date"][:4].isdigit():
            net.project_year[j] = int(r["start_date"][:4])
        if j not in net.project_themes:
            net.project_themes[j] = [("topic", f"part/{p}") for p in parts.get(r["rcn"], ())]
        net.org_country.setdefault(i, r["country"])
    return net


def main() -> None:
    from corridor.derived.brokerage import suggest as s

    rows, parts = read_rows()
    heldout = sys.argv[1:2] == ["--heldout"]
    cutoff, end = ("2018-01-01", None) if heldout else ("2017-01-01", "2018-01-01")
    train, later = split(rows, cutoff, end)
    hidden = hidden_pairs(train, later)
    net = network_from_rows(train, parts)
    grid = [tuple(float(x) for x in sys.argv[2:5])] if heldout else [
        (0.15, 0.05, 0.1), (0.5, 0.05, 0.1), (0.15, 0.3, 0.1), (0.15, 0.05, 0.5), (0.5, 0.3, 0.5)]
    for w_reach, w_themes, w_same in grid:
        s.WEIGHTS.update({"reach": w_reach, "themes": w_themes, "same country": w_same})
        print("weights", w_reach, w_themes, w_same, flush=True)
        evaluate(net, hidden, 1000 if heldout else 300)


if __name__ == "__main__":
    main()
