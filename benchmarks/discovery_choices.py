"""Why latent profiles are built as they are: each design choice undone, on the world zoo.

    python benchmarks/discovery_choices.py [--scale 1.0] [--seeds 0 1 2] [--worlds PATTERN ...]
                                           [--variants NAME ...] [--out CSV]

Discovery on survey respondents (persona.discovery._mixture) makes five choices. Each
variant below undoes one of them, on the same respondents, with the same
refinement by the assigner that PersonaModel applies (persona.discovery._reduce.refine),
so the table shows what each choice is worth:

- shipped: what PersonaModel does (discover_profiles);
- joint-count: the count chosen by BIC in the joint space (needs and the
  behaviour directions that go with them) rather than in the needs;
- needs-only: no behaviour directions; members read from the needs alone;
- one-start: every count fitted from k-means++ starts only (no Ward cut, no
  split of the previous count's profiles);
- careless-in: straight-liners and incomplete need scores take part;
- umap-hdbscan: the path taken without a survey, on the respondents' weighted
  matrix: UMAP, HDBSCAN over the grid of minimum sizes, the null test.

Each world of persona.datasets.world_zoo is drawn with each seed; its features
are built as PersonaModel builds them (FeatureBuilder with the world's
instrument and journey). Scores, on the respondents: the persona count against
the truth, the adjusted Rand index (ARI), its ratio to an oracle (a logistic
regression trained on the true personas from the same features,
cross-validated, as in benchmarks/worlds.py), whether the world was declared
structureless, and the time of the variant. Per world x seed it also says
whether the need scores prefer the true count to every other count by BIC
(at the true count, a mixture started from the true personas too): where
they do not, counting by BIC in the needs cannot find the truth, however the
search is done. A null world counts as right
when it gets one persona. One BLAS thread; medians over world x seeds.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from threadpoolctl import threadpool_limits

import persona
from persona.assignment import Assigner, column_medians
from persona.datasets import make_world, world_zoo
from persona.discovery import _mixture as mixture
from persona.discovery import _reduce as discovery

MIN_SHARE = 0.02  # PersonaModel's default min_persona_share


class World:
    """One world's respondents, as PersonaModel's discovery sees them."""

    def __init__(self, spec, seed: int) -> None:
        data = make_world(spec, random_state=seed)
        builder = persona.FeatureBuilder(instrument=data.instrument, journey=data.journey)
        tables = {"events": data.events, "survey": data.survey, "emotions": data.emotions}
        frame, raw = builder._fit_transform(None, tables, keep_raw=True)
        frame = frame.loc[:, ~frame.columns.str.startswith("available__")]
        answered = frame.index.isin(data.survey["customer_id"].unique())
        self.name, self.seed, self.null = spec.name, seed, spec.null
        self.values = frame.to_numpy(np.float64)[answered]
        self.careless = raw["response__straightlining"].reindex(frame.index)[answered] == 1
        self.truth = data.truth.reindex(frame.index).to_numpy()[answered]
        prefix = frame.columns.str.split("__").str[0]
        self.groups = {
            g: np.flatnonzero(prefix == g)
            for g in ("psychographic", "behaviour", "emotion")
            if (prefix == g).any()
        }
        self.Z = np.where(np.isnan(self.values), column_medians(self.values), self.values)
        self.needs = self.groups["psychographic"]
        self.others = np.concatenate([c for g, c in self.groups.items() if g != "psychographic"])
        self.min_size = max(2, round(MIN_SHARE * len(self.Z)))

    def kept(self, careless_out: bool = True) -> np.ndarray:
        kept = ~np.isnan(self.values[:, self.needs]).any(axis=1)
        return kept & ~self.careless.to_numpy() if careless_out else np.ones_like(kept)

    def refined(self, labels: np.ndarray) -> np.ndarray:
        if (labels < 0).all():
            return np.zeros(len(labels), dtype=np.int64)
        assigner = Assigner(self.groups, max_distance=2.0)
        return discovery.refine(self.values, labels, assigner, min_size=self.min_size)


# --------------------------------------------------------------------------- variants


def _structured(world: World, found) -> np.ndarray | None:
    if found.structure is None or not found.structure.structured:
        return None
    return world.refined(found.labels)


def shipped(world: World) -> np.ndarray | None:
    found = mixture.discover_profiles(
        world.Z[:, world.needs], world.Z[:, world.others], kept=world.kept(),
        random_state=0, min_size=world.min_size,
    )  # fmt: skip
    return _structured(world, found)


def careless_in(world: World) -> np.ndarray | None:
    found = mixture.discover_profiles(
        world.Z[:, world.needs], world.Z[:, world.others], kept=world.kept(careless_out=False),
        random_state=0, min_size=world.min_size,
    )  # fmt: skip
    return _structured(world, found)


def needs_only(world: World) -> np.ndarray | None:
    found = mixture.discover_profiles(
        world.Z[:, world.needs], None, kept=world.kept(), random_state=0, min_size=world.min_size
    )
    return _structured(world, found)


def _counted_in(world: World, joint: bool) -> np.ndarray | None:
    """The count read in one space; members and the null test as shipped."""
    kept = world.kept()
    rows = np.flatnonzero(kept)
    space = mixture.persona_space(
        world.Z[rows][:, world.needs], world.Z[rows][:, world.others], random_state=0
    )
    values = space.values if joint else space.values[:, : space.n_needs]
    path = mixture.profile_path(values, random_state=0, min_size=world.min_size)
    best = min(path, key=lambda f: f.bic)
    if best.n_profiles == 1:
        return None
    fitted = mixture._members(space.values, best.mixture.predict(values), 0)
    labels = np.full(len(world.Z), -1)
    labels[rows] = np.unique(fitted.predict(space.values), return_inverse=True)[1]
    test = discovery.structure_test(space.values, int(labels.max()) + 1, random_state=0)
    return world.refined(labels) if test.structured else None


def joint_count(world: World) -> np.ndarray | None:
    return _counted_in(world, joint=True)


def one_start(world: World) -> np.ndarray | None:
    """As shipped, with every count fitted from k-means++ starts only."""
    ward, split = mixture._ward_starts, mixture._split_starts
    mixture._ward_starts = lambda X, rng, most: {}
    mixture._split_starts = lambda X, fit, min_size: []
    try:
        return shipped(world)
    finally:
        mixture._ward_starts, mixture._split_starts = ward, split


def umap_hdbscan(world: World) -> np.ndarray | None:
    reducer = discovery.default_reducer(len(world.Z), 0, 1)
    embedding = discovery.fit_embedding(reducer, world.Z)
    best, _, test = discovery.select_structured(
        embedding, world.Z[:, world.needs], min_persona_share=MIN_SHARE, random_state=0,
        columns="need scores",
    )  # fmt: skip
    if not (test and test.structured):
        return None
    return world.refined(best.labels)


VARIANTS = {
    "shipped": shipped,
    "joint-count": joint_count,
    "needs-only": needs_only,
    "one-start": one_start,
    "careless-in": careless_in,
    "umap-hdbscan": umap_hdbscan,
}


def truth_preferred(world: World) -> bool:
    """Whether the need scores prefer the true count to every other count, by BIC.

    At the true count, the better of the path's own fit and a fit started from
    the true personas' means; against the lowest BIC of every other count of
    the path, on the respondents that take part. Where another count scores
    better, no count chosen by BIC in the need scores is the true one, however
    well the path is searched.
    """
    rows = np.flatnonzero(world.kept())
    space = mixture.persona_space(world.Z[rows][:, world.needs], None, random_state=0)
    path = mixture.profile_path(space.values, random_state=0, min_size=world.min_size)
    k = len(np.unique(world.truth[rows]))
    at_truth = [mixture._members(space.values, world.truth[rows], 0).bic(space.values)]
    at_truth += [f.bic for f in path if f.n_profiles == k]
    return bool(min(at_truth) < min([f.bic for f in path if f.n_profiles != k], default=np.inf))


def oracle(world: World) -> float:
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    predicted = cross_val_predict(LogisticRegression(max_iter=2000), world.Z, world.truth, cv=folds)
    return adjusted_rand_score(world.truth, predicted)


# --------------------------------------------------------------------------- report


def _row(world: World, name: str) -> dict:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = VARIANTS[name](world)
    seconds = time.perf_counter() - start
    structured = labels is not None
    found = len(np.unique(labels)) if structured else 1
    ari = adjusted_rand_score(world.truth, labels) if structured else 0.0
    return {"world": world.name, "seed": world.seed, "null": world.null or "",
            "variant": name, "personas_true": len(np.unique(world.truth)),
            "personas_found": found, "no_structure": not structured,
            "ari_respondents": np.nan if world.null else ari, "seconds": seconds}  # fmt: skip


def summary(rows: pd.DataFrame) -> str:
    lines = [
        "| variant | count right | count within 1 | median ARI / oracle | median ARI | "
        "structured worlds declared no structure | null worlds with one persona | median s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, group in rows.groupby("variant", sort=False):
        structured, null = group[group["null"] == ""], group[group["null"] != ""]
        off = (structured["personas_found"] - structured["personas_true"]).abs()
        ratio = structured["ari_respondents"] / structured["oracle"].where(structured["oracle"] > 0)
        lines.append(
            f"| {name} | {(off == 0).mean():.0%} | {(off <= 1).mean():.0%} | "
            f"{ratio.median():.3f} | {structured['ari_respondents'].median():.3f} | "
            f"{int(structured['no_structure'].sum())} of {len(structured)} | "
            f"{int((null['personas_found'] == 1).sum())} of {len(null)} | "
            f"{group['seconds'].median():.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--worlds", nargs="+", metavar="PATTERN")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "discovery-choices.csv")
    args = parser.parse_args()
    specs = [
        s for s in world_zoo(args.scale)
        if not args.worlds or any(fnmatch.fnmatchcase(s.name, p) or p in s.name
                                  for p in args.worlds)
    ]  # fmt: skip
    rows = []
    with threadpool_limits(1):
        for spec in specs:
            for seed in args.seeds:
                world = World(spec, seed)
                ceiling = np.nan if spec.null else oracle(world)
                preferred = np.nan if spec.null else truth_preferred(world)
                for name in args.variants:
                    rows.append(
                        _row(world, name) | {"oracle": ceiling, "truth_preferred": preferred}
                    )
                    r = rows[-1]
                    print(f"{spec.name} {seed} {name}: {r['personas_found']}/"
                          f"{r['personas_true']}, ARI {r['ari_respondents']:.3f} "
                          f"(oracle {ceiling:.3f}), {r['seconds']:.1f} s",
                          file=sys.stderr, flush=True)  # fmt: skip
    frame = pd.DataFrame(rows)
    frame.to_csv(args.out, index=False)
    print(f"Scale {args.scale:g}, seeds {' '.join(map(str, args.seeds))}, {len(specs)} worlds\n")
    print(summary(frame))
    worlds = frame.drop_duplicates(["world", "seed"])
    structured = worlds[worlds["null"] == ""]
    print(
        f"\nStructured world x seeds whose need scores prefer the true count to every other "
        f"count (BIC): {int(structured['truth_preferred'].sum())} of {len(structured)}"
    )


if __name__ == "__main__":
    main()
