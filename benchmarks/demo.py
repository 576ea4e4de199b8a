"""``persona demo`` from a fresh install, compilation included, as the README promises.

    python benchmarks/demo.py [--repeats 3] [--venv DIR] [--ref HEAD]

Makes a virtual environment (or reuses ``--venv``), installs the committed
tree at ``--ref`` into it the way the README does (``pip install .``, not
editable), then times ``persona demo`` from start to exit in a new empty
folder, ``--repeats`` times:

- **cold**: numba's on-disk cache in the environment is emptied first, so
  every jitted function compiles again, as on the first run after install;
- **warm**: the cache the run before left is kept, as on every later run.

Cold and warm runs alternate, so a busy machine slows both alike. Prints a
Markdown table of the median and every run, and the demo's own stage timings
(stderr) of the last cold run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _install(venv: Path, ref: str) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", tmp], check=True)
    return venv / "bin" / "persona"


def _empty_numba_cache(venv: Path) -> int:
    """Remove numba's cached machine code (``*.nbi`` index, ``*.nbc`` code) in the venv."""
    files = [*venv.rglob("*.nbi"), *venv.rglob("*.nbc")]
    for path in files:
        path.unlink()
    return len(files)


def _run(command: Path) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        done = subprocess.run([str(command), "demo"], cwd=folder, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"persona demo failed:\n{done.stderr[-4000:]}")
    return seconds, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--venv", type=Path, help="an environment to install into (kept)")
    parser.add_argument("--ref", default="HEAD", help="the git ref to install")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        venv = args.venv or Path(tmp) / "venv"
        started = time.perf_counter()
        command = _install(venv, args.ref)
        print(f"installed {args.ref} into {venv} in {time.perf_counter() - started:.0f} s")
        runs: dict[str, list[float]] = {"cold": [], "warm": []}
        stages = ""
        for _ in range(args.repeats):
            removed = _empty_numba_cache(venv)
            seconds, stages = _run(command)
            runs["cold"].append(seconds)
            print(f"cold ({removed} cached files removed): {seconds:.1f} s", flush=True)
            seconds, _ = _run(command)
            runs["warm"].append(seconds)
            print(f"warm: {seconds:.1f} s", flush=True)

    print("\n| run | median s | runs s |\n|---|---:|---|")
    for kind, seconds in runs.items():
        every = " / ".join(f"{s:.1f}" for s in seconds)
        print(f"| {kind} | {statistics.median(seconds):.1f} | {every} |")
    print("\nStages of the last cold run (stderr):\n")
    print("\n".join(f"    {line}" for line in stages.splitlines() if line[:1].isdigit()))


if __name__ == "__main__":
    main()
