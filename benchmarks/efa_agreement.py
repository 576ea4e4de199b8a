"""Does persona's exploratory factor analysis agree with factor-analyzer's on the Big Five?

    python benchmarks/efa_agreement.py

persona.features.factor writes minres and oblimin itself (psych's and
GPArotation's steps); factor-analyzer is the Python peer the psychometrics
issue names. On bfi's 25 items (pairwise correlations), five factors, this
compares the communalities of the two minres solutions, and the oblimin
pattern of each (factors matched by correlation, signs aligned), and times
both. factor-analyzer 0.5's FactorAnalyzer.fit fails on scikit-learn 1.8
(``check_array(force_all_finite=...)`` is gone), so its minres is called on the
correlation matrix through FactorAnalyzer._fit_factor_analysis, and its
rotation through factor_analyzer.rotator.Rotator, the two steps fit runs.
"""

from __future__ import annotations

import platform
import statistics
import time
from datetime import UTC, datetime
from importlib.metadata import version

import numpy as np

from persona.datasets import load_bfi
from persona.features.factor import minres, oblimin
from persona.features.reliability import _cov2cor, _pairwise_cov


def _timed(call, repeats: int = 5):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def main() -> None:
    from factor_analyzer import FactorAnalyzer
    from factor_analyzer.rotator import Rotator

    bfi = load_bfi()
    answers = bfi.survey[list(bfi.instrument.item_names)].to_numpy(dtype=float)
    cor = _cov2cor(_pairwise_cov(answers))

    def ours():
        loadings = minres(cor, 5)
        return loadings, oblimin(loadings).loadings

    def theirs():
        analyzer = FactorAnalyzer(n_factors=5, method="minres", rotation=None, is_corr_matrix=True)
        loadings = analyzer._fit_factor_analysis(cor)
        return loadings, Rotator(method="oblimin").fit_transform(loadings)

    (our_unrotated, our_pattern), our_s = _timed(ours)
    (their_unrotated, their_pattern), their_s = _timed(theirs)
    h2_gap = np.abs((our_unrotated**2).sum(1) - (their_unrotated**2).sum(1)).max()
    match = np.corrcoef(our_pattern.T, their_pattern.T)[:5, 5:]
    order = np.abs(match).argmax(axis=1)
    sign = np.sign(match[np.arange(5), order])
    pattern_gap = np.abs(our_pattern - their_pattern[:, order] * sign).max()
    print(f"# bfi, 25 items, 5 minres factors, oblimin; {datetime.now(UTC):%Y-%m-%d}, "
          f"{platform.machine()}, factor-analyzer {version('factor_analyzer')}\n")  # fmt: skip
    print("| measure | persona | factor-analyzer | largest difference |")
    print("|---|---:|---:|---:|")
    print(f"| communalities (minres) | | | {h2_gap:.4f} |")
    print(f"| oblimin pattern loadings | | | {pattern_gap:.4f} |")
    print(f"| median time of minres + oblimin, 5 runs | {our_s * 1e3:.0f} ms | "
          f"{their_s * 1e3:.0f} ms | |")  # fmt: skip


if __name__ == "__main__":
    main()
