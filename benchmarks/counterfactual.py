"""How many features a counterfactual changes, and how often it still moves the customer.

    python benchmarks/counterfactual.py [--n-customers 2000] [--customers 25]

Fits a PersonaModel on ``make_customers(n, random_state=0)``, then asks, for
respondents and for customers without a survey, the counterfactual to every
other persona with ``max_changes`` of None (any number), 5 (the default) and 3.
Reports, per setting, the share of requests with a change found, the share
whose changed row the model really assigns to the target, the median and
largest number of changed features and the median seconds per request.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import persona
from persona.datasets import make_customers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-customers", type=int, default=2_000)
    parser.add_argument("--customers", type=int, default=25)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    data = make_customers(args.n_customers, random_state=0)
    model = persona.PersonaModel(data.instrument, random_state=0).fit(data)
    half = args.customers // 2
    everyone = data.events["customer_id"].drop_duplicates()
    silent = everyone[~everyone.isin(data.survey["customer_id"])]
    customers = [*data.survey["customer_id"].iloc[: args.customers - half], *silent.iloc[:half]]
    rows = []
    for customer in customers:
        current = model.labels_[customer]
        for target in (p for p in model.persona_ids_ if p != current):
            for k in (None, 5, 3):
                started = time.perf_counter()
                found = model.counterfactual(customer, to=target, max_changes=k)
                moves = found.found and model.predict(found.features).iloc[0] == target
                rows.append(("any" if k is None else k, found.found, moves, len(found.changes),
                             time.perf_counter() - started))  # fmt: skip
    frame = pd.DataFrame(rows, columns=["max_changes", "found", "moves", "changes", "seconds"])
    table = frame.groupby("max_changes", sort=False).agg(
        requests=("found", "size"), found=("found", "mean"), moves=("moves", "mean"),
        median_changes=("changes", lambda c: np.median(c[c > 0]) if (c > 0).any() else 0),
        max_changes_seen=("changes", "max"), median_seconds=("seconds", "median"),
    )  # fmt: skip
    print(table.to_markdown(floatfmt=".3f"))


if __name__ == "__main__":
    main()
