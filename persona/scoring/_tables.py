"""Scoring whole customers from in-memory tables: what every chunk and every engine runs.

:func:`score_tables` checks the tables against the data contract (setting
aside the customers whose rows break it, with the reason), builds their
features with the model's FeatureBuilder, and scores them with the distilled
assigner: the same arithmetic as ``model.predict_proba`` and
``assign_persona``, so the probabilities are theirs bit for bit. The result
is an Arrow table with one row per customer; lists (reasons, signals) are
built from offsets, with no loop over customers.

:func:`persona.score_files` calls it per chunk of a file-to-file job, and
:mod:`persona.scoring.spark` per group of a Spark DataFrame.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from persona.assignment import (
    UNASSIGNED,
    PortableAssigner,
    assignment_parts,
    contributions,
    load_assigner,
    top_reasons,
)
from persona.contract import validate_inputs
from persona.contract._schema import trusted
from persona.errors import ConfigError, InputError
from persona.features.builder import with_observation_end

if TYPE_CHECKING:  # pragma: no cover
    from persona.model import PersonaModel


__all__ = ["portable_assigner", "score_tables"]

_ID = "customer_id"
_BLOCK_ROWS = 8_192  # customers scored at once: temporaries of a few MB
_NO_TABLES = (
    "This model was fitted on a feature matrix, so it cannot read tables: score its "
    "feature matrix with model.predict_proba(X)."
)


def portable_assigner(model: Any) -> Any:
    """The small, picklable PortableAssigner of a model, an assigner, or the folder of either.

    What batch workers and Spark executors are shipped: the feature builder,
    the assigner's arrays, persona names and the drift reference, not the
    discovery model.
    """
    if isinstance(model, (str, os.PathLike)):
        path = Path(model)
        manifest = path / "manifest.json"
        if not manifest.exists():
            raise FileNotFoundError(
                f"{path} holds no manifest.json: give a folder written by "
                "model.export_assigner(path) or model.save(path)."
            )
        kind = json.loads(manifest.read_text(encoding="utf-8")).get("format")
        if kind == "persona-assigner":
            model = load_assigner(path)
        else:
            from persona.persistence import load

            model = load(path)
    if isinstance(model, PortableAssigner):
        portable = model
    elif hasattr(model, "assigner_"):
        parts = assignment_parts(model)
        portable = PortableAssigner(
            builder=parts.builder, assigner=parts.assigner, feature_names=parts.feature_names,
            persona_ids=parts.persona_ids, names=parts.names,
            descriptions={}, model_version=parts.version,
            drift_reference=getattr(model, "drift_reference_", None),
        )  # fmt: skip
    else:
        raise ConfigError(
            f"Got a {type(model).__name__}; score with a fitted PersonaModel, a PortableAssigner "
            "(persona.load_assigner) or the folder of either."
        )
    if portable.builder is None:
        raise ConfigError(_NO_TABLES)
    return portable


def score_tables(
    model: PersonaModel | PortableAssigner | str | os.PathLike,
    *,
    events: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    emotions: pd.DataFrame | None = None,
    observation_end: Any,
    scored_at: Any = None,
    top_reasons: int = 3,
) -> tuple[pa.Table, pd.DataFrame, pd.DataFrame]:
    """Score the customers of in-memory tables; what every chunk and engine runs.

    Parameters
    ----------
    model : PersonaModel or PortableAssigner
    events, survey, emotions : DataFrame, optional
        Whole customers: all of a customer's rows, in any order.
    observation_end : timestamp
        The end of the touchpoint window, shared by every chunk of a job.
    scored_at : timestamp, optional
        Stamped on every row (default: now, UTC, to the second).
    top_reasons : int, default=3
        Features listed in ``reasons``: those with the largest exact
        contribution to the persona's margin, among those the customer has.

    Returns
    -------
    scores : pyarrow.Table
        One row per scored customer, sorted by ``customer_id``: ``customer_id``,
        ``persona_id``, ``persona_name``, ``confidence``, ``probability_<id>``
        for each persona and ``probability_unassigned``, ``reasons`` (feature
        names), ``signals_used``, ``model_version``, ``scored_at``. The
        probabilities are ``model.predict_proba``'s and ``assign_persona``'s,
        bit for bit.
    rejects : DataFrame
        One row per customer whose rows break the data contract:
        ``customer_id``, ``table``, ``column``, ``reason``.
    features : DataFrame
        The raw features of the scored customers (for drift).
    """
    parts = assignment_parts(model)
    if parts.builder is None:
        raise ConfigError(_NO_TABLES)
    scored_at = _stamp(scored_at)
    tables = {"events": events, "survey": survey, "emotions": emotions}
    tables = {k: v for k, v in tables.items() if v is not None and len(v)}
    builder = with_observation_end(parts.builder, observation_end)
    checked, rejects = _checked(tables, builder.instrument)
    if any(t is not None for t in (checked.events, checked.survey, checked.emotions)):
        with trusted(checked.events, checked.survey, checked.emotions):
            raw = builder.compute(
                events=checked.events, survey=checked.survey, emotions=checked.emotions
            )
    else:
        raw = pd.DataFrame(columns=parts.feature_names, dtype=np.float64)
        raw.index.name = _ID
    # A customer whose every touchpoint falls after the window still gets a row:
    # no signal, unassigned.
    customers = _customers_of(checked)
    if not raw.index.equals(customers):
        raw = raw.reindex(customers)
        for group in ("psychographic", "behaviour", "emotion"):
            raw[f"available__{group}"] = raw[f"available__{group}"].fillna(0.0)
    raw, overflowed = _without_overflow(raw)
    if len(overflowed):
        rejects = pd.concat([rejects, overflowed], ignore_index=True)
    scores = _score_rows(parts, builder, raw, top_reasons, scored_at)
    return scores, rejects, raw


# The table each feature group is computed from, for the customers a feature sets aside.
_GROUP_TABLES = {"behaviour": "events", "psychographic": "survey", "emotion": "emotions"}


def _without_overflow(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``raw`` without the customers whose numbers overflow a feature to infinity (two
    purchases of 1.7e308 sum to inf), and those customers as rejects naming the feature."""
    infinite = np.isinf(raw.to_numpy(dtype=np.float64))
    bad = infinite.any(axis=1)
    if not bad.any():
        return raw, pd.DataFrame(columns=[_ID, "table", "column", "reason"])
    first = raw.columns.to_numpy()[np.argmax(infinite[bad], axis=1)].astype(str)
    groups = pd.Series(first).str.split("__", n=1).str[0]
    rejects = pd.DataFrame({
        _ID: raw.index[bad].to_numpy(),
        "table": groups.map(_GROUP_TABLES).fillna("events").to_numpy(),
        "column": first,
        "reason": np.char.add(first, ": this customer's numbers are so large that the "
                              "feature overflows a float64 (check for corrupt amounts or "
                              "scores)"),
    })  # fmt: skip
    return raw.loc[~bad], rejects


