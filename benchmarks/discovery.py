"""Persona discovery against KMeans, Gaussian mixtures, StepMix and bare UMAP + HDBSCAN.

    python benchmarks/discovery.py [--sizes 20000 200000] [--million 1000000]
                                   [--discovery-sample 50000] [--only NAME ...]

For each size, make_customers(n, random_state=0) is generated once and written
under benchmarks/_data/discovery-<n>/: the tables as Parquet, the FeatureBuilder's
weighted matrix (what PersonaModel discovers in, and what the peers cluster) and
its raw, unweighted features (what the bare UMAP + HDBSCAN pipeline
standardises itself). Every contender is a fresh Python process that reads its
input, fits, and writes one label per customer; the clock covers the fit only
(persona-tables also covers reading the tables and building the features), and
the memory is the process's peak resident set (VmHWM).

The peers are given the true number of personas (6); persona finds it. They
cluster every customer on the median-imputed matrix, as a user without
persona's respondent-first discovery would; KMeans and StepMix also run the
fairer ways: fitted on survey respondents, then predicting everyone, and as a
latent profile analysis on the respondents' need scores alone (customers
without a survey then stay unlabelled). Scores: adjusted Rand index
against the true personas on survey respondents and on all customers (an
unassigned or noise label counts as one more group), and Cramér's V between
the labels and age band (personas must not follow demographics).

With --million, persona also fits a base of a million customers from its
tables, discovering on --discovery-sample respondents. Results for the
reference machine are committed in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

DATA = Path(__file__).parent / "_data"
TRUE_PERSONAS = 6
AGE_BANDS = [0, 24, 34, 44, 54, 64, 120]


# --------------------------------------------------------------------------- contenders


def _weighted(folder: Path):
    """The weighted matrix without availability flags, and with NaN for missing signals."""
    import pandas as pd

    matrix = pd.read_parquet(folder / "weighted.parquet")
    return matrix.loc[:, ~matrix.columns.str.startswith("available__")]


def _imputed(matrix):
    return matrix.fillna(matrix.median()).fillna(0.0).to_numpy()


def run_persona(folder: Path, sample: int | None):
    from persona import PersonaModel

    matrix = _weighted(folder)
    start = time.perf_counter()
    model = PersonaModel(random_state=0, discovery_sample=sample).fit(matrix)
    return time.perf_counter() - start, model.labels_


def run_persona_tables(folder: Path, sample: int | None):
    from persona import PersonaModel
    from persona.datasets import NEEDS_INSTRUMENT

    start = time.perf_counter()
    tables = {name: str(folder / f"{name}.parquet") for name in ("events", "survey", "emotions")}
    model = PersonaModel(NEEDS_INSTRUMENT, random_state=0, discovery_sample=sample).fit(**tables)
    return time.perf_counter() - start, model.labels_


def run_umap_hdbscan(folder: Path, sample: int | None):
    """The pipeline a user would write: standardise everything, UMAP, HDBSCAN, done."""
    import hdbscan
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*ParametricUMAP.*")
        from umap import UMAP

    raw = pd.read_parquet(folder / "raw.parquet")
    start = time.perf_counter()
    X = StandardScaler().fit_transform(_imputed(raw))
    embedding = UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, random_state=0, n_jobs=1
    ).fit_transform(X)
    labels = hdbscan.HDBSCAN(
        min_cluster_size=max(5, len(X) // 100), min_samples=10, core_dist_n_jobs=1
    ).fit_predict(embedding)
    return time.perf_counter() - start, pd.Series(labels, index=raw.index)


def run_kmeans(folder: Path, sample: int | None):
    import pandas as pd
    from sklearn.cluster import KMeans

    matrix = _weighted(folder)
    start = time.perf_counter()
    labels = KMeans(TRUE_PERSONAS, n_init=10, random_state=0).fit_predict(_imputed(matrix))
    return time.perf_counter() - start, pd.Series(labels, index=matrix.index)


def _gmm(covariance: str):
    def run(folder: Path, sample: int | None):
        import pandas as pd
        from sklearn.mixture import GaussianMixture

        matrix = _weighted(folder)
        start = time.perf_counter()
        X = _imputed(matrix)
        mixture = GaussianMixture(TRUE_PERSONAS, covariance_type=covariance, random_state=0)
        labels = mixture.fit(X).predict(X)
        return time.perf_counter() - start, pd.Series(labels, index=matrix.index)

    return run


def run_stepmix(folder: Path, sample: int | None):
    import pandas as pd
    from stepmix.stepmix import StepMix

    matrix = _weighted(folder)
    start = time.perf_counter()
    X = _imputed(matrix)
    model = StepMix(
        n_components=TRUE_PERSONAS, measurement="continuous", n_init=5, random_state=0,
        progress_bar=0, verbose=0,
    )  # fmt: skip
    labels = model.fit(X).predict(X)
    return time.perf_counter() - start, pd.Series(labels, index=matrix.index)


def _on_respondents(fit_predict):
    """A peer fitted on survey respondents only, then predicting every customer."""

    def run(folder: Path, sample: int | None):
        import pandas as pd

        matrix = _weighted(folder)
        respondents = pd.read_parquet(folder / "survey.parquet", columns=["customer_id"])
        answered = matrix.index.isin(respondents["customer_id"].unique())
        start = time.perf_counter()
        X = _imputed(matrix)
        labels = fit_predict(X[answered], X)
        return time.perf_counter() - start, pd.Series(labels, index=matrix.index)

    return run


def _kmeans_respondents(train, X):
    from sklearn.cluster import KMeans

    return KMeans(TRUE_PERSONAS, n_init=10, random_state=0).fit(train).predict(X)


def _stepmix_respondents(train, X):
    from stepmix.stepmix import StepMix

    model = StepMix(
        n_components=TRUE_PERSONAS, measurement="continuous", n_init=5, random_state=0,
        progress_bar=0, verbose=0,
    )  # fmt: skip
    return model.fit(train).predict(X)


def _needs_only(fit_predict):
    """Latent profile analysis as practitioners run it: on respondents' need scores alone.

    Customers without a survey have no need scores and stay unlabelled (-1).
    """

    def run(folder: Path, sample: int | None):
        import numpy as np
        import pandas as pd

        matrix = _weighted(folder)
        needs = matrix.filter(like="psychographic__")
        answered = needs.notna().any(axis=1).to_numpy()
        start = time.perf_counter()
        X = _imputed(needs[answered])
        labels = np.full(len(matrix), -1)
        labels[answered] = fit_predict(X, X)
        return time.perf_counter() - start, pd.Series(labels, index=matrix.index)

    return run


CONTENDERS = {
    "persona": ("PersonaModel, weighted matrix", run_persona),
    "persona-tables": ("PersonaModel, from the tables (features included)", run_persona_tables),
    "umap-hdbscan": ("bare UMAP + HDBSCAN, standardised raw features", run_umap_hdbscan),
    "kmeans": ("KMeans(6), weighted matrix", run_kmeans),
    "gmm-diag": ("GaussianMixture(6, diag), weighted matrix", _gmm("diag")),
    "gmm-full": ("GaussianMixture(6, full), weighted matrix", _gmm("full")),
    "stepmix": ("StepMix(6, continuous), weighted matrix", run_stepmix),
    "kmeans-respondents": ("KMeans(6) fitted on respondents", _on_respondents(_kmeans_respondents)),
    "stepmix-respondents": (
        "StepMix(6) fitted on respondents",
        _on_respondents(_stepmix_respondents),
    ),
    "kmeans-needs": ("KMeans(6) on respondents' need scores", _needs_only(_kmeans_respondents)),
    "stepmix-needs": (
        "StepMix(6) on respondents' need scores (latent profiles)",
        _needs_only(_stepmix_respondents),
    ),
}


# --------------------------------------------------------------------------- harness


def _peak_gb() -> float:
    """This process's peak resident memory (VmHWM: not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e9
    raise RuntimeError("no VmHWM in /proc/self/status")


