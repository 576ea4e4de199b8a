"""The ``persona`` command: ``demo``, ``init``, ``fit``, ``report``, ``validate``, ``score``,
``drift`` and ``serve``.

The command line is the top of the package: it imports the library and
prints; nothing imports it.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

import persona
from persona._arguments import parser
from persona.contract import Instrument, validate_inputs
from persona.errors import PersonaError
from persona.features.careless import split_duration

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``persona`` command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except (PersonaError, OSError) as error:  # persona's named errors and the disk's
        # Anything else is a bug: it keeps its traceback rather than posing as bad input.
        print(f"persona {args.command}: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    runs = {
        "demo": _demo, "init": _init, "fit": _fit, "report": _report,
        "validate": _validate, "score": _score, "drift": _drift, "serve": _serve,
    }  # fmt: skip
    return parser(persona.__version__, runs)


def _demo(args: argparse.Namespace) -> int:
    from persona.datasets import make_customers
    from persona.profiling._audit import cramers_v

    started = time.perf_counter()
    data = make_customers(n_customers=args.n_customers, random_state=args.seed)
    inputs = validate_inputs(
        data.events, data.survey, data.emotions, data.demographics, instrument=data.instrument
    )
    args.out.mkdir(parents=True, exist_ok=True)
    for name in ("events", "survey", "emotions", "demographics"):
        table = getattr(inputs, name)
        if table is not None:
            table.to_parquet(args.out / f"{name}.parquet", index=False)
    data.instrument.to_file(args.out / "instrument.json")
    data.truth.to_frame().to_parquet(args.out / "truth.parquet")

    n = args.n_customers
    print(
        f"persona {persona.__version__} demo: a synthetic base of {n:,} customers "
        f"(seed {args.seed})"
    )
    print(f"  touchpoints      {len(data.events):>10,}  ({len(data.events) / n:.1f} per customer)")
    for name, table in (("survey answers", data.survey), ("emotion readings", data.emotions)):
        covered = 0 if table is None else table["customer_id"].nunique()
        rows = 0 if table is None else len(table)
        print(f"  {name:<16} {rows:>10,}  ({covered / n:.0%} of customers)")
    print(
        f"  instrument       {data.instrument.name}: {len(data.instrument)} items over "
        f"{', '.join(data.instrument.dimensions)}"
    )
    print("\nTrue personas (what persona should discover):")
    table = data.personas[["name", "size", "share", "defining_dimension", "direction"]]
    print(_indent(table.to_string(formatters={"share": "{:.1%}".format})))
    people = data.demographics.set_index("customer_id").loc[data.truth.index]
    bands = pd.cut(people["age"], [0, 24, 34, 44, 54, 64, 200])
    volume = data.events.groupby("customer_id").size().loc[data.truth.index]
    print("\nDemographics do not define these personas (Cramér's V with the true persona):")
    for label, values in (
        ("age band", bands),
        ("gender", people["gender"]),
        ("region", people["region"]),
        ("activity volume", pd.qcut(volume, 5, duplicates="drop")),
    ):
        print(f"  {label:<16} {cramers_v(data.truth, values):.3f}")
    _demo_features(data)
    _demo_model(data, args)
    print(
        f"\nInputs passed the data contracts; tables and personas written to {args.out}/; "
        f"done in {time.perf_counter() - started:.1f} s."
    )
    return 0


def _show_progress() -> None:
    """Show the fit's stages, with their timings, on stderr as they happen."""
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s",
                        datefmt="%H:%M:%S")  # fmt: skip
    logging.getLogger("persona").setLevel(logging.INFO)