def _score_rows(parts, builder, raw: pd.DataFrame, top: int, scored_at) -> pa.Table:
    """Probabilities, reasons and signals of every row of ``raw``, block by block.

    Blocks keep each temporary to a few MB, which the allocator reuses: fresh
    hundred-MB arrays cost more in page faults than the arithmetic on them.
    """
    n, k = len(raw), len(parts.persona_ids)
    assigner = parts.assigner
    proba = np.empty((n, k + 1))
    reason_at = np.full((n, max(top, 0)), -1, dtype=np.int64)
    has = np.empty((n, len(assigner.groups)), dtype=bool)
    numpy_scaling = parts.feature_names == builder._feature_columns()
    features = raw[parts.feature_names]
    for start in range(0, n, _BLOCK_ROWS):
        block = slice(start, min(start + _BLOCK_ROWS, n))
        raw_values = features.iloc[block].to_numpy(dtype=np.float64)
        if numpy_scaling:  # transform's arithmetic, in numpy
            values = builder.scale_rows(raw_values)
        else:
            values = builder._scale(raw.iloc[block])[parts.feature_names].to_numpy(np.float64)
        has[block] = assigner.availability(values)
        if top <= 0:
            proba[block] = assigner.predict_proba(values)
            continue
        explained = contributions(assigner, values)
        proba[block] = explained.proba
        reason_at[block] = top_reasons(explained.values, top, missing=np.isnan(raw_values))
    best = np.argmax(proba, axis=1)
    ids_with_unassigned = np.append(parts.persona_ids, UNASSIGNED).astype(np.int64)
    persona_id = ids_with_unassigned[best]
    names = [parts.names.get(int(p), "unassigned") for p in ids_with_unassigned]
    columns: dict[str, Any] = {
        _ID: pa.array(raw.index.to_numpy()),
        "persona_id": pa.array(persona_id),
        "persona_name": pa.DictionaryArray.from_arrays(
            pa.array(best.astype(np.int32)), pa.array(names)
        ).cast(pa.string()),
        "confidence": pa.array(proba[np.arange(n), best]),
    }
    for j, p in enumerate(ids_with_unassigned.tolist()):
        label = "unassigned" if p == UNASSIGNED else str(p)
        columns[f"probability_{label}"] = pa.array(proba[:, j])
    columns["reasons"] = _lists(reason_at >= 0, reason_at, parts.feature_names)
    groups = list(assigner.groups)
    slots = np.broadcast_to(np.arange(len(groups)), has.shape)
    columns["signals_used"] = _lists(has, slots, groups)
    columns["model_version"] = pa.array([parts.version] * n, pa.string())
    stamps = np.full(n, scored_at.tz_localize(None).to_datetime64())
    columns["scored_at"] = pa.array(stamps, pa.timestamp("us", "UTC"))
    return pa.table(columns)