def _child(name: str, folder: Path, sample: int | None, out: Path) -> None:
    seconds, labels = CONTENDERS[name][1](folder, sample)
    labels.rename("persona_id").to_frame().to_parquet(out)
    print(json.dumps({"seconds": seconds, "peak_gb": _peak_gb()}))


def _measure(name: str, folder: Path, sample: int | None, timeout: float) -> dict:
    out = folder / f"labels-{name}.parquet"
    command = [sys.executable, __file__, "--run", name, str(folder), "--out", str(out)]
    if sample:
        command += ["--discovery-sample", str(sample)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout.splitlines()[-1]) | _scores(folder, out)


def _scores(folder: Path, labels_file: Path) -> dict:
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score

    from persona.profiling._audit import cramers_v

    labels = pd.read_parquet(labels_file)["persona_id"]
    truth = pd.read_parquet(folder / "truth.parquet")["persona"].reindex(labels.index)
    respondents = pd.read_parquet(folder / "survey.parquet", columns=["customer_id"])
    answered = labels.index.isin(respondents["customer_id"].unique())
    age = pd.read_parquet(folder / "demographics.parquet").set_index("customer_id")["age"]
    band = pd.cut(age.reindex(labels.index), AGE_BANDS)
    found = labels[labels >= 0]
    return {
        "ari_respondents": adjusted_rand_score(truth[answered], labels[answered]),
        "ari_all": adjusted_rand_score(truth, labels),
        "cramers_v_age": cramers_v(found, band.reindex(found.index).astype(str)),
        "groups": int(found.nunique()),
        "unlabelled": float((labels < 0).mean()),
    }


