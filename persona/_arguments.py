"""The ``persona`` command's arguments: one small function per command.

:func:`parser` builds the command line :mod:`persona.cli` runs; each command's
function declares its arguments and the function that runs it. It reads nothing
and imports nothing of persona's.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["parser"]

Run = Callable[[argparse.Namespace], int]


def parser(version: str, runs: Mapping[str, Run]) -> argparse.ArgumentParser:
    """The ``persona`` parser; ``runs`` maps each command to the function that runs it."""
    top = argparse.ArgumentParser(
        prog="persona",
        description="Need- and desire-based customer personas from touchpoints, "
        "psychographic surveys and emotion signals.",
    )
    top.add_argument("--version", action="version", version=f"persona {version}")
    commands = top.add_subparsers(title="commands", dest="command")
    for name, declare in _COMMANDS.items():
        declare(commands, runs[name])
    return top


def _demo(commands, run: Run) -> None:
    demo = commands.add_parser(
        "demo",
        help="generate a synthetic customer base and run the pipeline on it",
        description="Generate a synthetic customer base with known personas, check it "
        "against the input contracts, write it out, discover its personas with a "
        "PersonaModel and compare them with the truth and the demographics.",
    )
    demo.add_argument(
        "--n-customers",
        type=_positive_int,
        default=10_000,
        metavar="N",
        help="customers to generate (default: 10000)",
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("persona-demo"),
        metavar="DIR",
        help="folder to write the tables to (default: ./persona-demo)",
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    demo.set_defaults(run=run)


def _init(commands, run: Run) -> None:
    init = commands.add_parser(
        "init",
        help="draft a project file (persona.yaml) from your tables",
        description="Read your event log (and the other tables' paths) and write a first "
        "persona.yaml to confirm and edit: every event type and channel with its count, a "
        "moment of truth suggested for each event type from its name, the purchase types "
        "guessed from where value is filled, the CSV dialect and the timestamp format.",
    )
    init.add_argument("--events", required=True, metavar="PATH")
    init.add_argument("--survey", metavar="PATH")
    init.add_argument("--emotions", metavar="PATH")
    init.add_argument("--demographics", metavar="PATH")
    init.add_argument("--instrument", metavar="PATH", help="instrument (.json or .yaml)")
    init.add_argument("--out", type=Path, default=Path("persona.yaml"), metavar="FILE",
                      help="where to write it (default: ./persona.yaml)")  # fmt: skip
    init.add_argument("--force", action="store_true", help="replace an existing file")
    init.set_defaults(run=run)


def _fit(commands, run: Run) -> None:
    fit = commands.add_parser(
        "fit",
        help="fit a PersonaModel on the tables of a project file; save it, its report and "
        "its assigner",
        description="Fit a PersonaModel on the tables persona.yaml names, with its "
        "instrument, journey and model settings, and write OUT/model (persona.load), "
        "OUT/report/index.html and OUT/assigner (persona score, persona serve).",
    )
    fit.add_argument("--config", type=Path, default=Path("persona.yaml"), metavar="FILE",
                     help="project file (default: ./persona.yaml)")  # fmt: skip
    fit.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    fit.add_argument("--quiet", action="store_true", help="no stage log")
    fit.set_defaults(run=run)


def _report(commands, run: Run) -> None:
    report = commands.add_parser(
        "report",
        help="write the HTML persona report of a saved model",
        description="Load a model saved with model.save(path) and write its self-contained "
        "HTML persona report (opens offline).",
    )
    report.add_argument("model", type=Path, metavar="MODEL", help="folder of a saved model")
    report.add_argument(
        "--out",
        type=Path,
        default=Path("persona-report"),
        metavar="DIR",
        help="folder to write index.html to (default: ./persona-report)",
    )
    report.set_defaults(run=run)


def _validate(commands, run: Run) -> None:
    validate = commands.add_parser(
        "validate",
        help="check input files against persona's data contracts",
        description="Check input tables (Parquet files or folders, or CSV) against persona's "
        "data contracts and report the first problem found.",
    )
    validate.add_argument("--config", type=Path, metavar="FILE",
                          help="project file naming the tables and the journey")  # fmt: skip
    validate.add_argument("--events", metavar="PATH")
    validate.add_argument("--survey", metavar="PATH")
    validate.add_argument("--instrument", metavar="PATH", help="instrument (.json or .yaml)")
    validate.add_argument("--emotions", metavar="PATH")
    validate.add_argument("--demographics", metavar="PATH")
    validate.set_defaults(run=run)


def _score(commands, run: Run) -> None:
    score = commands.add_parser(
        "score",
        help="score every customer of input files into a Parquet dataset (nightly batch)",
        description="Score every customer of the input tables with a saved model or an "
        "exported assigner, chunk by chunk in bounded memory, into a Parquet dataset with "
        "one row per customer. Customers whose rows break the data contract go to "
        "OUT/_rejects with the reason. Interrupted? Run again with --resume.",
    )
    score.add_argument("model", metavar="MODEL",
                       help="folder of an exported assigner or a saved model")  # fmt: skip
    score.add_argument("--config", type=Path, metavar="FILE",
                       help="project file naming the tables and their CSV dialect")  # fmt: skip
    score.add_argument("--events", metavar="PATH")
    score.add_argument("--survey", metavar="PATH")
    score.add_argument("--emotions", metavar="PATH")
    score.add_argument("--out", required=True, metavar="DIR", help="output folder")
    score.add_argument("--chunk-customers", type=_positive_int, default=250_000, metavar="N",
                       help="customers scored at once (default: 250000)")  # fmt: skip
    score.add_argument("--n-jobs", type=int, default=1, metavar="N",
                       help="chunks scored in parallel (-1: one per core; default: 1)")  # fmt: skip
    score.add_argument(
        "--observation-end",
        metavar="TIMESTAMP",
        help="end of the touchpoint window (default: the latest touchpoint)",
    )
    score.add_argument("--resume", action="store_true", help="finish an interrupted job in DIR")
    score.add_argument("--overwrite", action="store_true",
                       help="replace what DIR holds from another job")  # fmt: skip
    score.add_argument("--drift-report", metavar="DIR",
                       help="write drift.json and drift.html there")  # fmt: skip
    score.add_argument(
        "--fail-on-drift",
        action="store_true",
        help="exit with status 3 when the drift report recommends a refit",
    )
    score.add_argument("--quiet", action="store_true", help="no progress bar")
    score.set_defaults(run=run)


def _drift(commands, run: Run) -> None:
    drift = commands.add_parser(
        "drift",
        help="the drift report of a scoring job",
        description="Compare the customers a scoring job scored with the model's training "
        "customers: population stability per feature, persona shares, confidence, "
        "unassigned rate and signal coverage, and whether a refit is recommended.",
    )
    drift.add_argument("out", metavar="OUT", help="output folder of persona score")
    drift.add_argument("--report", metavar="DIR", default="persona-drift",
                       help="folder to write drift.json and drift.html to "
                       "(default: ./persona-drift)")  # fmt: skip
    drift.add_argument("--fail-on-drift", action="store_true",
                       help="exit with status 3 when a refit is recommended")  # fmt: skip
    drift.set_defaults(run=run)


def _serve(commands, run: Run) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve an exported assigner over HTTP (needs persona-segments[serve])",
        description="Serve the personas of an exported assigner over HTTP: POST /v1/assign, "
        "POST /v1/assign/batch, GET /v1/personas, GET /v1/model, GET /healthz, GET /readyz "
        "(OpenAPI schema at /docs). POST /admin/reload (or SIGHUP) loads the artifact again; "
        "it needs the token in PERSONA_RELOAD_TOKEN. SIGTERM drains in-flight requests.",
    )
    serve.add_argument("--assigner", required=True, metavar="PATH",
                       help="folder written by model.export_assigner(path)")  # fmt: skip
    serve.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--workers", type=_positive_int, default=1, metavar="N",
                       help="server processes (default: 1)")  # fmt: skip
    serve.add_argument("--max-body-bytes", type=_positive_int, default=8 * 1024 * 1024,
                       metavar="N", help="larger bodies get 413 (default: 8 MiB)")  # fmt: skip
    serve.add_argument("--max-batch-records", type=_positive_int, default=1_000, metavar="N",
                       help="larger batches get 413 (default: 1000)")  # fmt: skip
    serve.add_argument("--max-touchpoints", type=_positive_int, default=10_000, metavar="N",
                       help="a record with more events or emotion readings gets 422 "
                       "(default: 10000)")  # fmt: skip
    serve.add_argument("--max-text-chars", type=_positive_int, default=10_000, metavar="N",
                       help="a longer emotion text gets 422 (default: 10000)")  # fmt: skip
    serve.add_argument("--max-fields", type=_positive_int, default=10_000, metavar="N",
                       help="a record with more survey answers or features gets 422 "
                       "(default: 10000)")  # fmt: skip
    serve.add_argument("--body-timeout", type=_positive_float, default=30.0, metavar="SECONDS",
                       help="a body not received in this long gets 408 (default: 30)")  # fmt: skip
    serve.add_argument("--graceful-timeout", type=float, default=10.0, metavar="SECONDS",
                       help="on SIGTERM, wait this long for in-flight requests "
                       "(default: 10)")  # fmt: skip
    serve.set_defaults(run=run)


_COMMANDS = {
    "demo": _demo,
    "init": _init,
    "fit": _fit,
    "report": _report,
    "validate": _validate,
    "score": _score,
    "drift": _drift,
    "serve": _serve,
}


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text}")
    return value
