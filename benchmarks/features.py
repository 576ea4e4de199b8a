"""Touchpoint features at scale: persona against the same core in pandas, polars and DuckDB.

    python benchmarks/features.py [--customers 500000] [--repeat 3] [--only NAME]

The events of make_customers(n_customers, random_state=0), about 20 per
customer, are written once to Parquet under benchmarks/_data/ and reused.
Every run is a fresh Python process that reads that file and computes its
result, so reading counts for everyone and peak memory (the process's maximum
resident set) belongs to that run alone.

persona computes all behaviour features; pandas, polars and DuckDB compute a
core written plainly in each tool: touchpoints, channel shares, distinct
devices, RFM (lifetimes semantics, daily periods) and sessions cut on 30-minute
gaps with the share of micro-moments. Every contender reads the same columns,
all but session_id, so persona cuts sessions on gaps as the peers do. Before
timing, each one runs on a small base and its core columns must agree with
everyone else's to 1e-9.

"read+compute" is the whole run from the file; "compute" starts once the
events are in memory. polars (scan_parquet) and DuckDB (SQL over the file)
read while they compute, so their compute alone is timed in a separate process
that loads the events first. The table prints medians over the repeats and the
largest peak of the read+compute runs; the result for the reference machine is
committed in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

# Engines are imported inside the functions that use them, so each run's
# process loads only its own engine and its peak memory carries no other. The
# run imports them before its clock starts (Contender.imports): import time is
# not what the issue asks about.

DATA = Path(__file__).parent / "_data"
COLUMNS = ["customer_id", "timestamp", "channel", "device", "event_type", "value"]
SESSION_GAP_MINUTES = 30
MICRO_MOMENT_SECONDS = 120
CHECK_CUSTOMERS = 2_000
TOLERANCE = 1e-9
PERSONA_CORE = [  # persona's columns that the core reproduces, channel shares aside
    "touchpoints",
    "purchases",
    "total_spend",
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "sessions",
    "micro_moment_share",
]


# --------------------------------------------------------------------------- pandas and persona


def _pandas_open(path: str, in_memory: bool):
    """pandas always reads the whole file into memory first, whatever ``in_memory`` says."""
    import pandas as pd

    return pd.read_parquet(path, columns=COLUMNS)


def _pandas_size(events) -> int:
    return int(events.memory_usage(deep=True).sum())


def _persona_open(path: str, in_memory: bool):
    """persona reads a path itself (what a batch job hands it): only the columns it uses,
    and Arrow's copy is released as pandas takes the data over."""
    from persona.contract._schema import read_table

    return read_table(path, "events", columns=COLUMNS)


def _persona_open_with_session_id(path: str, in_memory: bool):
    from persona.contract._schema import read_table

    return read_table(path, "events", columns=[*COLUMNS, "session_id"])


def _persona_compute(events):
    from persona.features.touchpoints import behaviour_features

    return behaviour_features(events)


def _pandas_compute(events):
    """The core as a data scientist would write it in pandas: groupby, sort, groupby again."""
    by_customer = events.groupby("customer_id")
    core = (
        by_customer["channel"]
        .value_counts(normalize=True)
        .unstack(fill_value=0.0)
        .add_prefix("share_channel_")
    )
    core.columns = core.columns.astype(str)  # a categorical column index does not round-trip
    core.insert(0, "touchpoints", by_customer.size())
    core["devices"] = by_customer["device"].nunique()
    core = core.join(_pandas_sessions(events)).join(_pandas_rfm(events))
    return core.fillna({"purchases": 0, "total_spend": 0})


def _pandas_sessions(events):
    import pandas as pd

    ordered = events[["customer_id", "timestamp"]].sort_values(["customer_id", "timestamp"])
    gap = ordered.groupby("customer_id")["timestamp"].diff()
    session = (gap.isna() | (gap > pd.Timedelta(minutes=SESSION_GAP_MINUTES))).cumsum()
    bounds = ordered.groupby(session).agg(
        customer_id=("customer_id", "first"),
        start=("timestamp", "min"),
        end=("timestamp", "max"),
    )
    micro = (bounds["end"] - bounds["start"]) <= pd.Timedelta(seconds=MICRO_MOMENT_SECONDS)
    return micro.groupby(bounds["customer_id"]).agg(sessions="size", micro_moment_share="mean")


