"""Persona discovery on the world zoo, side by side with peers and a supervised oracle.

    python benchmarks/worlds.py [--scale 1.0] [--seeds 0 1 2] [--worlds PATTERN ...]
                                [--contenders NAME ...] [--out benchmarks/worlds-results.csv]

make_customers is the base persona's defaults grew up on; the zoo
(persona.datasets.world_zoo) is 28 structured worlds drawn from assumptions
of their own (3 to 12 personas, close pairs, other answer scales, reverse-keyed
and shuffled items, answer styles, a retailer's own vocabulary with a full,
partial or no taxonomy, comments in Italian, no emotions, shuffled logs...)
and 4 null worlds without personas. Every world is drawn with each seed as its
random_state; every contender fits it with random_state=0, in this process:

- persona: PersonaModel(features=FeatureBuilder(instrument,
  journey=data.journey)).fit(events, survey, emotions, demographics), as the
  README shows (the instrument goes to the builder only); it finds the
  number of personas, or warns "No persona structure found" and gives
  everyone one persona.
- kmeans, stepmix: KMeans(true k, n_init=10) and a StepMix latent profile
  model (continuous, true k) on the respondents' standardised need scores
  (the mean of each dimension's reverse-keyed items).
- umap_hdbscan: UMAP() and HDBSCAN(min_cluster_size=max(5, 2 % of
  respondents)) with their defaults, on the same need scores; noise stays -1.
- oracle: the ceiling. A logistic regression trained on the true personas and
  cross-validated (5 stratified folds): on respondents from their need scores
  and persona's whole feature matrix, on all customers from the feature matrix
  (NaN as 0, availability flags included). It sees the signal persona sees,
  with the truth. It does not run on null worlds.

Scores: the adjusted Rand index against the truth on survey respondents and on
all customers; a customer without a label (persona's unassigned, a peer's
noise, and the non-respondents the peers cannot label) counts as one more
group. The personas found against the true count, Cramér's V between the
labels and age band (bias-corrected, as Bergsma 2013), and the
time of the contender's call (feature building included). On a null world the
truth is one group, so ARI is undefined ("—"): what counts there is one persona
and the warning. The summary gives each contender's ARI as a share of the
oracle's on the same world and seed (median over structured world x seeds),
against the targets of the worlds issue.

Before the clock starts, every contender fits a small world once, so numba's
compilation is not counted in the first world's time; every contender runs
with one BLAS / OpenMP thread. A failing contender is a row with its error;
the run goes on. At scale 0.25 (1,500 customers) a world and seed took 3 to
5 s for all five contenders on a shared 2-core machine, persona 2.6 to 3.5 s
of it.
"""

from __future__ import annotations

import argparse
import fnmatch
import platform
import sys
import time
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from threadpoolctl import threadpool_limits

import persona
from persona.datasets import WorldSpec, make_world, world_zoo
from persona.features.psychographic import psychographic_features

NO_STRUCTURE = "No persona structure found"
UNASSIGNED = -1
TARGETS = {"count": 0.90, "respondents": 0.95, "all": 0.92}
COLUMNS = [
    "world", "seed", "null", "customers", "respondents", "contender", "personas_true",
    "personas_found", "ari_respondents", "ari_all", "unassigned", "cramers_v_age",
    "no_structure", "gap", "gap_bar", "fit_s", "n_warnings", "warnings", "error",
]  # fmt: skip


@dataclass
class Outcome:
    """A contender's labels by customer_id; customers it leaves out count as unassigned."""

    labels: pd.Series
    respondent_labels: pd.Series | None = None  # when respondents get labels of their own
    details: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- contenders


