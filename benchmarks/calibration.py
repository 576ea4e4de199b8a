"""Is persona's confidence honest on thin records, far records, and worlds it was not tuned on?

    python benchmarks/calibration.py [--scale 0.5] [--seeds 0 1] [--worlds PATTERN ...]
                                     [--out benchmarks/calibration-results.csv]

Each world of the zoo (persona.datasets.world_zoo, structured worlds only: a
null world has no persona to be right about) is drawn with each seed; its
customers are split 70 / 30 at random. PersonaModel is fitted on the 70 % as
the README shows, and the 30 % held-out customers are scored:

- with their whole journey, and with their journey cut to its first 1, 2, 3,
  5, 10 and 20 touchpoints (persona.features.first_touchpoints: emotion
  readings after the cut are left out too);
- each with and without their survey (when they answered one), and with and
  without their emotion readings.

Every record is scored twice, by the same discovered personas: by the
assigner persona fits today ("new": one model per signal pattern and
evidence bin, learned on whole and cut journeys) and by the assigner it
fitted before ("old": one model per signal pattern, learned on whole records).

A record's assignment is *right* when its persona is the true persona the
record's customer has: each discovered persona stands for the true persona
most of its training members have. An unassigned record is never right
(every customer of a structured world has a persona). Per evidence bin (the
touchpoints the record holds: 1, 2-3, 4-10, 11+; with or without a survey)
the table gives the records, their accuracy and mean confidence, the expected
calibration error (ECE: 10 equal-width confidence bins, the mean of |accuracy
- confidence| weighted by records), and the share of records with confidence
>= 0.9 and their accuracy. A second reading takes as right the persona the
model gives the customer's whole record with every signal (the best it could
know): it separates calibration from discovery's own errors.

Far records: the held-out whole records moved by 3 and by 10 spreads on every
feature they have, records drawn uniformly within each feature's training
range (random, independent features), and records with no usable signal. For
those the table gives the mean unassigned share and the share given a persona
with confidence >= 0.9.

Every world is fitted with random_state=0 and one BLAS thread. A third reading takes the
truth again, on the worlds where discovery found the personas best (ARI >= 0.7 on the
training respondents): calibration against the truth, where discovery is nearly right. Results go to
the CSV and, as tables, to stdout; benchmarks/calibration-results.md keeps the
committed run.
"""

from __future__ import annotations

import argparse
import fnmatch
import platform
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

import persona
from persona.assignment import Assigner
from persona.datasets import make_world, world_zoo
from persona.features import first_touchpoints
from persona.features.builder import with_observation_end

LENGTHS = (1, 2, 3, 5, 10, 20, None)  # None: the whole journey
BINS = ((1, 1, "1"), (2, 3, "2-3"), (4, 10, "4-10"), (11, np.inf, "11+"))
CONFIDENT = 0.9
_GOOD_DISCOVERY = 0.7


def _discovery_ari(model, data, train: pd.Index) -> float:
    """ARI between the model's personas and the truth, on the training respondents."""
    answered = train[train.isin(data.survey["customer_id"])]
    return adjusted_rand_score(data.truth.loc[answered], model.labels_.loc[answered])


