"""How fast and how lean is make_customers? Wall time and peak memory by base size.

    python benchmarks/generate.py [--sizes 100000 250000 1000000] [--repeat 3]

Each run is a fresh Python process, so peak memory (the process's maximum
resident set) belongs to that run alone; the table prints the median wall
time over the repeats and the largest peak. The result table for this
machine is committed in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys

# Peak memory is the kernel's high-water mark of the measured process (VmHWM),
# in bytes / 1e9: ru_maxrss would start from the parent's peak and is in KiB.
RUN = """
import json, re, time
from pathlib import Path
from persona.datasets import make_customers
started = time.perf_counter()
data = make_customers(n_customers={n}, random_state=0)
seconds = time.perf_counter() - started
status = Path("/proc/self/status").read_text()
print(json.dumps({{
    "seconds": seconds,
    "peak_gb": int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1)) * 1024 / 1e9,
    "events": len(data.events),
    "events_gb": data.events.memory_usage(deep=True).sum() / 1e9,
}}))
"""


def measure(n: int, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", RUN.format(n=n)], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout))
    return {
        "customers": n,
        "events": runs[0]["events"],
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_gb": max(r["peak_gb"] for r in runs),
        "events_gb": runs[0]["events_gb"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 250_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"make_customers on {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, median of {args.repeat}\n"
    )
    print(
        "| customers | touchpoints | wall time (s) | customers/s | peak memory (GB) "
        "| events table in memory (GB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        r = measure(n, args.repeat)
        print(
            f"| {n:,} | {r['events']:,} | {r['seconds']:.1f} | {n / r['seconds']:,.0f} "
            f"| {r['peak_gb']:.2f} | {r['events_gb']:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