def run_persona(data) -> Outcome:
    """What a user who read the README does: the tables in, personas out.

    The instrument goes to the feature builder only: PersonaModel refuses it twice.
    """
    builder = persona.FeatureBuilder(instrument=data.instrument, journey=data.journey)
    model = persona.PersonaModel(features=builder, random_state=0)
    model.fit(
        events=data.events,
        survey=data.survey,
        emotions=data.emotions,
        demographics=data.demographics,
    )
    structure = getattr(model, "structure_", None)
    details = {"gap": np.nan, "gap_bar": np.nan}
    if structure is not None:  # the structure test's gap and the bar it had to clear
        details = {"gap": structure.gap, "gap_bar": structure.z * structure.standard_error}
    return Outcome(model.labels_, details=details)


def run_kmeans(data) -> Outcome:
    needs = _need_scores(data)
    labels = KMeans(_true_k(data), n_init=10, random_state=0).fit_predict(needs.to_numpy())
    return Outcome(pd.Series(labels, index=needs.index))


def run_stepmix(data) -> Outcome:
    """A latent profile analysis, as practitioners run it on need scores."""
    from stepmix.stepmix import StepMix

    needs = _need_scores(data)
    model = StepMix(
        n_components=_true_k(data), measurement="continuous", random_state=0, verbose=0,
        progress_bar=0,
    )  # fmt: skip
    labels = model.fit(needs.to_numpy()).predict(needs.to_numpy())
    return Outcome(pd.Series(labels, index=needs.index))


def run_umap_hdbscan(data) -> Outcome:
    """UMAP and HDBSCAN with their defaults: what a practitioner tries first."""
    import hdbscan
    from umap import UMAP

    needs = _need_scores(data)
    embedding = UMAP(random_state=0, n_jobs=1).fit_transform(needs.to_numpy())
    size = max(5, round(0.02 * len(needs)))
    labels = hdbscan.HDBSCAN(min_cluster_size=size, core_dist_n_jobs=1).fit_predict(embedding)
    return Outcome(pd.Series(labels, index=needs.index))


def run_oracle(data) -> Outcome:
    """The ceiling: persona's signal plus the truth, cross-validated."""
    builder = persona.FeatureBuilder(instrument=data.instrument, journey=data.journey)
    matrix = builder.fit_transform(events=data.events, survey=data.survey, emotions=data.emotions)
    matrix = matrix.fillna(0.0)
    needs = _need_scores(data)
    return Outcome(
        labels=_cross_validated(matrix, data.truth),
        respondent_labels=_cross_validated(needs.join(matrix), data.truth),
    )


CONTENDERS = {
    "persona": run_persona,
    "kmeans": run_kmeans,
    "stepmix": run_stepmix,
    "umap_hdbscan": run_umap_hdbscan,
    "oracle": run_oracle,
}


def _need_scores(data) -> pd.DataFrame:
    """Respondents' need scores, standardised; a dimension left unscored is at its mean."""
    scores = psychographic_features(data.survey, data.instrument).filter(like="psychographic__")
    scores.columns = scores.columns.str.replace("psychographic__", "need__")
    spread = scores.std(ddof=0).replace(0.0, 1.0)
    return ((scores - scores.mean()) / spread).fillna(0.0)


def cramers_v(a: pd.Series, b: pd.Series) -> float:
    """Bias-corrected Cramér's V (Bergsma 2013) between two categorical series.

    The plain statistic grows with the table's size over the sample's: 450
    respondents in 6 labels x 6 age bands reach about 0.1 by chance alone, so
    contenders labelling respondents only would look more demographic than
    one labelling every customer.
    """
    table = pd.crosstab(a, b).to_numpy(dtype=float)
    n = table.sum()
    if n < 2 or min(table.shape) < 2:
        return 0.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / n
    phi2 = ((table - expected) ** 2 / expected).sum() / n
    r, k = table.shape
    phi2 = max(0.0, phi2 - (r - 1) * (k - 1) / (n - 1))
    r, k = r - (r - 1) ** 2 / (n - 1), k - (k - 1) ** 2 / (n - 1)
    return float(np.sqrt(phi2 / min(r - 1, k - 1))) if min(r, k) > 1 else 0.0


def _true_k(data) -> int:
    return int(data.truth.nunique())