def _demo_model(data, args: argparse.Namespace) -> None:
    from sklearn.metrics import adjusted_rand_score

    print("\nFitting a PersonaModel (its stages follow on stderr) ...", flush=True)
    _show_progress()
    started = time.perf_counter()
    model = persona.PersonaModel(instrument=data.instrument, random_state=args.seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(data)
    seconds = time.perf_counter() - started
    labels, source = model.labels_, model.label_source_
    print(
        f"\nPersonaModel: {model.n_personas_} personas discovered on "
        f"{(source == 'discovery').sum():,} survey respondents and placed for all "
        f"{len(labels):,} customers in {seconds:.1f} s"
    )
    needs = model.personas_["distinctive_needs"].map(lambda needs: ", ".join(needs) or "-")
    table = model.personas_.assign(distinctive_needs=needs)[
        ["name", "size", "share", "confidence", "distinctive_needs"]
    ]
    print(_indent(table.to_string(formatters={"share": "{:.1%}".format,
                                              "confidence": "{:.2f}".format})))  # fmt: skip
    counts = source.value_counts()
    print(
        "  labels from discovery {discovery:,}, from the distilled assigner {distilled:,}, "
        "unassigned {unassigned:,}".format(**counts.to_dict())
    )
    truth = data.truth.reindex(labels.index)
    answered = labels.index.isin(data.survey["customer_id"].unique())
    print(
        "  agreement with the true personas (adjusted Rand index): "
        f"respondents {adjusted_rand_score(truth[answered], labels[answered]):.2f}, "
        f"all customers {adjusted_rand_score(truth, labels):.2f}"
    )
    print("\nDemographic audit (association between persona and each column; flagged > 0.1):")
    audit = model.audit_[["measure", "association", "flagged"]]
    print(_indent(audit.to_string(formatters={"association": "{:.3f}".format})))
    for warning in caught:
        print(f"  note: {warning.message}")
    confidence = model.probabilities_.drop(columns=-1).max(axis=1).rename("confidence")
    frame = pd.concat([labels, source, confidence], axis=1)
    frame.to_parquet(args.out / "personas.parquet")
    print("\nWho they are:")
    for persona_id, row in model.personas_.iterrows():
        print(f"  {persona_id}: {row['name']}. {row['description']}")
    model.save(args.out / "model")
    report = model.report(args.out / "report")
    print(f"\nModel saved to {args.out / 'model'}/; persona report written to {report}")


def _demo_features(data) -> None:
    from persona.features import FeatureBuilder, scale_reliability

    reliability = scale_reliability(data.survey, data.instrument).scales
    print("\nSurvey scales (reliability on the respondents):")
    table = reliability[["n_items", "alpha", "std_alpha", "omega_total"]].round(2)
    print(_indent(table.to_string()))
    builder = FeatureBuilder(instrument=data.instrument)
    matrix = builder.fit_transform(events=data.events, survey=data.survey, emotions=data.emotions)
    widths = ", ".join(f"{len(c)} {g}" for g, c in builder.feature_names_in_groups_.items())
    print(
        f"\nFeature matrix: {len(matrix):,} customers x {matrix.shape[1]} columns "
        f"({widths}, 3 availability flags)"
    )
    for group in ("psychographic", "behaviour", "emotion"):
        share = matrix[f"available__{group}"].mean()
        print(f"  {group:<14} signal available for {share:.0%} of customers")


def _report(args: argparse.Namespace) -> int:
    model = persona.load(args.model)
    path = model.report(args.out)
    print(f"Persona report of {model.n_personas_} personas written to {path}")
    return 0


def _init(args: argparse.Namespace) -> int:
    from persona.project import draft_project

    if args.out.exists() and not args.force:
        print(f"persona init: '{args.out}' exists; edit it, or pass --force to replace it.",
              file=sys.stderr)  # fmt: skip
        return 2
    text = draft_project(
        args.events, survey=args.survey, emotions=args.emotions,
        demographics=args.demographics, instrument=args.instrument,
        folder=args.out.parent,
    )  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    unsure = sum("no suggestion" in line for line in text.splitlines())
    print(f"Project file written to {args.out}. Check the suggested moments"
          + (f" ({unsure} event type(s) have none: say theirs)" if unsure else "")
          + ", the purchase, support and return types and the instrument, then run:\n"
          f"  persona validate --config {args.out}\n"
          f"  persona fit --config {args.out} --out models/v1")  # fmt: skip
    return 0


def _fit(args: argparse.Namespace) -> int:

    from persona.project import Project, vocabulary_problems

    started = time.perf_counter()
    if not args.quiet:
        _show_progress()
    project = Project.from_file(args.config)
    tables = project.read()
    durations = None
    if tables.get("survey") is not None:
        tables["survey"], durations = split_duration(tables["survey"], project.careless)
    inputs = validate_inputs(**tables, instrument=project.instrument)
    if inputs.events is not None:
        for problem in vocabulary_problems(inputs.events, project.journey):
            print(f"persona fit: warning: {problem}", file=sys.stderr)
    survey = inputs.survey
    if durations is not None:  # back beside the answers, where the model reads it
        column = project.careless.duration_column
        survey = survey.assign(**{column: durations.reindex(survey["customer_id"]).to_numpy()})
    model = project.persona_model()
    with warnings.catch_warnings():
        # Said once above, from the project's own settings.
        warnings.filterwarnings("ignore", message=r"events: .*(taxonomy|match no row|no row has)")
        model.fit(events=inputs.events, survey=survey, emotions=inputs.emotions,
                  demographics=inputs.demographics)  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    saved = model.save(args.out / "model")
    page = model.report(args.out / "report")
    assigner = model.export_assigner(args.out / "assigner")
    source = model.label_source_.value_counts()
    print(
        f"{model.n_personas_} personas from {source.get('discovery', 0):,} survey respondents, "
        f"placed for all {len(model.labels_):,} customers in "
        f"{time.perf_counter() - started:.1f} s:"
    )
    if model.careless_ is not None and model.careless_["careless"]:
        counts = model.careless_
        print(f"{counts['careless']:,} of {counts['respondents']:,} respondents answered "
              "carelessly and took no part in discovery (the report says how).")  # fmt: skip
    table = model.personas_[["name", "size", "share", "confidence"]]
    print(_indent(table.to_string(formatters={"share": "{:.1%}".format,
                                              "confidence": "{:.2f}".format})))  # fmt: skip
    print(f"Model saved to {saved}/ (persona.load), report written to {page},\n"
          f"assigner exported to {assigner}/ (persona score {assigner} ..., "
          f"persona serve --assigner {assigner}).")  # fmt: skip
    return 0


def _validate(args: argparse.Namespace) -> int:
    from persona.features.touchpoints import JourneySettings
    from persona.project import Project, vocabulary_problems

    names = ("events", "survey", "emotions", "demographics")
    tables: dict = {k: getattr(args, k) for k in names}
    instrument = Instrument.from_file(args.instrument) if args.instrument else None
    journey = JourneySettings()
    if args.config is not None:
        project = Project.from_file(args.config)
        read = project.read()
        if read.get("survey") is not None:  # the duration column is not an item
            read["survey"] = split_duration(read["survey"], project.careless)[0]
        tables = {k: tables[k] if tables[k] else read.get(k) for k in names}
        instrument = instrument or project.instrument
        journey = project.journey
    if not any(value is not None for value in tables.values()):
        print(
            "persona validate: give --config persona.yaml, or at least one of --events, "
            "--survey, --emotions, --demographics",
            file=sys.stderr,
        )
        return 2
    if tables["survey"] is not None and instrument is None:
        print(
            "persona validate: survey: was given without an instrument, so its items cannot "
            "be read.\n  fix: add --instrument needs.yaml (the instrument as JSON or YAML), or "
            "instrument: in persona.yaml with --config.",
            file=sys.stderr,
        )
        return 2
    inputs = validate_inputs(**tables, instrument=instrument)
    for name in names:
        table = getattr(inputs, name)
        if table is not None:
            print(f"{name}: {len(table):,} rows, {table['customer_id'].nunique():,} customers: ok")
    if inputs.events is not None:
        for problem in vocabulary_problems(inputs.events, journey):
            print(f"warning: {problem}")
    return 0


def _score(args: argparse.Namespace) -> int:
    import logging

    from persona.scoring import score_files

    tables = {k: getattr(args, k) for k in ("events", "survey", "emotions")}
    options = None
    if args.config is not None:
        from persona.project import Project

        project = Project.from_file(args.config)
        tables = {k: v or project.tables.get(k) for k, v in tables.items()}
        options = project.read_options
    if not any(tables.values()):
        print("persona score: give --config persona.yaml, or at least one of --events, "
              "--survey, --emotions", file=sys.stderr)  # fmt: skip
        return 2
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(asctime)s %(name)s %(message)s")  # fmt: skip
    summary = score_files(
        args.model, **tables, out=args.out, chunk_customers=args.chunk_customers,
        n_jobs=args.n_jobs, observation_end=args.observation_end, resume=args.resume,
        overwrite=args.overwrite, drift_report=args.drift_report,
        progress=False if args.quiet else None, read_options=options,
    )  # fmt: skip
    print(summary)
    if args.drift_report:
        print(f"drift report written to {Path(args.drift_report) / 'drift.html'}")
    if args.fail_on_drift and summary.drift is not None and summary.drift.refit_recommended:
        return 3
    return 0


def _drift(args: argparse.Namespace) -> int:
    from persona.scoring._files import drift_of

    report = drift_of(args.out, report_to=args.report)
    print(report)
    print(f"drift report written to {Path(args.report) / 'drift.html'}")
    return 3 if args.fail_on_drift and report.refit_recommended else 0


def _serve(args: argparse.Namespace) -> int:
    try:
        from persona.serve import ServeSettings, run
    except ImportError as error:
        print(f"persona serve: {error}", file=sys.stderr)
        return 2
    assigner = persona.load_assigner(args.assigner)  # fail fast, before binding the port
    settings = ServeSettings(
        max_body_bytes=args.max_body_bytes,
        max_batch_records=args.max_batch_records,
        max_touchpoints=args.max_touchpoints,
        max_text_chars=args.max_text_chars,
        max_fields=args.max_fields,
        body_timeout=args.body_timeout,
    )
    print(
        f"persona serve: model {assigner.model_version} ({len(assigner.names)} personas) on "
        f"http://{args.host}:{args.port} with {args.workers} worker(s); Ctrl+C to stop",
        file=sys.stderr,
    )
    run(args.assigner, settings, host=args.host, port=args.port, workers=args.workers,
        graceful_timeout=args.graceful_timeout)  # fmt: skip
    return 0


def _indent(text: str, by: str = "  ") -> str:
    return "\n".join(by + line for line in text.splitlines())