def ece(confidence: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error over equal-width confidence bins."""
    if not len(confidence):
        return float("nan")
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.sum() * abs(right[inside].mean() - confidence[inside].mean())
    return total / len(confidence)


def _split(data, seed: int) -> tuple[pd.Index, pd.Index]:
    customers = data.truth.index
    order = np.random.default_rng(seed).permutation(len(customers))
    cut = int(0.7 * len(customers))
    return customers[np.sort(order[:cut])], customers[np.sort(order[cut:])]


def _of(table: pd.DataFrame | None, customers: pd.Index) -> pd.DataFrame | None:
    if table is None:
        return None
    return table.loc[table["customer_id"].isin(customers)].reset_index(drop=True)


def _fit(data, train: pd.Index) -> persona.PersonaModel:
    builder = persona.FeatureBuilder(instrument=data.instrument, journey=data.journey)
    model = persona.PersonaModel(features=builder, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(
            events=_of(data.events, train),
            survey=_of(data.survey, train),
            emotions=_of(data.emotions, train),
        )
    return model


def _assigners(model) -> dict[str, Assigner]:
    """The assigner persona fits ("new"), the one it fitted before evidence bins ("old": one
    model per pattern, learned on whole records), and the new one without its temperature
    ("bins only"), all of the same discovered personas."""
    values, labels = model.fitted_.discovery.values, model.fitted_.discovery.labels
    old = Assigner(model.assigner_.groups, max_distance=model.max_distance)
    found = {"new": model.assigner_, "old": old.fit(values, labels)}
    evidence = model.assigner_.evidence
    if evidence is not None:
        records, owner = model.fitted_.discovery.thin
        setting = {"column": evidence[0], "edges": evidence[1].tolist()}
        plain = Assigner(model.assigner_.groups, max_distance=model.max_distance,
                         evidence=setting)  # fmt: skip
        found["bins only"] = plain.fit(values, labels, thin=(records, labels[owner], owner))
    return found


def _truth_of_persona(model, data, train: pd.Index) -> np.ndarray:
    """For each persona index, the true persona most of its training members have."""
    labels = model.assigner_.predict(model.fitted_.training.loc[train].to_numpy(np.float64))
    truth = data.truth.loc[train].to_numpy()
    mapping = np.full(model.n_personas_, -2)
    for k in range(model.n_personas_):
        members = truth[labels == k]
        if len(members):
            values, counts = np.unique(members, return_counts=True)
            mapping[k] = values[np.argmax(counts)]
    return mapping


def _matrix(model, events, survey, emotions) -> pd.DataFrame:
    builder = with_observation_end(model.features_, model.features_.observation_end_)
    tables = {"events": events, "survey": survey, "emotions": emotions}
    frame = builder.transform(**{k: v for k, v in tables.items() if v is not None})
    return frame[list(model.feature_names_out_)]


def _records(model, data, held: pd.Index):
    """Held-out records by length, survey and emotions: (matrix, touchpoints, setting)."""
    events, survey, emotions = (_of(t, held) for t in (data.events, data.survey, data.emotions))
    for length in LENGTHS:
        if length is None:
            cut_events, cut_emotions = events, emotions
        else:
            cut_events, cut_emotions = first_touchpoints(events, length, emotions=emotions)
        if cut_emotions is not None and not len(cut_emotions):
            cut_emotions = None  # no reading yet at this point of the journeys
        counts = cut_events.groupby("customer_id").size()
        for with_survey in (True, False):
            for with_emotions in (True, False):
                if with_emotions and cut_emotions is None:
                    continue
                frame = _matrix(
                    model,
                    cut_events,
                    survey if with_survey else None,
                    cut_emotions if with_emotions else None,
                )
                answered = frame.index.isin(survey["customer_id"])
                # Records with touchpoints; a non-respondent's record is scored once, without.
                frame = frame.loc[frame.index.isin(counts.index) & (answered | (not with_survey))]
                yield (
                    frame,
                    counts.reindex(frame.index).to_numpy(),
                    {
                        "length": "whole" if length is None else length,
                        "survey": with_survey,
                        "emotions": with_emotions,
                        # The whole record with every signal the customer has: its own reference.
                        "whole": length is None
                        and (with_emotions or cut_emotions is None)
                        and (with_survey | ~frame.index.isin(survey["customer_id"])),
                    },
                )


def _scored_rows(world: str, seed: int, model, assigners, data, held) -> list[dict]:
    mapping = _truth_of_persona(model, data, model.fitted_.training.index.difference(held))
    whole = _matrix(model, *(_of(t, held) for t in (data.events, data.survey, data.emotions)))
    # The persona of the whole record with every signal: for a respondent, what discovery
    # would say of them, the labels the assigner learns from.
    references = {
        name: pd.Series(assigner.predict(whole.to_numpy(np.float64)), index=whole.index)
        for name, assigner in assigners.items()
    }
    rows = []
    for frame, touchpoints, setting in _records(model, data, held):
        X = frame.to_numpy(np.float64)
        truth = data.truth.loc[frame.index].to_numpy()
        for name, assigner in assigners.items():
            best = references[name].reindex(frame.index).to_numpy()
            proba = assigner.predict_proba(X)
            label = persona.assignment._assigner.labels_from_proba(proba)
            confidence = proba.max(axis=1)
            true_persona = np.where(label >= 0, mapping[np.maximum(label, 0)], -3)
            for low, high, tag in BINS:
                inside = (touchpoints >= low) & (touchpoints <= high)
                for survey in (True, False):
                    answered = frame.index.isin(data.survey["customer_id"]) & setting["survey"]
                    chosen = inside & (answered == survey)
                    if not chosen.any():
                        continue
                    rows.append(
                        {
                            "world": world, "seed": seed, "assigner": name,
                            "length": setting["length"], "emotions": setting["emotions"],
                            "bin": tag, "survey": survey,
                            "records": int(chosen.sum()),
                            "confidence": confidence[chosen],
                            "right": (true_persona == truth)[chosen],
                            "right_ref": ((label == best) & (label >= 0))[chosen],
                            "whole": np.broadcast_to(setting["whole"], len(X))[chosen],
                            "respondent": frame.index.isin(data.survey["customer_id"])[chosen],
                        }
                    )  # fmt: skip
    return rows


def _far_rows(world: str, seed: int, model, assigners, data, held) -> list[dict]:
    whole = _matrix(model, *(_of(t, held) for t in (data.events, data.survey, data.emotions)))
    X = whole.to_numpy(np.float64)
    with warnings.catch_warnings():  # a column nobody has: no spread, moved by NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanstd(model.fitted_.training.to_numpy(np.float64), axis=0)
    rng = np.random.default_rng(seed)
    low, high = model.assigner_.low_, model.assigner_.high_
    kinds = {
        "shifted by 3 spreads": X + 3 * spread * rng.choice([-1, 1], size=X.shape),
        "shifted by 10 spreads": X + 10 * spread * rng.choice([-1, 1], size=X.shape),
        "random within range": np.where(np.isnan(X), np.nan, rng.uniform(low, high, size=X.shape)),
        "no usable signal": np.full((10, X.shape[1]), np.nan),
    }
    rows = []
    for kind, records in kinds.items():
        for name, assigner in assigners.items():
            proba = assigner.predict_proba(records)
            label = persona.assignment._assigner.labels_from_proba(proba)
            rows.append(
                {
                    "world": world, "seed": seed, "assigner": name, "kind": kind,
                    "records": len(records),
                    "unassigned_share": float(proba[:, -1].mean()),
                    "confident_persona": float(((label >= 0) & (proba.max(1) >= CONFIDENT)).mean()),
                    "in_distribution_unassigned": np.nan,
                }
            )  # fmt: skip
    for name, assigner in assigners.items():
        proba = assigner.predict_proba(X)
        rows.append(
            {
                "world": world, "seed": seed, "assigner": name, "kind": "held-out whole records",
                "records": len(X), "unassigned_share": float(proba[:, -1].mean()),
                "confident_persona": float(
                    ((proba[:, :-1].argmax(1) >= 0) & (proba.max(1) >= CONFIDENT)).mean()
                ),
                "in_distribution_unassigned": float(
                    (persona.assignment._assigner.labels_from_proba(proba) < 0).mean()
                ),
            }
        )  # fmt: skip
    return rows


def _per_world(flat: pd.DataFrame) -> pd.DataFrame:
    """Records, accuracy against the truth and mean confidence per world, seed, assigner and
    evidence bin (over journey lengths and with / without emotions)."""
    keys = ["world", "seed", "discovery_ari", "assigner", "survey", "bin"]
    weighted = flat.assign(
        accuracy=flat["accuracy"] * flat["records"],
        mean_confidence=flat["mean_confidence"] * flat["records"],
    )
    out = weighted.groupby(keys, sort=False)[["records", "accuracy", "mean_confidence"]].sum()
    out[["accuracy", "mean_confidence"]] = out[["accuracy", "mean_confidence"]].div(
        out["records"], axis=0
    )
    return out.reset_index()


def _kept(group: pd.DataFrame, right: str) -> np.ndarray:
    """The records a reading judges: every one against the truth; against the whole
    record, the respondents' records other than the whole record itself."""
    whole = np.concatenate(group["whole"].to_list())
    if right != "right_ref":
        return np.ones_like(whole)
    return ~whole & np.concatenate(group["respondent"].to_list())


def _summaries(scored: list[dict], right: str) -> pd.DataFrame:
    frame = pd.DataFrame(scored)
    out = []
    for (assigner, survey, tag), group in frame.groupby(["assigner", "survey", "bin"], sort=False):
        keep = _kept(group, right)
        confidence = np.concatenate(group["confidence"].to_list())[keep]
        hit = np.concatenate(group[right].to_list())[keep]
        confident = confidence >= CONFIDENT
        by_world = []
        for _, g in group.groupby(["world", "seed"]):
            kept = _kept(g, right)
            by_world.append(
                ece(
                    np.concatenate(g["confidence"].to_list())[kept],
                    np.concatenate(g[right].to_list())[kept],
                )
            )
        out.append(
            {
                "assigner": assigner, "survey": "with" if survey else "without", "bin": tag,
                "records": len(confidence), "accuracy": hit.mean(),
                "confidence": confidence.mean(), "ECE": ece(confidence, hit),
                "worst world ECE": np.nanmax(by_world),
                "share >= 0.9": confident.mean(),
                "accuracy >= 0.9": hit[confident].mean() if confident.any() else np.nan,
            }
        )  # fmt: skip
    order = {tag: i for i, (_, _, tag) in enumerate(BINS)}
    table = pd.DataFrame(out)
    table["_order"] = table["bin"].map(order)
    table = table.sort_values(["survey", "_order", "assigner"], ascending=[False, True, True])
    return table.drop(columns="_order")


def _markdown(table: pd.DataFrame) -> str:
    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---:" if t.kind in "iuf" else "---" for t in table.dtypes) + "|"
    lines = [head, rule]
    for row in table.itertuples(index=False):
        cells = [
            f"{v:,}" if isinstance(v, (int, np.integer)) else f"{v:.3f}" if isinstance(v, float)
            else str(v)
            for v in row
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--worlds", nargs="*", default=None)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/calibration-results.csv"))
    args = parser.parse_args()
    with threadpool_limits(limits=1):  # one BLAS thread: two shared cores
        _run(args)