def _prepare(n: int, *, matrices: bool = True) -> Path:
    """Write make_customers(n, random_state=0) and its matrices once."""

    folder = DATA / f"discovery-{n}"
    if (folder / "done").exists():
        return folder
    from persona.datasets import make_customers
    from persona.features import FeatureBuilder

    folder.mkdir(parents=True, exist_ok=True)
    data = make_customers(n_customers=n, random_state=0)
    for name in ("events", "survey", "emotions", "demographics"):
        getattr(data, name).to_parquet(folder / f"{name}.parquet", index=False)
    data.truth.rename("persona").to_frame().to_parquet(folder / "truth.parquet")
    if matrices:
        builder = FeatureBuilder(instrument=data.instrument)
        builder.fit_transform(data).to_parquet(folder / "weighted.parquet")
        raw = builder.compute(data)
        raw.loc[:, ~raw.columns.str.startswith(("available__", "response__"))].to_parquet(
            folder / "raw.parquet"
        )
    (folder / "done").touch()
    return folder


def _table(rows: list[dict]) -> str:
    lines = [
        "| customers | contender | ARI respondents | ARI all | Cramér's V age | personas | "
        "unlabelled | fit s | peak GB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['n']:,} | {r['label']} | {r['error']} ||||||| ")
            continue
        lines.append(
            f"| {r['n']:,} | {r['label']} | {r['ari_respondents']:.3f} | {r['ari_all']:.3f} | "
            f"{r['cramers_v_age']:.3f} | {r['groups']} | {r['unlabelled']:.1%} | "
            f"{r['seconds']:.1f} | {r['peak_gb']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[20_000, 200_000])
    parser.add_argument("--million", type=int, default=1_000_000, help="0 to skip")
    parser.add_argument("--discovery-sample", type=int, default=50_000)
    parser.add_argument("--only", nargs="*", choices=list(CONTENDERS))
    parser.add_argument("--timeout", type=float, default=3_600)
    parser.add_argument("--run", nargs=2, metavar=("NAME", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        sample = args.discovery_sample if args.run[0] == "persona-tables-sampled" else None
        name = args.run[0].removesuffix("-sampled")
        _child(name, Path(args.run[1]), sample, Path(args.out))
        return

    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = []
    for n in args.sizes:
        folder = _prepare(n)
        for name in args.only or CONTENDERS:
            print(f"{n:,} {name} ...", file=sys.stderr, flush=True)
            result = _measure(name, folder, None, args.timeout)
            rows.append({"n": n, "label": CONTENDERS[name][0], **result})
            print(_table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    if args.million:
        folder = _prepare(args.million, matrices=False)
        print(f"{args.million:,} persona-tables-sampled ...", file=sys.stderr, flush=True)
        result = _measure("persona-tables-sampled", folder, args.discovery_sample, args.timeout)
        label = f"PersonaModel from the tables, discovery_sample={args.discovery_sample:,}"
        rows.append({"n": args.million, "label": label, **result})
    versions = ", ".join(
        f"{p} {version(p)}" for p in ("umap-learn", "hdbscan", "scikit-learn", "stepmix")
    )
    print(f"Run {started} on {platform.machine()}, Python {platform.python_version()}; {versions}")
    print()
    print(_table(rows))
    (DATA / "discovery-results.json").write_text(json.dumps(rows, indent=1, default=str))


if __name__ == "__main__":
    main()
