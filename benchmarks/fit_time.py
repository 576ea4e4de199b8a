"""PersonaModel's fit time before and after a change, side by side in one run.

    python benchmarks/fit_time.py --before <git ref> [--sizes 20000] [--repeats 3]
                                  [--threads 1|default]

Checks the ``--before`` commit out into a temporary git worktree and times
``PersonaModel(instrument=...).fit(tables)`` on ``make_customers(n,
random_state=0)`` with the code of that commit and with the working tree's,
each in a fresh Python process (numba's compilation is done by a small warm-up
fit first, so it is not counted), with one BLAS and OpenMP thread unless
``--threads`` says otherwise, alternating before / after so that a busy
machine slows both alike. Reports the median of the repeats and the after /
before ratio of the medians, per size, as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, sys, time, warnings
from threadpoolctl import threadpool_limits
import persona
from persona.datasets import make_customers

n, threads = int(sys.argv[1]), sys.argv[2]
warnings.simplefilter("ignore")
small = make_customers(n_customers=600, random_state=1)
persona.PersonaModel(instrument=small.instrument, random_state=0).fit(small)  # compile numba
data = make_customers(n_customers=n, random_state=0)
with threadpool_limits(None if threads == "default" else int(threads)):
    start = time.perf_counter()
    model = persona.PersonaModel(instrument=data.instrument, random_state=0).fit(data)
    seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "personas": int(model.n_personas_),
                  "features": len(model.feature_names_out_), "file": persona.__file__}))
"""


def _time(source: Path, n: int, threads: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(source)}
    if threads != "default":
        env["OMP_NUM_THREADS"] = threads
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(n), threads],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=source,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="a git ref: the code before the change")
    parser.add_argument("--sizes", type=int, nargs="*", default=[20_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--threads",
        default="1",
        help="BLAS and OpenMP threads of each fit, or 'default' for the libraries' own "
        "(what a user's process gets)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        before = Path(folder) / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before), args.before],
            check=True,
            capture_output=True,
        )
        try:
            lines = [
                f"| customers | before ({args.before}) s | after s | after / before | "
                "personas before / after | features before / after |",
                "|---:|---:|---:|---:|---|---|",
            ]
            for n in args.sizes:
                runs: dict[str, list[dict]] = {"before": [], "after": []}
                for _ in range(args.repeats):
                    for name, source in (("before", before), ("after", ROOT)):
                        runs[name].append(_time(source, n, args.threads))
                        print(n, name, runs[name][-1], file=sys.stderr, flush=True)
                medians = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
                lines.append(
                    f"| {n:,} | {medians['before']:.1f} | {medians['after']:.1f} | "
                    f"{medians['after'] / medians['before']:.2f} | "
                    f"{runs['before'][0]['personas']} / {runs['after'][0]['personas']} | "
                    f"{runs['before'][0]['features']} / {runs['after'][0]['features']} |"
                )
            print("\n".join(lines))
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)],
                check=False,
                capture_output=True,
            )


if __name__ == "__main__":
    main()
