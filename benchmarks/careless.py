"""Do careless respondents stay out of the personas, and are they caught?

    python benchmarks/careless.py [--customers 6000] [--seeds 0 1 2 3 4] [--share 0.1]
                                  [--out benchmarks/careless-results.csv]
    python benchmarks/careless.py --tables benchmarks/careless-results.csv
    python benchmarks/careless.py --zoo --seeds 0 1 [--out benchmarks/careless-zoo.csv]

For each seed, a make_customers base is drawn, and 10 % of its respondents
are made careless with persona.datasets.plant_careless (60 % random
clickers, 20 % long-string, 20 % patterns down the page). PersonaModel is
fitted, as the README shows, on:

- ``clean``: the base as drawn;
- ``planted``: the base with the careless respondents, and the default
  CarelessRules (long-string, Mahalanobis, even-odd, within-dimension
  scatter);
- ``straight-lining only``: the same base, flagging only answers that are all
  one value (what persona did before), as the peer;
- ``no rules``: the same base, with every sign switched off.

Discovery ARI is read on the careful respondents (those not planted),
against the true personas; the flagged shares of planted and careful
respondents come from the fitted model's flags. Results go to the CSV and,
as a table, to stdout; benchmarks/careless-results.md keeps the committed
run.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from persona import PersonaModel
from persona.datasets import make_customers, plant_careless
from persona.features.careless import CarelessRules, careless_respondents

RULES = {
    "planted": CarelessRules(),
    "straight-lining only": CarelessRules(
        max_longstring=1.0, mahalanobis_p=None, min_even_odd=None, max_scatter=None
    ),
    "no rules": CarelessRules(
        max_longstring=None, mahalanobis_p=None, min_even_odd=None, max_scatter=None
    ),
}


def run(customers: int, seed: int, share: float) -> list[dict]:
    data = make_customers(n_customers=customers, random_state=seed)
    planted_data, habits = plant_careless(data, share=share, random_state=seed)
    planted = habits.index
    respondents = pd.Index(data.survey["customer_id"])
    careful = respondents.difference(planted)
    truth = data.truth
    rows = []
    cases = [("clean", data, CarelessRules())] + [
        (name, planted_data, rules) for name, rules in RULES.items()
    ]
    for name, base, rules in cases:
        start = time.perf_counter()
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.simplefilter("ignore")
            model = PersonaModel(instrument=base.instrument, careless=rules, random_state=seed)
            model.fit(base)
        seconds = time.perf_counter() - start
        labels = model.labels_
        signs = careless_respondents(base.survey, base.instrument, rules)
        flags = signs["careless"]
        rows.append({
            "seed": seed,
            "customers": customers,
            "case": name,
            "personas": model.n_personas_,
            "ari_careful": adjusted_rand_score(truth[careful], labels[careful]),
            "ari_all": adjusted_rand_score(truth, labels),
            "planted_flagged": float(flags.reindex(planted).mean()) if name != "clean" else np.nan,
            "careful_flagged": float(flags.reindex(careful).mean()),
            "fit_seconds": seconds,
        })  # fmt: skip
        if name == "planted":  # which sign catches which habit
            caught = signs.filter(like="by_").reindex(planted).groupby(habits.to_numpy()).mean()
            caught["any"] = flags.reindex(planted).groupby(habits.to_numpy()).mean()
            for habit, row in caught.iterrows():
                rows[-1] |= {f"{habit} {sign.removeprefix('by_')}": v for sign, v in row.items()}
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def zoo(seeds: list[int]) -> pd.DataFrame:
    """The share of each world's respondents the default rules flag, by sign."""
    from persona.datasets import make_world, world_zoo
    from persona.features.careless import careless_counts

    rows = []
    for spec in world_zoo():
        for seed in seeds:
            world = make_world(spec, random_state=seed)
            if world.survey is None:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                counts = careless_counts(careless_respondents(world.survey, world.instrument))
            shares = counts.drop("respondents") / counts["respondents"]
            rows.append({"world": spec.name, "seed": seed,
                         "respondents": counts["respondents"], **shares})  # fmt: skip
            print(rows[-1], file=sys.stderr, flush=True)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=6000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--share", type=float, default=0.1)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/careless-results.csv"))
    parser.add_argument("--tables", type=Path, help="print the tables of a CSV written before")
    parser.add_argument("--zoo", action="store_true", help="flagged shares on the world zoo")
    args = parser.parse_args()
    if args.zoo:
        table = zoo(args.seeds)
        out = (
            args.out
            if args.out.name != "careless-results.csv"
            else args.out.with_name("careless-zoo.csv")
        )
        table.to_csv(out, index=False)
        by_world = table.groupby("world", sort=False).mean(numeric_only=True).drop(columns="seed")
        print(f"# Careless flags on the world zoo (nobody planted), seeds {args.seeds}; "
              f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}\n")  # fmt: skip
        print(by_world.round(3).to_markdown())
        structured = by_world[~by_world.index.str.startswith("n")]["careless"]
        print(
            f"\nStructured worlds: median {structured.median():.3f}, "
            f"max {structured.max():.3f} ({structured.idxmax()})."
        )
        return
    if args.tables is not None:
        table = pd.read_csv(args.tables)
    else:
        rows = [row for seed in args.seeds for row in run(args.customers, seed, args.share)]
        table = pd.DataFrame(rows)
        table.to_csv(args.out, index=False)
    clean = table[table["case"] == "clean"].set_index("seed")["ari_careful"]
    table["ari_vs_clean"] = table["ari_careful"] - table["seed"].map(clean)
    measures = ["personas", "ari_careful", "ari_vs_clean", "planted_flagged", "careful_flagged"]
    summary = table.groupby("case", sort=False)[measures].agg(["mean", "min", "max"])
    summary.columns = [f"{measure} {stat}" for measure, stat in summary.columns]
    customers = int(table["customers"].iloc[0]) if "customers" in table else args.customers
    print(f"# Careless respondents: {customers:,} customers a base, seeds "
          f"{sorted(table['seed'].unique().tolist())}, share {args.share}; "
          f"{datetime.now(UTC):%Y-%m-%d}, {platform.machine()}\n")  # fmt: skip
    print(summary.round(4).to_markdown())
    print()
    habits = [c for c in table.columns if c.split(" ")[0] in ("random", "longstring", "pattern")]
    if habits:
        by_sign = table.loc[table["case"] == "planted", habits].mean()
        by_sign.index = pd.MultiIndex.from_tuples([tuple(c.split(" ")) for c in by_sign.index])
        print("Planted respondents caught, by habit (rows) and sign (columns), default rules:\n")
        print(by_sign.unstack().round(3).to_markdown())
        print()
    print(table.drop(columns=habits).round(4).to_markdown(index=False))


if __name__ == "__main__":
    main()
