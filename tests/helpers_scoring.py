"""What the scoring tests (test_scoring_*.py and the scoring fixtures of conftest.py) share:
a slice of the session base, and the scores and manifest a job writes, read back."""

import hashlib
import json

import numpy as np
import pandas as pd

N_SUBSET = 1_200  # customers of the session base scored in most tests


def base_slice(customers, n_customers):
    """The first ``n_customers`` of the session base by id, every table cut to them, and the
    base's window end: (tables, observation end)."""
    ids = np.sort(customers.events["customer_id"].unique())[:n_customers]
    tables = {
        name: table[table["customer_id"].isin(ids)].reset_index(drop=True)
        for name, table in (("events", customers.events), ("survey", customers.survey),
                            ("emotions", customers.emotions))
    }  # fmt: skip
    return tables, customers.events["timestamp"].max()


def scores_in(out):
    """The scores of an output folder, one row per customer in id order."""
    return pd.read_parquet(out).sort_values("customer_id").reset_index(drop=True)


def manifest_in(out):
    return json.loads((out / "_manifest.json").read_text())


def part_hashes(out):
    """The SHA-256 of each finished part of an output folder, by file name."""
    files = sorted(p for p in out.rglob("*.parquet") if "_work" not in p.parts)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