def _pandas_rfm(events):
    import pandas as pd

    purchases = events.loc[events["event_type"] == "purchase"]
    day = purchases["timestamp"].dt.floor("D").rename("day")
    daily = (
        purchases.groupby(["customer_id", day])["value"]
        .agg(purchases="size", spend="sum")
        .reset_index()
    )
    first_day = daily.groupby("customer_id")["day"].transform("min")
    by_customer = daily.groupby("customer_id")
    end_day = events["timestamp"].max().floor("D")
    return pd.DataFrame(
        {
            "purchases": by_customer["purchases"].sum(),
            "total_spend": by_customer["spend"].sum(),
            "frequency": by_customer.size() - 1,
            "recency": (by_customer["day"].max() - by_customer["day"].min()).dt.days,
            "T": (end_day - by_customer["day"].min()).dt.days,
            "monetary_value": daily[daily["day"] > first_day]
            .groupby("customer_id")["spend"]
            .mean(),
        }
    ).fillna({"monetary_value": 0.0})


# --------------------------------------------------------------------------- polars


def _polars_open(path: str, in_memory: bool):
    import polars as pl

    if in_memory:
        return pl.read_parquet(path, columns=COLUMNS)
    return pl.scan_parquet(path)


def _polars_size(events) -> int:
    return int(events.estimated_size())


def _polars_compute(events):
    """The core as one lazy polars query; the scan is shared by its three branches."""
    import polars as pl

    events = events.lazy()
    channels = events.select(pl.col("channel").unique()).collect().to_series().cast(pl.String)
    end_day = events.select(pl.col("timestamp").max().dt.date()).collect().item()
    mix = events.group_by("customer_id").agg(
        pl.len().alias("touchpoints"),
        pl.col("device").n_unique().alias("devices"),
        *[(pl.col("channel") == c).mean().alias(f"share_channel_{c}") for c in channels],
    )
    return (
        mix.join(_polars_sessions(events), on="customer_id")
        .join(_polars_rfm(events, end_day), on="customer_id", how="left")
        .with_columns(pl.col("purchases", "total_spend").fill_null(0))
        .collect()
    )


def _polars_sessions(events):
    import polars as pl

    gap = pl.col("timestamp").diff().over("customer_id")
    return (
        events.select("customer_id", "timestamp")
        .sort("customer_id", "timestamp")
        .with_columns(session=(gap > pl.duration(minutes=SESSION_GAP_MINUTES)).fill_null(True))
        .with_columns(pl.col("session").cum_sum())
        .group_by("customer_id", "session")
        .agg(duration=pl.col("timestamp").max() - pl.col("timestamp").min())
        .group_by("customer_id")
        .agg(
            sessions=pl.len(),
            micro_moment_share=(pl.col("duration") <= pl.duration(seconds=MICRO_MOMENT_SECONDS))
            .cast(pl.Float64)
            .mean(),
        )
    )


def _polars_rfm(events, end_day):
    import polars as pl

    day = pl.col("day")
    return (
        events.filter(pl.col("event_type") == "purchase")
        .group_by("customer_id", day=pl.col("timestamp").dt.date())
        .agg(purchases=pl.len(), spend=pl.col("value").sum())
        .group_by("customer_id")
        .agg(
            purchases=pl.col("purchases").sum(),
            total_spend=pl.col("spend").sum(),
            frequency=pl.len() - 1,
            recency=(day.max() - day.min()).dt.total_days(),
            T=(pl.lit(end_day) - day.min()).dt.total_days(),
            monetary_value=pl.col("spend").filter(day > day.min()).mean().fill_null(0.0),
        )
    )


# --------------------------------------------------------------------------- DuckDB

DUCKDB_CORE = """
WITH mix AS (
    SELECT customer_id, count(*) AS touchpoints, count(DISTINCT device) AS devices, {shares}
    FROM events
    GROUP BY customer_id
),
gaps AS (
    SELECT customer_id, timestamp,
           timestamp - lag(timestamp) OVER (PARTITION BY customer_id ORDER BY timestamp) AS gap
    FROM events
),
numbered AS (
    -- The default RANGE frame numbers rows with the same timestamp alike,
    -- whichever of them lag() saw first.
    SELECT customer_id, timestamp,
           count(*) FILTER (gap IS NULL OR gap > INTERVAL {gap} MINUTE)
               OVER (PARTITION BY customer_id ORDER BY timestamp) AS session
    FROM gaps
),
sessions AS (
    SELECT customer_id, count(*) AS sessions,
           avg((duration <= INTERVAL {micro} SECOND)::DOUBLE) AS micro_moment_share
    FROM (
        SELECT customer_id, session, max(timestamp) - min(timestamp) AS duration
        FROM numbered
        GROUP BY customer_id, session
    )
    GROUP BY customer_id
),
daily AS (
    SELECT customer_id, timestamp::DATE AS day, count(*) AS purchases, sum(value) AS spend
    FROM events
    WHERE event_type = 'purchase'
    GROUP BY customer_id, day
),
rfm AS (
    SELECT customer_id, sum(purchases) AS purchases, sum(spend) AS total_spend,
           count(*) - 1 AS frequency,
           max(day) - min(day) AS recency,
           (SELECT max(timestamp)::DATE FROM events) - min(day) AS T,
           coalesce(avg(spend) FILTER (day > first_day), 0) AS monetary_value
    FROM (SELECT *, min(day) OVER (PARTITION BY customer_id) AS first_day FROM daily)
    GROUP BY customer_id
)
SELECT mix.*, sessions.* EXCLUDE (customer_id),
       coalesce(rfm.purchases, 0) AS purchases, coalesce(rfm.total_spend, 0) AS total_spend,
       rfm.* EXCLUDE (customer_id, purchases, total_spend)
FROM mix JOIN sessions USING (customer_id) LEFT JOIN rfm USING (customer_id)
"""


