"""Single-record assignment: persona's distilled assigner against UMAP transform + HDBSCAN.

    python benchmarks/assign.py [--customers 20000] [--calls 2000]

A PersonaModel is fitted once on make_customers(N, random_state=0), saved
(``model.save``) and exported (``model.export_assigner``) under
benchmarks/_data/assign-<N>/. Each measurement is a fresh Python process:

- ``persona, features``: ``assign_persona`` on a record whose features a feature
  store holds (every feature of one customer), with the exported artifact;
- ``persona, raw record``: ``assign_persona`` on 50 touchpoints, a full survey
  and 5 emotion readings;
- ``UMAP + HDBSCAN``: the discovery route on the same model and the same
  features: ``reducer_.transform`` of the customer's (imputed) row, then
  ``hdbscan.approximate_predict``.

Latency is wall time per call (``time.perf_counter``), p50 and p99 over
``--calls`` calls after one warm-up call, one customer at a time; "first call"
is the first call in a fresh process right after loading, and "load" the time
to load what the route needs. Results for the reference machine are committed
in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "_data"


def _prepare(n: int) -> Path:
    folder = DATA / f"assign-{n}"
    if (folder / "records.json").exists():
        return folder
    import pandas as pd

    import persona
    from persona.datasets import make_customers

    folder.mkdir(parents=True, exist_ok=True)
    data = make_customers(n_customers=n, random_state=0)
    model = persona.PersonaModel(instrument=data.instrument, random_state=0).fit(data)
    model.save(folder / "model")
    model.export_assigner(folder / "assigner")
    respondents = set(data.survey["customer_id"]) & set(data.emotions["customer_id"])
    customer = next(c for c in model.labels_.index if c in respondents)
    raw = model.features_.compute(data).loc[customer, model.feature_names_out_]
    features = {k: (None if pd.isna(v) else float(v)) for k, v in raw.items()}
    events = data.events[data.events["customer_id"] == customer].drop(columns="customer_id")
    events = pd.concat([events] * (50 // len(events) + 1)).head(50)  # 50 touchpoints
    events = events.assign(timestamp=events["timestamp"].astype(str))
    emotions = data.emotions[data.emotions["customer_id"] == customer]
    emotions = pd.concat([emotions] * 5).head(5).drop(columns="customer_id")
    emotions = emotions.assign(timestamp=emotions["timestamp"].astype(str))
    survey = data.survey[data.survey["customer_id"] == customer].drop(columns="customer_id")

    def clean(rows):
        return [{k: v for k, v in r.items() if v == v} for r in rows]

    records = {
        "features": {"customer_id": int(customer), "features": features},
        "raw": {
            "customer_id": int(customer),
            "events": clean(events.to_dict("records")),
            "survey": survey.iloc[0].to_dict(),
            "emotions": clean(emotions.to_dict("records")),
            "observation_end": str(data.events["timestamp"].max()),
        },
    }
    (folder / "records.json").write_text(json.dumps(records, default=float))
    return folder


def _percentiles(times: list[float]) -> dict:
    ms = np.array(times) * 1e3
    return {"p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99))}


def run_persona(folder: Path, kind: str, calls: int) -> dict:
    import persona

    record = json.loads((folder / "records.json").read_text())[kind]
    start = time.perf_counter()
    assigner = persona.load_assigner(folder / "assigner")
    loaded = time.perf_counter()
    persona.assign_persona(record, assigner)
    first = time.perf_counter()
    times = []
    for _ in range(calls):
        tick = time.perf_counter()
        persona.assign_persona(record, assigner)
        times.append(time.perf_counter() - tick)
    return {"load_ms": (loaded - start) * 1e3, "first_ms": (first - loaded) * 1e3,
            **_percentiles(times)}  # fmt: skip


def run_umap(folder: Path, kind: str, calls: int) -> dict:
    import hdbscan

    import persona
    from persona.assignment import column_medians

    record = json.loads((folder / "records.json").read_text())["features"]
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = persona.load(folder / "model")
    loaded = time.perf_counter()
    medians = column_medians(model.fitted_.discovery.values)
    names = [str(c) for c in model.feature_names_out_]
    raw = np.array([np.nan if record["features"][n] is None else record["features"][n]
                    for n in names])  # fmt: skip

    def route() -> int:
        row = model.features_.scale_rows(raw)
        row = np.where(np.isnan(row), medians, row)[None]
        embedding = model.reducer_.transform(row)
        labels, _ = hdbscan.approximate_predict(model.clusterer_, embedding)
        return int(labels[0])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        route()
        first = time.perf_counter()
        times = []
        for _ in range(calls):
            tick = time.perf_counter()
            route()
            times.append(time.perf_counter() - tick)
    return {"load_ms": (loaded - start) * 1e3, "first_ms": (first - loaded) * 1e3,
            **_percentiles(times)}  # fmt: skip


ROUTES = {
    "persona, features": (run_persona, "features"),
    "persona, raw record": (run_persona, "raw"),
    "UMAP + HDBSCAN, features": (run_umap, "features"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=2_000)
    parser.add_argument("--run", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        function, kind = ROUTES[args.run[0]]
        calls = args.calls if "UMAP" not in args.run[0] else min(args.calls, 2_000)
        print(json.dumps(function(Path(args.run[1]), kind, calls)))
        return
    folder = _prepare(args.customers)
    sizes = {
        name: sum(f.stat().st_size for f in (folder / name).iterdir()) / 1e6
        for name in ("model", "assigner")
    }
    print(f"{args.customers:,} customers; saved model {sizes['model']:.1f} MB, "
          f"exported assigner {sizes['assigner']:.3f} MB")  # fmt: skip
    print()
    print("| route | load ms | first call ms | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for name in ROUTES:
        command = [sys.executable, __file__, "--run", name, str(folder), "--calls", str(args.calls)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            print(f"| {name} | failed: {done.stderr.strip().splitlines()[-1]} ||||")
            continue
        r = json.loads(done.stdout.splitlines()[-1])
        print(f"| {name} | {r['load_ms']:.1f} | {r['first_ms']:.2f} | {r['p50_ms']:.3f} | "
              f"{r['p99_ms']:.3f} |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