def _cross_validated(X: pd.DataFrame, truth: pd.Series) -> pd.Series:
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    y = truth.reindex(X.index).to_numpy()
    labels = cross_val_predict(LogisticRegression(max_iter=2000), X.to_numpy(), y, cv=folds)
    return pd.Series(labels, index=X.index)


# --------------------------------------------------------------------------- scoring


def _scores(data, outcome: Outcome) -> dict:
    truth = data.truth
    labels = outcome.labels.reindex(truth.index).fillna(UNASSIGNED).astype(np.int64)
    answered = pd.Index([] if data.survey is None else data.survey["customer_id"].unique())
    own = labels if outcome.respondent_labels is None else outcome.respondent_labels
    on_respondents = own.reindex(answered).fillna(UNASSIGNED).astype(np.int64)
    structured = truth.nunique() > 1
    found = labels[labels != UNASSIGNED]
    age_band = data.demographics.set_index("customer_id")["age_band"].astype(str)
    return {
        "personas_found": int(found.nunique()),
        "ari_respondents": (
            adjusted_rand_score(truth.reindex(answered), on_respondents)
            if structured and len(answered)
            else np.nan
        ),
        "ari_all": adjusted_rand_score(truth, labels) if structured else np.nan,
        "unassigned": float((labels == UNASSIGNED).mean()),
        "cramers_v_age": cramers_v(found, age_band.reindex(found.index)),
    }


def _run(name: str, data) -> dict:
    """One contender on one world: its scores, or the error that stopped it."""
    row: dict = {"contender": name}
    # One BLAS / OpenMP thread: on two shared cores, threaded BLAS made the oracle's
    # logistic regression 20x slower and KMeans' time erratic.
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(limits=1):
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            outcome = CONTENDERS[name](data)
            row["fit_s"] = time.perf_counter() - start
            row |= _scores(data, outcome) | outcome.details
        except Exception as error:  # a failed row, never a failed run
            row["fit_s"] = time.perf_counter() - start
            row["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
    messages = [f"{w.category.__name__}: {w.message}" for w in caught]
    row["n_warnings"] = len(messages)
    row["warnings"] = " | ".join(dict.fromkeys(m[:160] for m in messages))
    if name == "persona":
        row["no_structure"] = any(NO_STRUCTURE in m for m in messages)
    return row


def _world_rows(spec: WorldSpec, seed: int, contenders: list[str]) -> list[dict]:
    data = make_world(spec, random_state=seed)
    world = {
        "world": spec.name,
        "seed": seed,
        "null": spec.null or "",
        "customers": len(data.truth),
        "respondents": 0 if data.survey is None else data.survey["customer_id"].nunique(),
        "personas_true": _true_k(data),
    }
    rows = []
    for name in contenders:
        if name == "oracle" and spec.null is not None:
            continue  # one true group: nothing to learn
        rows.append(world | _run(name, data))
        print(f"  {_progress(rows[-1])}", file=sys.stderr, flush=True)
    return rows


def _warm_up(contenders: list[str]) -> None:
    """Fit a small world once, so compilation is not timed in the first world."""
    spec = WorldSpec("warm-up", n_customers=600, n_personas=3, survey_coverage=0.5)
    data = make_world(spec, random_state=0)
    for name in contenders:
        _run(name, data)


# --------------------------------------------------------------------------- report


def _number(value, digits: int = 3) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.{digits}f}"


def _progress(row: dict) -> str:
    if row.get("error"):
        return f"{row['contender']}: FAILED {row['error']}"
    verdict = " no structure" if row.get("no_structure") else ""
    return (
        f"{row['contender']}: {row['personas_found']}/{row['personas_true']} personas{verdict}, "
        f"ARI {_number(row['ari_respondents'])} / {_number(row['ari_all'])}, "
        f"{row['fit_s']:.1f} s"
    )