def _run(args: argparse.Namespace) -> None:
    specs = [s for s in world_zoo(args.scale) if s.null is None]
    if args.worlds:
        specs = [s for s in specs if any(fnmatch.fnmatch(s.name, p) for p in args.worlds)]
    print(
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, persona {persona.__version__}, Python "
        f"{platform.python_version()}, scale {args.scale:g}, seeds {args.seeds}, "
        f"{len(specs)} worlds"
    )
    scored, far, ari = [], [], []
    for spec in specs:
        for seed in args.seeds:
            started = time.perf_counter()
            data = make_world(spec, random_state=seed)
            train, held = _split(data, seed)
            model = _fit(data, train)
            assigners = _assigners(model)
            rows = _scored_rows(spec.name, seed, model, assigners, data, held)
            ari.append(_discovery_ari(model, data, train))
            scored += [row | {"discovery_ari": ari[-1]} for row in rows]
            far += _far_rows(spec.name, seed, model, assigners, data, held)
            took = time.perf_counter() - started
            line = f"  {spec.name} seed {seed}: {model.n_personas_} personas, "
            print(f"{line}discovery ARI {ari[-1]:.2f}, {took:.1f} s", file=sys.stderr, flush=True)
    flat = pd.DataFrame(scored)
    flat["accuracy"] = [r.mean() for r in flat["right"]]
    flat["mean_confidence"] = [c.mean() for c in flat["confidence"]]
    flat = _per_world(
        flat.drop(columns=["confidence", "right", "right_ref", "whole", "respondent"])
    )
    flat.to_csv(args.out, index=False)
    print("\n### Right = the customer's true persona\n")
    print(_markdown(_summaries(scored, "right")))
    good = [row for row in scored if row["discovery_ari"] >= _GOOD_DISCOVERY]
    worlds = len({(row["world"], row["seed"]) for row in good})
    print(
        f"\n### Right = the true persona, on the {worlds} worlds x seeds where discovery "
        f"found the personas (ARI >= {_GOOD_DISCOVERY} on the training respondents)\n"
    )
    print(_markdown(_summaries(good, "right")) if good else "(none)")
    print("\n### Right = the persona of the customer's whole record\n")
    print(_markdown(_summaries(scored, "right_ref")))
    far_table = (
        pd.DataFrame(far)
        .groupby(["kind", "assigner"], sort=False)[
            ["unassigned_share", "confident_persona", "in_distribution_unassigned"]
        ]
        .mean()
        .reset_index()
    )
    print("\n### Far records and records without signal\n")
    print(_markdown(far_table))


if __name__ == "__main__":
    main()