def _lists(keep: np.ndarray, positions: np.ndarray, labels: list[str]) -> pa.Array:
    """A list<string> column from a (rows, slots) mask and label positions, without a row loop."""
    counts = keep.sum(axis=1)
    offsets = np.zeros(len(keep) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    codes = pa.array(positions[keep].astype(np.int32))
    flat = pa.DictionaryArray.from_arrays(codes, pa.array(labels, pa.string())).cast(pa.string())
    return pa.ListArray.from_arrays(pa.array(offsets), flat)


def _checked(tables: dict[str, pd.DataFrame], instrument: Any):
    """The tables validated together, and the customers whose rows break the contract.

    Each check reports every offending row; their customers are set aside with
    the reason and the rest checked again, until the tables pass. A problem in
    a table's shape (a missing column, say) is no customer's fault: it raises.
    """
    rejected: list[pd.DataFrame] = []
    while True:
        try:
            checked = validate_inputs(**tables, instrument=instrument)
            break
        except InputError as error:
            table = tables.get(error.table)
            if error.positions is None or table is None or len(error.positions) == 0:
                raise
            ids = table[_ID].iloc[error.positions]
            counts = ids[ids.notna()].value_counts(sort=False)
            bad = counts.index.to_numpy()
            # Counted among the customer's own rows: the reason does not depend on who
            # else shares the chunk (or the Spark group).
            where = f"{error.table}.{error.column}" if error.column else error.table
            fix = f" ({error.fix})" if error.fix else ""
            n_rows = counts.astype(str).to_numpy().astype(object)
            reasons = where + ": " + n_rows + " of this customer's rows " + error.phrase + fix
            rejected.append(pd.DataFrame({_ID: bad, "table": error.table,
                                          "column": error.column, "reason": reasons}))  # fmt: skip
            drop = set(bad.tolist())
            # Rows without an id belong to nobody: left out here, counted by the plan.
            tables = {
                name: frame.loc[~(frame[_ID].isin(drop) | frame[_ID].isna()).to_numpy()]
                for name, frame in tables.items()
            }
            tables = {k: v for k, v in tables.items() if len(v)}
            if not tables:
                checked = validate_inputs(instrument=instrument)
                break
    columns = [_ID, "table", "column", "reason"]
    rejects = pd.concat(rejected, ignore_index=True) if rejected else pd.DataFrame(columns=columns)
    return checked, rejects


def _customers_of(checked) -> pd.Index:
    found = [t[_ID] for t in (checked.events, checked.survey, checked.emotions) if t is not None]
    if not found:
        return pd.Index([], name=_ID)
    ids = pd.Index(found[0].unique(), name=_ID)
    for more in found[1:]:  # a union of Indexes keeps one integer type (no float detour)
        ids = ids.union(pd.Index(more.unique()), sort=False)
    return ids.sort_values().rename(_ID)


def _stamp(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp.now(tz="UTC").floor("s") if value is None else pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tz is None else stamp.tz_convert("UTC")