def _duckdb_open(path: str, in_memory: bool):
    import duckdb

    con = duckdb.connect(config={"threads": os.cpu_count()})
    kind = "TABLE" if in_memory else "VIEW"
    columns = ", ".join(COLUMNS)
    con.execute(f"CREATE {kind} events AS SELECT {columns} FROM read_parquet('{path}')")
    return con


def _duckdb_size(con) -> int:
    (total,) = con.sql("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchall()[0]
    return int(total)


def _duckdb_compute(con):
    """The core as one SQL query, with a share column per channel found in the data."""
    channels = [c for (c,) in con.sql("SELECT DISTINCT channel FROM events").fetchall()]
    shares = ", ".join(
        f"count(*) FILTER (channel = '{c}') / count(*) AS \"share_channel_{c}\"" for c in channels
    )
    query = DUCKDB_CORE.format(shares=shares, gap=SESSION_GAP_MINUTES, micro=MICRO_MOMENT_SECONDS)
    return con.sql(query).df()


# --------------------------------------------------------------------------- contenders


@dataclass(frozen=True)
class Contender:
    computes: str
    imports: tuple[str, ...]  # modules to import before the clock starts
    open: Callable[[str, bool], Any]  # (path, in_memory) -> the events as the engine holds them
    compute: Callable[[Any], Any]  # events -> one row per customer
    size: Callable[[Any], int]  # bytes held for the events once loaded in memory
    lazy: bool = False  # reads while computing: time compute alone on events loaded first


CORE = "core"
PANDAS = ("pandas", "pyarrow.parquet")
PERSONA = (*PANDAS, "persona.features.touchpoints")
CONTENDERS = {
    "persona": Contender(
        "all behaviour features", PERSONA, _persona_open, _persona_compute, _pandas_size
    ),
    "pandas": Contender(CORE, PANDAS, _pandas_open, _pandas_compute, _pandas_size),
    "polars": Contender(CORE, ("polars",), _polars_open, _polars_compute, _polars_size, lazy=True),
    # DuckDB hands its result over as a pandas DataFrame, like persona.
    "duckdb": Contender(
        CORE, ("duckdb", "pandas"), _duckdb_open, _duckdb_compute, _duckdb_size, lazy=True
    ),
    # Real logs carry session ids: what persona costs when it uses them (and
    # reads the extra column). Its sessions differ from the gap rule, so the
    # check leaves them out.
    "persona-session-id": Contender(
        "all behaviour features, sessions from session_id",
        PERSONA,
        _persona_open_with_session_id,
        _persona_compute,
        _pandas_size,
    ),
}
PEERS = ["pandas", "polars", "duckdb"]


def run_contender(name: str, path: str, in_memory: bool, out: str | None) -> None:
    """The body of one measured process: print its timings and peak memory as JSON."""
    contender = CONTENDERS[name]
    for module in contender.imports:
        importlib.import_module(module)
    imported_gb = _peak_gb()
    started = time.perf_counter()
    events = contender.open(path, in_memory)
    opened = time.perf_counter()
    result = contender.compute(events)
    finished = time.perf_counter()
    report = {
        "seconds": finished - started,
        "compute_seconds": finished - opened,
        "peak_gb": _peak_gb(),
        "imported_gb": imported_gb,
        "held_gb": contender.size(events) / 1e9 if in_memory or not contender.lazy else None,
        "customers": len(result),
    }
    if name.startswith("persona"):
        report["persona_source"] = _persona_source()
    if out:
        _write_result(result, out)
    print(json.dumps(report))


def _peak_gb() -> float:
    """This process's peak resident memory.

    Read from VmHWM, not ru_maxrss: on Linux a child's ru_maxrss starts at
    the high-water mark of the parent that spawned it, so it would carry this
    script's own memory (data generation, the check) into every run.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e9
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9  # KiB on Linux


def _persona_source() -> str:
    """Short hash of the touchpoint feature code as run: the files may change between runs."""
    from persona.features import _behaviour, _log, touchpoints

    digest = hashlib.sha1()
    for module in (touchpoints, _behaviour, _log):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:10]


def _write_result(result, out: str) -> None:
    if hasattr(result, "write_parquet"):  # polars
        result.write_parquet(out)
        return
    if result.index.name == "customer_id":
        result = result.reset_index()
    result.to_parquet(out)


def measure_once(name: str, path: Path, in_memory: bool = False, out: Path | None = None) -> dict:
    command = [sys.executable, __file__, "--run", name, str(path)]
    command += ["--in-memory"] if in_memory else []
    command += ["--out", str(out)] if out else []
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


# --------------------------------------------------------------------------- data


def events_file(n_customers: int) -> tuple[Path, dict]:
    """The events of n_customers as Parquet, written once, and their size in pandas."""
    path = DATA / f"events_{n_customers}.parquet"
    about = path.with_suffix(".json")
    if not (path.exists() and about.exists()):
        DATA.mkdir(exist_ok=True)
        _write_events(n_customers, path, about)
    return path, json.loads(about.read_text())


def _write_events(n_customers: int, path: Path, about: Path) -> None:
    from persona.datasets import make_customers

    events = make_customers(n_customers=n_customers, random_state=0).events
    # Write under a temporary name first: an interrupted run must not leave a
    # truncated file that the next run would take as ready.
    partial = path.with_suffix(".partial")
    events.to_parquet(partial)
    about.write_text(
        json.dumps(
            {
                "events": len(events),
                "events_gb": events.memory_usage(deep=True).sum() / 1e9,
                "read_gb": events[COLUMNS].memory_usage(deep=True).sum() / 1e9,
            }
        )
    )
    partial.rename(path)


# --------------------------------------------------------------------------- check


def check_agreement(names: list[str]) -> None:
    """Every contender's core columns agree with every other's on a small base, or exit."""
    import pandas as pd

    path, _ = events_file(CHECK_CUSTOMERS)
    with tempfile.TemporaryDirectory() as folder:
        results = {}
        for name in names:
            out = Path(folder) / f"{name}.parquet"
            measure_once(name, path, out=out)
            results[name] = _core_columns(pd.read_parquet(out).set_index("customer_id"))
    reference = next((n for n in PEERS if n in results), None)
    for name in names:
        if name != reference and reference is not None:
            _compare(results[reference], reference, results[name], name)
    print(
        f"check: {', '.join(names)} agree to {TOLERANCE:g} on {CHECK_CUSTOMERS:,} customers",
        file=sys.stderr,
    )


def _core_columns(result):
    prefix = "behaviour__"
    if not any(c.startswith(prefix) for c in result.columns):
        return result.sort_index().astype("float64")
    wanted = PERSONA_CORE + [c[len(prefix) :] for c in result if "share_channel_" in c]
    result = result.rename(columns=lambda c: c.removeprefix(prefix))[wanted]
    return result.sort_index().astype("float64")


def _compare(expected, expected_name: str, got, got_name: str) -> None:
    import numpy as np

    if not expected.index.equals(got.index):
        raise SystemExit(f"check: {got_name} and {expected_name} have different customers.")
    # persona has no distinct-device count; with session ids its sessions follow them.
    skipped = {"sessions", "micro_moment_share"} if got_name == "persona-session-id" else set()
    shared = [c for c in expected if c in got and c not in skipped]
    missing = set(expected) - set(got) - {"devices"} - skipped
    if missing:
        raise SystemExit(f"check: {got_name} lacks {sorted(missing)} that {expected_name} has.")
    for column in shared:
        a, b = expected[column].to_numpy(), got[column].to_numpy()
        close = np.isclose(a, b, rtol=TOLERANCE, atol=TOLERANCE, equal_nan=True)
        if not close.all():
            i = int(np.flatnonzero(~close)[0])
            raise SystemExit(
                f"check: {got_name} disagrees with {expected_name} on {column}: "
                f"customer {expected.index[i]} has {float(b[i])!r} against {float(a[i])!r}."
            )


# --------------------------------------------------------------------------- report


def measure(names: list[str], path: Path, repeat: int) -> dict[str, dict]:
    """Timings per contender; repeats go round the contenders so drift hits all alike."""
    runs: dict[str, list[dict]] = {name: [] for name in names}
    # The first large run after a pause is slower on this machine (its memory
    # is handed back by the host when idle): one untimed run absorbs that.
    measure_once(names[0], path)
    for r in range(repeat):
        for name in names:
            run = measure_once(name, path)
            if CONTENDERS[name].lazy:
                loaded = measure_once(name, path, in_memory=True)
                run |= {"compute_seconds": loaded["compute_seconds"], "held_gb": loaded["held_gb"]}
            runs[name].append(run)
            source = f" (touchpoints.py {run['persona_source']})" if "persona_source" in run else ""
            print(
                f"  run {r + 1}/{repeat} {name}: {run['seconds']:.2f} s, "
                f"{run['peak_gb']:.2f} GB{source}",
                file=sys.stderr,
                flush=True,
            )
    return {
        name: {
            "seconds": statistics.median(r["seconds"] for r in rs),
            "compute_seconds": statistics.median(r["compute_seconds"] for r in rs),
            "peak_gb": max(r["peak_gb"] for r in rs),
            "held_gb": rs[0]["held_gb"],
            "imported_gb": max(r["imported_gb"] for r in rs),
            "persona_source": sorted({r.get("persona_source") for r in rs} - {None}),
        }
        for name, rs in runs.items()
    }


def print_header(n_customers: int, about: dict, repeat: int) -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    libraries = ", ".join(
        f"{p} {version(p)}"
        for p in ("persona-segments", "pandas", "numpy", "polars", "duckdb", "pyarrow")
    )
    print(f"behaviour features, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; Python {platform.python_version()}")
    print(libraries)
    print(
        f"{n_customers:,} customers, {about['events']:,} events; events in memory (pandas): "
        f"{about['events_gb']:.2f} GB, {about['read_gb']:.2f} GB without session_id; "
        f"median of {repeat}\n"
    )


def print_table(results: dict[str, dict], about: dict) -> None:
    print(
        "| contender | what it computes | read+compute s (median) | compute s (median) "
        "| peak RSS GB (max) | peak / events in memory |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {CONTENDERS[name].computes} | {r['seconds']:.2f} "
            f"| {r['compute_seconds']:.2f} | {r['peak_gb']:.2f} "
            f"| {r['peak_gb'] / about['events_gb']:.1f}× |"
        )
    held = ", ".join(f"{n} {r['held_gb']:.2f}" for n, r in results.items())
    imported = ", ".join(f"{n} {r['imported_gb']:.2f}" for n, r in results.items())
    print(f"\nEvents as each contender holds them once loaded (GB): {held}.")
    print(f"Resident memory after imports, before reading (GB): {imported}.")
    sources = sorted({s for r in results.values() for s in r["persona_source"]})
    if len(sources) == 1:
        print(f"persona/features/touchpoints.py sha1 {sources[0]}.")
    elif sources:
        print(
            f"persona/features/touchpoints.py CHANGED during the run (sha1 {', '.join(sources)}): "
            "persona's runs mix versions, see the per-run lines."
        )


def print_verdict(results: dict[str, dict], about: dict) -> None:
    peers = {n: results[n] for n in PEERS if n in results}
    if "persona" not in results or not peers:
        return
    fastest = min(peers, key=lambda n: peers[n]["seconds"])
    persona = results["persona"]
    speed = persona["seconds"] / peers[fastest]["seconds"]
    memory = persona["peak_gb"] / about["events_gb"]
    print(
        f"\npersona read+compute is {speed:.2f}× the fastest peer ({fastest}, "
        f"{peers[fastest]['seconds']:.2f} s): 1.5× target {'met' if speed <= 1.5 else 'NOT met'}. "
        f"Its peak is {memory:.2f}× the events in memory: "
        f"3× target {'met' if memory < 3 else 'NOT met'}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=list(CONTENDERS), help="run one contender (debugging)")
    # The measured processes are this script again, with --run.
    parser.add_argument("--run", nargs=2, metavar=("NAME", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--in-memory", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        run_contender(*args.run, in_memory=args.in_memory, out=args.out)
        return
    names = [args.only] if args.only else list(CONTENDERS)
    # A contender run alone is still checked, against pandas.
    check_agreement([n for n in CONTENDERS if n in names or n == "pandas"])
    path, about = events_file(args.customers)
    print_header(args.customers, about, args.repeat)
    results = measure(names, path, args.repeat)
    print_table(results, about)
    print_verdict(results, about)


if __name__ == "__main__":
    main()