def _table(rows: pd.DataFrame) -> str:
    lines = [
        "| world | seed | contender | ARI respondents | ARI all | personas (found / true) | "
        "no structure | Cramér's V age | fit s | notes |",
        "|---|---:|---|---:|---:|---:|---|---:|---:|---|",
    ]
    for r in rows.to_dict("records"):
        verdict = {True: "**yes**", False: "no"}.get(r.get("no_structure"), "")
        if isinstance(r.get("error"), str):
            cells = [r["world"], r["seed"], r["contender"], "failed", *[""] * 5, r["error"]]
            lines.append("| " + " | ".join(map(str, cells)) + " |")
            continue
        notes = [f"warnings: {r['n_warnings']}"] if r["n_warnings"] else []
        if pd.notna(r.get("gap")):
            notes.insert(0, f"gap {r['gap']:.3f} (bar {r['gap_bar']:.3f})")
        notes = "; ".join(notes)
        lines.append(
            f"| {r['world']} | {r['seed']} | {r['contender']} | {_number(r['ari_respondents'])} | "
            f"{_number(r['ari_all'])} | {_number(r['personas_found'], 0)} / {r['personas_true']} | "
            f"{verdict} | {_number(r['cramers_v_age'])} | {r['fit_s']:.1f} | {notes} |"
        )
    return "\n".join(lines)


def _ratios(rows: pd.DataFrame) -> pd.DataFrame:
    """Each contender's ARI over the oracle's on the same structured world and seed."""
    structured = rows[rows["null"] == ""].set_index(["world", "seed"])
    oracle = structured.loc[structured["contender"] == "oracle", ["ari_respondents", "ari_all"]]
    oracle = oracle.where(oracle > 0).add_suffix("_oracle")  # no ratio to a chance-level ceiling
    others = structured[structured["contender"] != "oracle"]
    ratios = others[["contender", "personas_found", "personas_true", "ari_respondents", "ari_all"]]
    ratios = ratios.join(oracle)
    for scope in ("respondents", "all"):
        ratios[f"ratio_{scope}"] = ratios[f"ari_{scope}"] / ratios[f"ari_{scope}_oracle"]
    return ratios.reset_index()


def _target_line(measure: str, measured: str, target: str, met: bool) -> str:
    return f"| {measure} | {measured} | {target} | {'met' if met else '**not met**'} |"


def _targets(rows: pd.DataFrame, ratios: pd.DataFrame) -> list[str]:
    mine = rows[rows["contender"] == "persona"]
    structured, null = mine[mine["null"] == ""], mine[mine["null"] != ""]
    own = ratios[ratios["contender"] == "persona"]
    right = (structured["personas_found"] == structured["personas_true"]).mean()
    lost = int(structured["no_structure"].eq(True).sum())
    caught = ((null["personas_found"] == 1) & null["no_structure"].eq(True)).mean()
    respondents, everyone = own["ratio_respondents"].median(), own["ratio_all"].median()
    lines = ["| persona | measured | target | |", "|---|---:|---:|---|"]
    if len(structured):
        lines += [
            _target_line(
                "structured world x seeds whose count equals the truth",
                f"{right:.0%}",
                f"≥ {TARGETS['count']:.0%}",
                right >= TARGETS["count"],
            ),
            _target_line(
                "median ARI / oracle, respondents",
                _number(respondents),
                f"≥ {TARGETS['respondents']}",
                respondents >= TARGETS["respondents"],
            ),
            _target_line(
                "median ARI / oracle, all customers",
                _number(everyone),
                f"≥ {TARGETS['all']}",
                everyone >= TARGETS["all"],
            ),
            _target_line(
                "structured world x seeds declared no structure",
                f"{lost} of {len(structured)}",
                "0",
                lost == 0,
            ),
        ]
    if len(null):
        lines.append(
            _target_line(
                "null world x seeds with one persona and the warning",
                f"{caught:.0%} of {len(null)}",
                "100%",
                caught == 1,
            )
        )
    return lines


