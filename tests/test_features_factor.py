"""Factor analysis: minres, varimax, oblimin and parallel analysis on known structure."""

import numpy as np
import pytest

from persona.features.factor import minres, oblimin, parallel_analysis, smc, varimax


def _two_factor_cor() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Perfect clusters, where quartimin's criterion reaches 0 at the true pattern; not
    # mirror-symmetric, which would make the unrotated solution a saddle of every rotation.
    pattern = np.array([[0.8, 0.0], [0.7, 0.0], [0.6, 0.0], [0.0, 0.5], [0.0, 0.6], [0.0, 0.8]])
    phi = np.array([[1.0, 0.3], [0.3, 1.0]])
    cor = pattern @ phi @ pattern.T
    np.fill_diagonal(cor, 1.0)
    return cor, pattern, phi


def test_minres_recovers_the_communalities_of_an_exact_factor_model():
    cor, pattern, phi = _two_factor_cor()
    loadings = minres(cor, 2)
    implied = np.diag(pattern @ phi @ pattern.T)
    np.testing.assert_allclose((loadings**2).sum(axis=1), implied, atol=1e-6)


def test_oblimin_recovers_a_simple_structure_pattern_and_its_correlation():
    cor, pattern, phi = _two_factor_cor()
    rotated = oblimin(varimax(minres(cor, 2)).loadings)
    order = np.argsort(np.abs(rotated.loadings).argmax(axis=0))  # factor of items 0-2 first
    np.testing.assert_allclose(rotated.loadings[:, order], pattern, atol=1e-3)
    assert rotated.phi[0, 1] == pytest.approx(0.3, abs=1e-3)
    np.testing.assert_allclose(np.diag(rotated.phi), 1.0, atol=1e-9)


def test_rotations_leave_the_communalities_unchanged():
    cor, _, _ = _two_factor_cor()
    loadings = minres(cor, 2)
    h2 = (loadings**2).sum(axis=1)
    assert np.allclose((varimax(loadings).loadings ** 2).sum(axis=1), h2)
    rotated = oblimin(loadings)
    implied = rotated.loadings @ rotated.phi @ rotated.loadings.T
    np.testing.assert_allclose(np.diag(implied), h2, atol=1e-8)


def test_smc_of_an_identity_is_zero():
    assert smc(np.eye(4)).tolist() == [0.0, 0.0, 0.0, 0.0]


def test_minres_names_a_factor_count_the_items_cannot_carry():
    cor, _, _ = _two_factor_cor()
    with pytest.raises(ValueError, match=r"n_factors=6.*from 1 to 5 for 6 items"):
        minres(cor, 6)


def test_parallel_analysis_counts_the_factors_of_simulated_answers():
    rng = np.random.default_rng(3)
    factors = rng.standard_normal((1500, 3))
    loadings = np.kron(np.eye(3), np.full((1, 4), 0.7))  # 3 factors, 4 items each
    data = factors @ loadings + 0.7 * rng.standard_normal((1500, 12))
    assert parallel_analysis(data) == 3
    assert parallel_analysis(rng.standard_normal((1500, 12))) == 1
