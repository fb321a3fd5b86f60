"""Learn the weights of the suggestion score on an inner temporal split of the training part.

    python bench/brokerage_fit.py [--queries 800] [--rounds 2]

**Inner split (training part only).** The held-out measurement (``bench/brokerage.py``) trains on
projects starting before 2018-01-01 and hides the pairs first seen in the four years from 2018
on. Here nothing from 2018 on is read: two inner splits are pooled — projects starting before
each inner cutoff (default 2016-01-01 and 2017-01-01) build a network, and the pairs that first
co-participate in a project starting from that cutoff to before 2018-01-01 are its labels.
Either split alone gave weights that transferred worse than the inner figures promised (see
bench/RESULTS.md: a one-year window 1.011×, a two-year one 1.026× held-out); pooled, weights
must hold for a network of two and of three years at once, and they were checked on each split
separately (printed). The network is built from the CSV rows into the server's
``Network`` structure (bench-only, no store: the fit runs in minutes) and every candidate's
named parts come from the server's own ``corridor.derived.brokerage.suggest.score_candidates``.

**Fitting.** For a fixed-seed sample of query organisations, the parts of every candidate are
kept (per query the union of the 120 best candidates by each part, the ones that can reach a
top 10). Coordinate ascent on the pooled inner hits@10 (ties: MRR) over the parts divided by
their standard deviation, starting from the best single part, each weight tried on a fixed
non-negative grid (a part can only add to a score: it is a reason, explained by its paths).
The result is printed as ``WEIGHTS`` for ``suggest.py`` and kept in
``bench/out/brokerage-weights.json``. The held-out split is evaluated once, afterwards, with
those weights fixed.
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import pickle
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.brokerage import hidden_pairs, read_rows, split  # noqa: E402
from bench.brokerage_tune import network_from_rows  # noqa: E402
from bench.common import OUT  # noqa: E402

# non-negative only: every part that raises a score is a reason shown with its paths; a part
# that lowered it could not be explained as one
GRID = (0.0, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
KEEP = 120


def inner_split(rows: list[dict[str, str]], parts: dict[str, list[str]], cutoff: str,
                queries: int, names: list[str]) -> list[tuple[list[tuple[int, list[float]]],
                                                              set[int]]]:
    """The kept candidates' parts and the true new partners of ``queries`` organisations of the
    inner split at ``cutoff`` (cached in bench/out by cutoff, size and part names)."""
    from corridor.derived.brokerage import suggest as s

    cache = OUT / f"brokerage-fit-parts-{cutoff}-{queries}.pickle"
    if cache.exists():
        kept_names, data = pickle.loads(cache.read_bytes())
        if kept_names == names:
            return data
    t = time.perf_counter()
    train, later = split(rows, cutoff, "2018-01-01")
    hidden = hidden_pairs(train, later)
    net = network_from_rows(train, parts)
    pool = sorted(a for a, bs in hidden.items() if bs and a in net.org_index)
    random.Random(16).shuffle(pool)
    data = []
    for a in pool[:queries]:
        i = net.org_index[a]
        truth = {net.org_index[b] for b in hidden[a] if b in net.org_index}
        scored = s.score_candidates(net, i, every_part=True)
        cands = [(c, [p[n] for n in names]) for c, p in scored.items()]
        keep: set[int] = set()
        for k in range(len(names)):
            keep.update(c for c, _ in heapq.nlargest(KEEP, cands, key=lambda cf: cf[1][k]))
        data.append(([cf for cf in cands if cf[0] in keep], truth))
    print(f"{cutoff}: {len(data)} queries, parts in {time.perf_counter() - t:.0f}s", flush=True)
    cache.write_bytes(pickle.dumps((names, data)))
    return data


def main() -> None:
    from corridor.derived.brokerage import suggest as s

    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cutoff", nargs="+", default=["2016-01-01", "2017-01-01"],
                        help="inner cutoffs, pooled: pairs first seen from each to 2018-01-01 "
                             "are its labels")
    args = parser.parse_args()
    rows, parts = read_rows()
    names = list(s.WEIGHTS)
    OUT.mkdir(parents=True, exist_ok=True)
    splits = {cutoff: inner_split(rows, parts, cutoff, args.queries, names)
              for cutoff in args.cutoff}
    data = [query for found in splits.values() for query in found]
    m = len(names)
    values = [f for cands, _ in data for _, f in cands]
    sd = []
    for k in range(m):
        mean = sum(f[k] for f in values) / len(values)
        sd.append(math.sqrt(sum((f[k] - mean) ** 2 for f in values) / len(values)) or 1.0)

    def evaluate(w: list[float], queries: list | None = None) -> tuple[float, float]:
        w = [w[k] / sd[k] for k in range(m)]
        hits = rr = 0.0
        queries = data if queries is None else queries
        for cands, truth in queries:
            top = heapq.nlargest(100, cands,
                                 key=lambda cf: (sum(a * b for a, b in zip(w, cf[1], strict=True)),
                                                 -cf[0]))
            for rank, (c, _f) in enumerate(top):
                if c in truth:
                    rr += 1 / (rank + 1)
                    hits += rank < 10
                    break
        return round(hits / len(queries), 4), round(rr / len(queries), 4)

    single = {n: evaluate([1.0 if j == k else 0.0 for j in range(m)]) for k, n in enumerate(names)}
    print("single parts (hits@10, MRR):", single, flush=True)
    start = max(range(m), key=lambda k: single[names[k]])
    best = [1.0 if j == start else 0.0 for j in range(m)]
    best_v = single[names[start]]
    for rnd in range(args.rounds):
        for k in range(m):
            if k == start:
                continue
            for value in GRID:
                if value == best[k]:
                    continue
                trial = list(best)
                trial[k] = value
                v = evaluate(trial)
                if v > best_v:
                    best, best_v = trial, v
                    print(f"  {names[k]} = {value}: {v}", flush=True)
        print(f"round {rnd}: hits@10, MRR {best_v}", flush=True)
    weights = {n: round(best[k] / sd[k], 4) for k, n in enumerate(names)}
    print("WEIGHTS =", weights)
    each = {cutoff: evaluate(best, found) for cutoff, found in splits.items()}
    print("each inner split (hits@10, MRR):", each)
    (OUT / "brokerage-weights.json").write_text(json.dumps(
        {"weights": weights, "inner hits@10, MRR": best_v, "each split": each,
         "single parts": single,
         "queries": len(data),
         "split": f"pooled: train < each of {args.cutoff}, labels: pairs first seen from "
                  "the cutoff to before 2018-01-01"},
        indent=1))


if __name__ == "__main__":
    main()
