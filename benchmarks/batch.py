"""Nightly scoring, Parquet to scored Parquet: persona against the UMAP + HDBSCAN route and I/O.

    python benchmarks/batch.py [--sizes 250000 1000000] [--umap-sizes 250000 1000000]
                               [--n-jobs 2] [--chunk-customers 125000]
                               [--model-customers 200000]

For each size, make_customers(n, random_state=0) is written once under
benchmarks/_data/batch-<n>/ as three Parquet files (events sorted by time, as
logs arrive); the model is the one ``benchmarks/assign.py --customers N`` fits
on --model-customers (200,000 by default, the base the assignment issue sizes its
saved discovery model at) customers of the same generator: its exported
assigner for persona, the saved model for the UMAP + HDBSCAN route. Every contender is a
fresh Python process; the clock covers the whole job, from the input files to
the output files, and memory is the peak of the sum of the resident memory of
the process and its workers, sampled every 50 ms (each process's own VmHWM is
reported too). Every contender but the UMAP + HDBSCAN route runs --repeat times
(the machine's timings vary by about 10 % from run to run): the median is shown,
with every run.

- ``read (I/O floor)``: read the three files whole into memory once (pyarrow).
- ``persona score_files``: persona.score_files(assigner, ...) with --n-jobs and
  --chunk-customers (125,000 by default, so that both sizes run two chunks at
  a time and their peaks compare): plan, partition, features, assignment,
  reasons, drift counts, scored Parquet and manifest.
- ``UMAP + HDBSCAN``: the same features (FeatureBuilder.transform on the same
  files), then UMAP ``transform`` and HDBSCAN ``approximate_predict`` of the
  saved discovery model, written to Parquet: the route the distilled assigner
  replaces. Run at --umap-sizes only (it runs at a few thousand customers/s).

Results for the reference machine are committed in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
MODEL = DATA / "assign-200000"  # replaced by --model-customers


def _prepare(n: int) -> Path:
    folder = DATA / f"batch-{n}"
    if (folder / "done").exists():
        return folder
    from persona.datasets import make_customers

    folder.mkdir(parents=True, exist_ok=True)
    data = make_customers(n_customers=n, random_state=0)
    data.events.sort_values("timestamp", kind="stable").to_parquet(folder / "events.parquet")
    data.survey.to_parquet(folder / "survey.parquet")
    data.emotions.to_parquet(folder / "emotions.parquet")
    (folder / "done").write_text(json.dumps({"touchpoints": len(data.events)}))
    return folder


def _tables(folder: Path) -> dict:
    return {k: str(folder / f"{k}.parquet") for k in ("events", "survey", "emotions")}


# --------------------------------------------------------------------------- contenders


def run_read(folder: Path, out: Path, n_jobs: int, chunk: int) -> dict:
    import pyarrow.parquet as pq

    rows = sum(pq.read_table(path).num_rows for path in _tables(folder).values())
    return {"rows": rows}


def run_persona(folder: Path, out: Path, n_jobs: int, chunk: int) -> dict:
    import persona

    summary = persona.score_files(MODEL / "assigner", **_tables(folder), out=out,
                                  n_jobs=n_jobs, chunk_customers=chunk,
                                  progress=False)  # fmt: skip
    return {"scored": summary.scored, "rejected": summary.rejected,
            "refit_recommended": summary.drift.refit_recommended}  # fmt: skip


def run_umap(folder: Path, out: Path, n_jobs: int, chunk: int) -> dict:
    import warnings

    import hdbscan
    import numpy as np
    import pandas as pd

    import persona
    from persona.assignment import column_medians

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = persona.load(MODEL / "model")
        frame = model.features_.transform(**_tables(folder))[list(model.feature_names_out_)]
        values = frame.to_numpy(dtype=np.float64)
        values = np.where(np.isnan(values), column_medians(model.fitted_.discovery.values), values)
        embedding = model.reducer_.transform(values)
        labels, strength = hdbscan.approximate_predict(model.clusterer_, embedding)
    out.mkdir(parents=True, exist_ok=True)
    scores = pd.DataFrame({"label": labels, "strength": strength}, index=frame.index)
    scores.to_parquet(out / "part-00000.parquet")
    return {"scored": len(scores)}


CONTENDERS = {
    "read (I/O floor)": run_read,
    "persona score_files": run_persona,
    "UMAP + HDBSCAN": run_umap,
}


# --------------------------------------------------------------------------- measuring


def _tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/statm") as statm:
                rss[int(entry)] = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def _measure(name: str, folder: Path, n_jobs: int, chunk: int) -> dict:
    out = DATA / f"batch-out-{os.getpid()}"
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, __file__, "--run", name, str(folder), str(out), str(n_jobs),
               str(chunk), str(MODEL)]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(process.pid))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    shutil.rmtree(out, ignore_errors=True)
    if process.returncode != 0:
        raise RuntimeError(f"{name} failed with exit code {process.returncode}")
    result = json.loads(stdout.strip().splitlines()[-1])
    return result | {"wall_s": seconds, "peak_tree_gb": peak / 1e9}


def _child(name: str, folder: str, out: str, n_jobs: str, chunk: str, model: str) -> None:
    global MODEL
    MODEL = Path(model)
    started = time.perf_counter()
    result = CONTENDERS[name](Path(folder), Path(out), int(n_jobs), int(chunk))
    seconds = time.perf_counter() - started
    with open("/proc/self/status") as status:
        hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    print(json.dumps(result | {"inner_s": seconds, "own_peak_gb": hwm * 1024 / 1e9}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250_000, 1_000_000])
    parser.add_argument("--umap-sizes", type=int, nargs="*", default=[250_000, 1_000_000])
    parser.add_argument("--model-customers", type=int, default=200_000)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--chunk-customers", type=int, default=125_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each contender but UMAP + HDBSCAN (median wall time)",
    )
    parser.add_argument("--run", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        _child(*args.run)
        return
    global MODEL
    MODEL = DATA / f"assign-{args.model_customers}"
    if not (MODEL / "assigner").exists():
        raise SystemExit(
            f"Run benchmarks/assign.py --customers {args.model_customers} first: it fits the model."
        )
    print(f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
          f"{os.cpu_count()} cores, n_jobs={args.n_jobs}, "
          f"chunk_customers={args.chunk_customers:,}, "
          f"model fitted on {args.model_customers:,} customers\n")  # fmt: skip
    print("| customers | touchpoints | contender | wall s (median) | runs s | customers/s | "
          "peak GB (tree, max) |")  # fmt: skip
    print("|---:|---:|---|---:|---|---:|---:|")
    rates = {}
    for n in args.sizes:
        folder = _prepare(n)
        touchpoints = json.loads((folder / "done").read_text())["touchpoints"]
        names = [c for c in CONTENDERS if c != "UMAP + HDBSCAN" or n in args.umap_sizes]
        for name in names:
            runs = 1 if name == "UMAP + HDBSCAN" else args.repeat
            results = [_measure(name, folder, args.n_jobs, args.chunk_customers)
                       for _ in range(runs)]  # fmt: skip
            walls = sorted(r["wall_s"] for r in results)
            wall = walls[len(walls) // 2]
            rate = n / wall
            rates[(n, name)] = rate
            peak = max(r["peak_tree_gb"] for r in results)
            print(f"| {n:,} | {touchpoints:,} | {name} | {wall:.1f} | "
                  f"{' / '.join(f'{w:.1f}' for w in walls)} | {rate:,.0f} | {peak:.2f} |",
                  flush=True)  # fmt: skip
    for n in args.sizes:
        if (n, "UMAP + HDBSCAN") in rates:
            ratio = rates[(n, "persona score_files")] / rates[(n, "UMAP + HDBSCAN")]
            print(f"\npersona is {ratio:.1f}x the UMAP + HDBSCAN route's rate at {n:,} customers")


if __name__ == "__main__":
    main()
