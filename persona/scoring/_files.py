"""Nightly scoring of the whole customer base: file to file, bounded memory, resumable.

:func:`score_files` reads the ``events``, ``survey`` and ``emotions`` tables
(Parquet files, partitioned Parquet folders or CSV files), scores every
customer with the distilled assigner of a model or an exported artifact, and
writes a Parquet dataset with one row per customer. This module runs the job
and sums it up (the counts, the drift report); it reads no input itself, and
touches the output folder through :mod:`._folder` (the manifest) and the passes.

How it works, in three passes over the input:

1. **Plan** (:mod:`._plan`). The customer ids of every table are read (that
   column alone) to number the customers in id order and cut them into chunks of
   ``chunk_customers``; the observation end is the latest touchpoint unless
   given. The plan goes into ``_manifest.json`` in the output folder.
2. **Partition** (:mod:`._partition`). Each table is streamed once, in record
   batches (:mod:`._inputs`), and every row is appended to its chunk's spill
   file (Arrow IPC), in input order. All of a customer's rows land in one chunk
   whatever order the files are in (by time, say), and memory holds one batch
   at a time.
3. **Score** (:mod:`._chunk`). Each chunk is read back, checked against the data
   contract, turned into features and scored by :func:`persona.scoring._tables.score_tables`,
   the function Spark and any other engine call too, and written as one Parquet file under
   a temporary name, then renamed. The manifest records each finished chunk
   (its counts, checksum and drift counts), so ``resume=True`` after a crash
   scores only what is missing and gives byte-identical files. Chunks run in
   parallel with ``n_jobs``; their output does not depend on it.

Nothing is lost and nothing doubled: a customer whose rows break the contract
is written to ``_rejects/`` with the reason, every other customer to the
scores, and the summary reconciles the counts (input = scored + rejected). A
chunk counts as finished only when it accounts for every customer the plan
gave it; spill files found missing or changed on resume are made again.

One job at a time writes to a folder (:mod:`._folder`): it holds an exclusive
lock on ``_job.lock`` there (its workers one on ``_workers.lock``), and a second
job is refused with the first one's pid. The folder is the job's own: it may not
hold or sit inside the job's inputs, and ``overwrite`` replaces only a scoring
job's folder, never other files.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from persona._validate import is_whole
from persona.contract import ReadOptions
from persona.drift import DriftAccumulator, DriftReport, DriftThresholds
from persona.errors import ArtifactError, ConfigError
from persona.scoring._chunk import _ChunkMismatch, _score_chunk
from persona.scoring._folder import (
    MANIFEST,
    _check_out,
    _finished,
    _job_fingerprint,
    _job_lock,
    _make_folder,
    _open_job,
    _write_manifest,
)
from persona.scoring._inputs import _source
from persona.scoring._partition import _partition, _spills_intact
from persona.scoring._plan import _plan, _planned_customers
from persona.scoring._tables import portable_assigner

if TYPE_CHECKING:  # pragma: no cover
    from persona.assignment import PortableAssigner
    from persona.model import PersonaModel


__all__ = ["ScoringSummary", "drift_of", "score_files"]

log = logging.getLogger("persona.scoring._files")

# _score_chunk and _partition are called through this module's names, so that a test
# can stand in for either (slow a chunk down, lose a spill file) on the whole job.


# --------------------------------------------------------------------------- the job


@dataclass
class ScoringSummary:
    """What a scoring job did: counts that reconcile, where things went, how long it took."""

    out: str
    input_customers: int
    scored: int
    rejected: int
    rows_without_customer: dict[str, int]
    chunks: int
    observation_end: str
    scored_at: str
    model_version: str
    seconds: float
    resumed_chunks: int = 0
    warnings: list[str] = field(default_factory=list)
    drift: DriftReport | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self) | {"drift": None}
        if self.drift is not None:
            out["drift"] = {
                "refit_recommended": self.drift.refit_recommended,
                "verdict": self.drift.verdict,
            }
        return out

    def __str__(self) -> str:
        lines = [
            f"{self.input_customers:,} customers in: {self.scored:,} scored, "
            f"{self.rejected:,} rejected (see {self.out}/_rejects), in {self.seconds:.1f} s",
        ]
        lost = {k: v for k, v in self.rows_without_customer.items() if v}
        if lost:
            lines.append(f"rows without a customer_id, left out: {lost}")
        if self.drift is not None:
            lines.append(f"drift: {self.drift.verdict}")
        return "\n".join(lines)


def score_files(
    model: PersonaModel | PortableAssigner | str | os.PathLike,
    *,
    events: Any = None,
    survey: Any = None,
    emotions: Any = None,
    out: str | os.PathLike,
    chunk_customers: int = 250_000,
    observation_end: Any = None,
    n_jobs: int = 1,
    resume: bool = False,
    overwrite: bool = False,
    drift_report: str | os.PathLike | None = None,
    drift_thresholds: DriftThresholds | None = None,
    top_reasons: int = 3,
    scored_at: Any = None,
    progress: bool | None = None,
    read_options: ReadOptions | None = None,
) -> ScoringSummary:
    """Score every customer of the input files into a Parquet dataset at ``out``.

    Parameters
    ----------
    model : PersonaModel, PortableAssigner or path
        A fitted model, a loaded assigner, or the folder of either
        (``model.save`` / ``model.export_assigner``).
    events, survey, emotions : path or DataFrame, optional
        Parquet file, folder of Parquet files, or CSV file; at least one.
    out : path
        The output folder: ``part-NNNNN.parquet`` (scores, sorted by customer
        within and across parts), ``_rejects/part-NNNNN.parquet``,
        ``_manifest.json`` (plan, finished chunks, summary) and the lock files
        ``_job.lock`` and ``_workers.lock``. Not a file, and neither the folder
        of an input (or of the model) nor inside one. One job at a time: a
        second job on the folder is refused with the first one's pid.
    chunk_customers : int, default=250_000
        Customers scored at once: what peak memory depends on, with ``n_jobs``.
    observation_end : timestamp, optional
        End of the touchpoint window; by default the latest touchpoint.
    n_jobs : int, default=1
        Chunks scored in parallel processes (-1: one per core).
    resume : bool, default=False
        Finish an interrupted job in ``out``: finished chunks are kept.
    overwrite : bool, default=False
        Replace what ``out`` holds from another scoring job. A folder that
        holds other files (no ``_manifest.json`` of a scoring job) is never
        emptied, with or without it.
    drift_report : path, optional
        A folder to write ``drift.json`` and ``drift.html`` to, comparing the
        night's base with the model's training base.
    drift_thresholds : DriftThresholds, optional
    top_reasons : int, default=3
    scored_at : timestamp, optional
        Stamped on every row; by default the job's start (kept on resume).
    progress : bool, optional
        A progress bar; by default when stderr is a terminal (else log lines).
    read_options : ReadOptions, optional
        CSV inputs' dialect and timestamp format (by default the dialect is
        read off each file's first lines, and timestamps are ISO 8601). With a
        ``timestamp_format``, a value it does not fit fails the job by name.

    Returns
    -------
    ScoringSummary
        Rerunning a finished job returns its summary and writes nothing.
    """
    started = time.perf_counter()
    scorer = portable_assigner(model)
    sources = {name: _source(name, value, read_options) for name, value in
               (("events", events), ("survey", survey), ("emotions", emotions))
               if value is not None}  # fmt: skip
    if not sources:
        raise ConfigError("Got no input: pass at least one of events=, survey=, emotions=.")
    if not is_whole(chunk_customers) or chunk_customers < 1:
        raise ConfigError(f"Got chunk_customers={chunk_customers!r}; expected a whole number >= 1.")
    folder = Path(out)
    _check_out(folder, sources, model)
    _make_folder(folder)
    with _job_lock(folder):
        job = _job_fingerprint(
            scorer, sources, chunk_customers, observation_end, top_reasons, scored_at
        )
        manifest = _open_job(folder, job, resume=resume, overwrite=overwrite)
        manifest.setdefault("model_version", scorer.model_version)
        # what `persona drift OUT` compares with
        manifest.setdefault("drift_reference", scorer.drift_reference)
        if manifest.get("summary") is not None:
            log.info("%s: this job already finished; nothing to do.", folder)
            return _summary_from(manifest, scorer.drift_reference, drift_thresholds, drift_report)
        if manifest.get("plan") is None:
            manifest["plan"] = _plan(sources, chunk_customers, observation_end, scored_at)
            _write_manifest(folder, manifest)
        resumed = _score_chunks(scorer, sources, folder, manifest, top_reasons, n_jobs, progress)
        plan = manifest["plan"]
        summary = _finish(
            folder, manifest, plan, scorer.drift_reference, drift_thresholds, drift_report
        )
        summary.seconds = time.perf_counter() - started
        summary.resumed_chunks = resumed
        manifest["summary"] = summary.to_dict()
        _write_manifest(folder, manifest)
        shutil.rmtree(folder / "_work", ignore_errors=True)
    log.info("%s", summary)
    return summary


def _score_chunks(scorer, sources, folder, manifest, top_reasons, n_jobs, progress) -> int:
    """Score the chunks not finished yet, recording each in the manifest; return how many
    were finished before."""
    plan = manifest["plan"]
    work = folder / "_work"
    direct = plan["n_chunks"] == 1  # one chunk: read the inputs as they are, no spill files
    done = manifest.setdefault("chunks", {})
    todo = [k for k in range(plan["n_chunks"])
            if not _finished(folder, done.get(str(k)), _planned_customers(plan, k))]  # fmt: skip
    if not direct and todo and not _spills_intact(work, manifest.get("spills"), todo):
        if manifest.get("spills") is not None:
            # Safe to make again: the job's fingerprint holds its inputs' size and time (a
            # frame's content hash), and resume only goes on with the same job, so the
            # inputs are those the plan was made of and every row lands where it did.
            log.warning("%s: spill files of unfinished chunks are missing or changed; "
                        "partitioning the inputs again.", work)  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)
        manifest["spills"] = _partition(sources, plan, work)
        _write_manifest(folder, manifest)
    settings = {
        "observation_end": plan["observation_end"],
        "scored_at": plan["scored_at"],
        "top_reasons": top_reasons,
        "tables": sorted(sources),
        "sources": sources if direct else None,
        "spills": None if direct else manifest["spills"],
        "customers": {k: _planned_customers(plan, k) for k in todo},
        "offsets": plan.get("offsets", {}),
        "id_kind": plan["id_kind"],
    }
    reference = scorer.drift_reference
    try:
        for result in _run(scorer, reference, work, folder, todo, settings, n_jobs, progress):
            done[str(result["chunk"])] = result
            _write_manifest(folder, manifest)
    except _ChunkMismatch:
        manifest.pop("spills", None)  # what the chunk was read from is not to be trusted
        _write_manifest(folder, manifest)
        raise
    return plan["n_chunks"] - len(todo)


def _run(scorer, reference, work, folder, todo, settings, n_jobs, progress):
    """Score the chunks left, in order or in parallel; yield each result as it finishes."""
    from joblib import Parallel, delayed

    bar = _progress(len(todo), progress)
    try:
        if n_jobs == 1 or len(todo) <= 1:
            for k in todo:
                result = _score_chunk(scorer, reference, work, folder, k, settings)
                bar(result)
                yield result
        else:
            tasks = (delayed(_score_chunk)(scorer, reference, work, folder, k, settings,
                                           single_threaded=True) for k in todo)  # fmt: skip
            runner = Parallel(n_jobs=n_jobs, return_as="generator_unordered")
            for result in runner(tasks):
                bar(result)
                yield result
    finally:
        bar(None)


def _progress(total: int, progress: bool | None):
    show = sys.stderr.isatty() if progress is None else progress
    if show:
        from tqdm.auto import tqdm

        meter = tqdm(total=total, unit="chunk", desc="scoring", file=sys.stderr)

        def step(result):
            if result is None:
                meter.close()
            else:
                meter.update(1)

        return step

    def note(result):
        if result is not None:
            log.info("chunk %d: %d scored, %d rejected, %.1f s", result["chunk"],
                     result["scored"], result["rejected"], result["seconds"])  # fmt: skip

    return note


# --------------------------------------------------------------------------- the summary


def _finish(folder, manifest, plan, reference, thresholds, report_to) -> ScoringSummary:
    chunks = manifest["chunks"]
    scored = sum(c["scored"] for c in chunks.values())
    rejected = sum(c["rejected"] for c in chunks.values())
    if scored + rejected != plan["customers"]:
        raise RuntimeError(
            f"Counts do not reconcile: {plan['customers']:,} customers in the input, but "
            f"{scored:,} scored and {rejected:,} rejected. This is a bug in persona; please "
            "report it with the manifest."
        )
    summary = ScoringSummary(
        out=str(folder),
        input_customers=plan["customers"],
        scored=scored,
        rejected=rejected,
        rows_without_customer=plan["rows_without_customer"],
        chunks=plan["n_chunks"],
        observation_end=plan["observation_end"],
        scored_at=plan["scored_at"],
        model_version=manifest.get("model_version", ""),
        seconds=0.0,
        warnings=sorted({w for c in chunks.values() for w in c["warnings"]}),
    )
    summary.drift = _drift(manifest, reference, thresholds, report_to)
    return summary


def _summary_from(manifest, reference, thresholds, report_to) -> ScoringSummary:
    stored = dict(manifest["summary"])
    stored.pop("drift", None)
    summary = ScoringSummary(**stored)
    summary.drift = _drift(manifest, reference, thresholds, report_to)
    return summary


def _drift(manifest, reference, thresholds, report_to) -> DriftReport | None:
    states = [c["drift"] for c in manifest["chunks"].values() if c.get("drift")]
    if reference is None:
        if report_to is not None:
            raise ArtifactError(
                "This model carries no drift reference (fitted before persona recorded one, "
                "or on a feature matrix): refit it to get drift reports."
            )
        return None
    total = DriftAccumulator(reference)
    for state in states:
        total.merge(DriftAccumulator.from_state(reference, state))
    if total.n_customers == 0:
        if report_to is not None:
            log.warning("No customer was scored, so there is no drift to report.")
        return None  # every customer rejected, or none in the input
    report = total.report(thresholds)
    if report_to is not None:
        target = Path(report_to)
        target.mkdir(parents=True, exist_ok=True)
        report.to_json(target / "drift.json")
        report.to_html(target / "drift.html")
    return report


def drift_of(
    out: str | os.PathLike,
    *,
    report_to: str | os.PathLike | None = None,
    thresholds: DriftThresholds | None = None,
) -> DriftReport:
    """The drift report of a scoring job in ``out`` (finished, or the chunks done so far)."""
    path = Path(out) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(
            f"{out} holds no {MANIFEST}: give the output folder of score_files (persona score)."
        )
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.setdefault("chunks", {})
    reference = manifest.get("drift_reference")
    if reference is None:
        raise ArtifactError(
            f"The job in {out} was scored with a model that carries no drift reference: refit "
            "the model to get drift reports."
        )
    report = _drift(manifest, reference, thresholds, report_to)
    if report is None:
        raise ArtifactError(
            f"The job in {out} scored no customer (all rejected, or none so far): there is "
            "nothing to compare with the training customers."
        )
    return report
