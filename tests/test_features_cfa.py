"""The CFA engine against lavaan's numbers on Holzinger and Swineford's nine tests."""

import pytest

from persona.features._cfa import Fit

MODEL = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


@pytest.fixture(scope="module")
def hs():
    from semopy.examples import holzinger39

    return holzinger39.get_data()


def test_one_group_is_lavaans_cfa(hs):
    fit = Fit.run([hs[sum(MODEL.values(), [])]], MODEL, level="configural", means=False)
    assert (round(fit.chi2, 3), fit.df) == (85.306, 24)
    assert round(fit.cfi(), 3) == 0.931
    assert round(fit.rmsea(), 3) == 0.092


@pytest.mark.parametrize(
    ("level", "chi2", "df"),
    [("configural", 115.85, 48), ("metric", 124.04, 54), ("scalar", 164.10, 60)],
)
def test_two_schools_hold_lavaans_ladder(hs, level, chi2, df):
    items = sum(MODEL.values(), [])
    blocks = [hs.loc[hs["school"] == school, items] for school in sorted(hs["school"].unique())]
    fit = Fit.run(blocks, MODEL, level=level, means=True)
    assert (round(fit.chi2, 2), fit.df) == (chi2, df)
