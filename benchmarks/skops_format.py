"""Could a saved PersonaModel leave pickle for skops? Each part of a fitted model, tried.

    python benchmarks/skops_format.py [--customers 3000]

``model.save`` writes the fitted model with joblib (pickle) behind a verified
manifest; unpickling runs code, so ``persona.load`` is for models you trust, and
services load the exported assigner, which has no pickle. skops' format rebuilds
only the types a caller trusts. This fits one model and tries skops on the whole
model and on each of its attributes: dump, list the types to trust, load, and
compare with joblib's size. The result table is committed in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import io
import platform
import time
from datetime import UTC, datetime

import joblib
import skops
import skops.io as sio

import persona
from persona.datasets import make_customers


def _try(value) -> str:
    """What skops makes of ``value``: its size and the types to trust, or where it fails."""
    try:
        data = sio.dumps(value)
    except Exception as error:  # noqa: BLE001 - the failure is the measurement
        return f"dump fails: {type(error).__name__}: {str(error)[:70]}"
    trusted = sio.get_untrusted_types(data=data)
    try:
        sio.loads(data, trusted=trusted)
    except Exception as error:  # noqa: BLE001
        return f"load fails: {type(error).__name__}: {str(error)[:70]}"
    return f"ok, {len(data):,} B, {len(trusted)} types to trust"


def _joblib_bytes(value) -> int:
    buffer = io.BytesIO()
    joblib.dump(value, buffer, compress=3)
    return buffer.tell()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=3_000)
    args = parser.parse_args()

    data = make_customers(args.customers, random_state=0)
    started = time.perf_counter()
    model = persona.PersonaModel(instrument=data.instrument, random_state=0).fit(
        events=data.events, survey=data.survey, emotions=data.emotions
    )
    fit_seconds = time.perf_counter() - started
    print(f"persona {persona.__version__}, skops {skops.__version__}, Python "
          f"{platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}; "
          f"{args.customers:,} customers fitted in {fit_seconds:.0f} s\n")  # fmt: skip
    print("| part | type | joblib (compress=3) | skops |")
    print("|---|---|---:|---|")
    print(f"| whole model | PersonaModel | {_joblib_bytes(model):,} B | {_try(model)} |")
    failed = 0
    for name, value in vars(model).items():
        if value is None or isinstance(value, (int, float, str)):
            continue  # plain settings: any format holds them
        outcome = _try(value)
        failed += not outcome.startswith("ok")
        kind = type(value).__name__
        print(f"| `{name}` | {kind} | {_joblib_bytes(value):,} B | {outcome} |")
    print(f"\n{failed} parts skops cannot write or read back.")


if __name__ == "__main__":
    main()