def _contender_lines(rows: pd.DataFrame, ratios: pd.DataFrame) -> list[str]:
    lines = [
        "| contender | median ARI / oracle, respondents | median ARI / oracle, all | "
        "median ARI respondents | median ARI all | count right | median fit s | failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    structured = rows[rows["null"] == ""]
    for name, group in rows.groupby("contender", sort=False):
        done = structured[(structured["contender"] == name) & structured["error"].isna()]
        mine = ratios[ratios["contender"] == name]
        right = (done["personas_found"] == done["personas_true"]).mean()
        lines.append(
            f"| {name} | {_number(mine['ratio_respondents'].median())} | "
            f"{_number(mine['ratio_all'].median())} | "
            f"{_number(done['ari_respondents'].median())} | {_number(done['ari_all'].median())} | "
            f"{'—' if done.empty else f'{right:.0%}'} | {group['fit_s'].median():.1f} | "
            f"{int(group['error'].notna().sum())} |"
        )
    return lines


def _worst_lines(ratios: pd.DataFrame, n: int = 5) -> list[str]:
    own = ratios[ratios["contender"] == "persona"]
    by_world = own.groupby("world").agg(
        ratio_respondents=("ratio_respondents", "median"),
        ratio_all=("ratio_all", "median"),
        found=("personas_found", lambda s: ", ".join(_number(v, 0) for v in s)),
        true=("personas_true", "first"),
    )
    lines = [
        "| world | ARI / oracle, respondents | ARI / oracle, all | personas found (per seed) | "
        "true |",
        "|---|---:|---:|---|---:|",
    ]
    worst = by_world.sort_values("ratio_respondents", na_position="first").head(n)
    for world, r in worst.iterrows():
        lines.append(
            f"| {world} | {_number(r['ratio_respondents'])} | {_number(r['ratio_all'])} | "
            f"{r['found']} | {r['true']} |"
        )
    return lines


def _summary(rows: pd.DataFrame) -> str:
    """The targets, each contender's medians and persona's worst worlds, in markdown."""
    ratios = _ratios(rows)  # all NaN without the oracle
    parts = [_contender_lines(rows, ratios)]
    if "persona" in set(rows["contender"]):
        parts = [_targets(rows, ratios), *parts, _worst_lines(ratios)]
    return "\n\n".join("\n".join(lines) for lines in parts)


# --------------------------------------------------------------------------- main


def _selected(specs: list[WorldSpec], patterns: list[str] | None) -> list[WorldSpec]:
    """Worlds whose name matches a glob pattern or contains a pattern as a substring."""
    if not patterns:
        return specs
    return [
        s for s in specs if any(fnmatch.fnmatchcase(s.name, p) or p in s.name for p in patterns)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--worlds", nargs="+", metavar="PATTERN", help="glob or substring")
    parser.add_argument("--contenders", nargs="+", choices=list(CONTENDERS))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "worlds-results.csv")
    args = parser.parse_args()
    specs = _selected(world_zoo(args.scale), args.worlds)
    if not specs:
        parser.error(f"no world of the zoo matches {args.worlds}")
    contenders = args.contenders or list(CONTENDERS)

    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"warming up {', '.join(contenders)} ...", file=sys.stderr, flush=True)
    _warm_up(contenders)
    rows = []
    for spec in specs:
        for seed in args.seeds:
            clock = time.perf_counter()
            print(f"{spec.name} seed {seed} ({spec.n_customers:,} customers)", file=sys.stderr)
            rows += _world_rows(spec, seed, contenders)
            print(f"  {time.perf_counter() - clock:.1f} s", file=sys.stderr, flush=True)
    frame = pd.DataFrame(rows).reindex(columns=COLUMNS)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False)

    versions = ", ".join(
        [f"persona {persona.__version__}"]
        + [f"{p} {version(p)}" for p in ("umap-learn", "hdbscan", "scikit-learn", "stepmix")]
    )
    print(
        f"Run {started} on {platform.machine()}, Python {platform.python_version()}; {versions}; "
        f"scale {args.scale:g}, seeds {' '.join(map(str, args.seeds))}, {len(specs)} worlds"
    )
    print()
    print(_table(frame))
    print()
    print(_summary(frame))
    print(f"\nRows written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
