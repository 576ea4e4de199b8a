"""Persona profiles: what sets each persona apart from the rest of the base.

:func:`profile` is a plain function on a raw feature table and persona labels:
for every persona and every feature it gives the persona's mean, the rest of
the base's mean, the standardised mean difference (Cohen's d) and Welch's
t-test, so that traits are ranked by how *distinctive* they are, not by their
raw level (most customers use the web; a persona is not "web users" unless it
uses the web clearly more than the rest). :func:`activation` turns a profile
into where, when and how to reach each persona.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from persona.features._labels import FAMILIES, trait_family, trait_label

__all__ = [
    "FAMILIES",
    "NOTABLE_SMD",
    "activation",
    "profile",
    "ranked",
    "trait_family",
    "trait_label",
]


def profile(features: pd.DataFrame, labels: pd.Series, *, alpha: float = 0.01) -> pd.DataFrame:
    """Every persona against the rest of the base, feature by feature.

    Parameters
    ----------
    features : DataFrame
        Raw feature values by ``customer_id`` (NaN where a customer lacks the
        signal: they are left out of that feature's comparison).
    labels : Series
        Persona id by ``customer_id``; ``-1`` (unassigned) is left out.
    alpha : float, default=0.01
        Family-wise significance level; Bonferroni-corrected over the features
        of a persona.

    Returns
    -------
    DataFrame
        One row per persona and feature, most distinctive first within a
        persona: ``persona_id``, ``family``, ``feature``, ``trait``, ``n``
        (members with a value), ``persona_mean``, ``rest_mean``,
        ``base_mean`` (all assigned customers), ``smd`` (Cohen's d, persona
        minus rest, pooled standard deviation), ``p_value`` (Welch's t-test),
        ``significant`` and ``rank``.

    Examples
    --------
    >>> import pandas as pd
    >>> features = pd.DataFrame({"psychographic__thrift": [5.0, 4.0, 1.0, 2.0],
    ...                          "behaviour__share_channel_app": [0.5, 0.5, 0.4, 0.6]},
    ...                         index=pd.Index([1, 2, 3, 4], name="customer_id"))
    >>> table = profile(features, pd.Series([0, 0, 1, 1], index=features.index))
    >>> top = table[table["rank"] == 1]
    >>> top["trait"].tolist(), top["smd"].round(2).tolist()
    (['thrift', 'thrift'], [4.24, -4.24])
    """
    aligned = labels.reindex(features.index)
    persona_of = aligned.fillna(-1).to_numpy(dtype=np.int64)
    values = features.to_numpy(dtype=np.float64, copy=False)
    personas = np.unique(persona_of[persona_of != -1])
    # Counts, sums and sums of squares per persona, in row chunks so that a base
    # of millions needs no full-size temporaries; centred on the column means
    # so the variances do not lose digits to large values (spend, days).
    center = np.nan_to_num(_column_means(values, persona_of != -1))
    k, d = len(personas), values.shape[1]
    n_in, sum_in, squares_in = np.zeros((k, d)), np.zeros((k, d)), np.zeros((k, d))
    for start in range(0, len(values), _CHUNK_ROWS):
        chunk = values[start : start + _CHUNK_ROWS] - center
        owner = persona_of[start : start + _CHUNK_ROWS]
        for i, persona in enumerate(personas):
            rows = chunk[owner == persona]
            seen = ~np.isnan(rows)
            rows = np.where(seen, rows, 0.0)
            n_in[i] += seen.sum(axis=0)
            sum_in[i] += rows.sum(axis=0)
            squares_in[i] += (rows**2).sum(axis=0)
    n_all, sum_all, squares_all = n_in.sum(axis=0), sum_in.sum(axis=0), squares_in.sum(axis=0)
    n_in, mean_in, var_in = _moments(n_in, sum_in, squares_in)
    n_out, mean_out, var_out = _moments(n_all - n_in, sum_all - sum_in, squares_all - squares_in)
    mean_in, mean_out = mean_in + center, mean_out + center
    with np.errstate(invalid="ignore", divide="ignore"):
        base = sum_all / n_all + center
        pooled = np.sqrt(((n_in - 1) * var_in + (n_out - 1) * var_out) / (n_in + n_out - 2))
        smd = np.where(pooled > 0, (mean_in - mean_out) / pooled, 0.0)
        error = np.sqrt(var_in / n_in + var_out / n_out)
        t = np.where(error > 0, (mean_in - mean_out) / error, 0.0)
        dof = error**4 / ((var_in / n_in) ** 2 / (n_in - 1) + (var_out / n_out) ** 2 / (n_out - 1))
    p_value = np.where(error > 0, 2 * stats.t.sf(np.abs(t), np.nan_to_num(dof, nan=1.0)), 1.0)
    enough = (n_in >= 2) & (n_out >= 2)
    smd = np.where(enough, smd, np.nan)
    p_value = np.where(enough, p_value, np.nan)

    columns = [str(c) for c in features.columns]
    table = pd.DataFrame(
        {
            "persona_id": np.repeat(personas, d),
            "family": np.tile([trait_family(c) for c in columns], k),
            "feature": np.tile(columns, k),
            "trait": np.tile([trait_label(c) for c in columns], k),
            "n": n_in.ravel().astype(np.int64),
            "persona_mean": mean_in.ravel(),
            "rest_mean": mean_out.ravel(),
            "base_mean": np.tile(base, k),
            "smd": smd.ravel(),
            "p_value": p_value.ravel(),
        }
    )
    table["significant"] = table["p_value"] < alpha / max(d, 1)
    table = ranked(table)
    table["rank"] = table.groupby("persona_id").cumcount() + 1
    return table.reset_index(drop=True)


_CHUNK_ROWS = 131_072


def _column_means(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    total, count = np.zeros(values.shape[1]), np.zeros(values.shape[1])
    for start in range(0, len(values), _CHUNK_ROWS):
        chunk = values[start : start + _CHUNK_ROWS][rows[start : start + _CHUNK_ROWS]]
        seen = ~np.isnan(chunk)
        total += np.where(seen, chunk, 0.0).sum(axis=0)
        count += seen.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def _moments(n: np.ndarray, total: np.ndarray, squares: np.ndarray) -> tuple[np.ndarray, ...]:
    """Count, mean and sample variance from count, sum and sum of squares."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        variance = (squares - n * mean**2) / (n - 1)
    return n, mean, np.clip(variance, 0.0, None)


_TONES = {
    (1, 1): "upbeat and energetic",
    (1, -1): "warm and calm",
    (-1, 1): "reassuring and to the point",
    (-1, -1): "empathetic and encouraging",
}
#: Cohen's d from the rest of the base from which a trait counts as distinctive: what
#: profiles, names and a persona's distinctive needs all read.
NOTABLE_SMD = 0.2


def activation(table: pd.DataFrame) -> pd.DataFrame:
    """Where, when and how to reach each persona, from its :func:`profile`.

    For channels, devices, dayparts and moments of truth, the one whose share
    rises most above the rest of the base (or, if none rises, the one the
    persona uses most); the emotional tone from how valence and arousal
    differ from the rest; and the emotion most over-represented.

    Returns
    -------
    DataFrame
        By ``persona_id``: ``channel``, ``device``, ``daypart``, ``moment``,
        ``tone`` (from emotions), ``message`` (what to say, from the most
        distinctive need) and ``emotion`` (None where the data has no such
        trait).
    """
    rows = {}
    for persona, traits in ranked(table).groupby("persona_id", sort=True):
        hints: dict[str, str | None] = {}
        for family in ("channel", "device", "daypart", "moment"):
            shares = traits[(traits["family"] == family) & traits["feature"].str.contains("share_")]
            hints[family] = _leading(shares, family)
        hints["tone"] = _tone(traits)
        hints["message"] = _message(traits)
        emotions = traits[traits["feature"].str.startswith("emotion__share_")]
        emotions = emotions[emotions["smd"] > NOTABLE_SMD]
        hints["emotion"] = (
            emotions.iloc[0]["feature"].removeprefix("emotion__share_") if len(emotions) else None
        )
        rows[persona] = hints
    result = pd.DataFrame.from_dict(rows, orient="index")
    result.index.name = "persona_id"
    return result


def ranked(table: pd.DataFrame) -> pd.DataFrame:
    """A profile table in its reading order: by persona, most distinctive first."""
    key = table["smd"].abs().fillna(-1.0)
    order = table.assign(_key=-key).sort_values(["persona_id", "_key", "feature"], kind="stable")
    return order.drop(columns="_key")


def _leading(shares: pd.DataFrame, family: str) -> str | None:
    if shares.empty or shares["persona_mean"].isna().all():
        return None
    rising = shares[shares["smd"] > NOTABLE_SMD]
    best = rising.iloc[0] if len(rising) else shares.loc[shares["persona_mean"].idxmax()]
    return best["feature"].split(f"share_{family}_", 1)[-1]


# What to say, from the need a persona holds most above (or below) the rest.
_MESSAGES = {
    "thrift": ("lead with value, prices and deals", "lead with quality, not price"),
    "convenience": ("keep it quick: one step, no friction", "take time to show the detail"),
    "belonging": ("speak to the community and what others share", "speak to them one to one"),
    "reassurance": ("reassure: guarantees, support, reviews", "be direct, skip the hand-holding"),
    "discovery": ("show what is new", "show the familiar favourites"),
    "conscience": ("be open about impact and sourcing", "keep it practical"),
    "status": ("stress the premium and the exclusive", "keep it understated"),
}


def _message(traits: pd.DataFrame) -> str | None:
    needs = traits[(traits["family"] == "need") & (traits["smd"].abs() >= NOTABLE_SMD)]
    if needs.empty:
        return None
    top = needs.iloc[0]  # ranked: most distinctive first
    dimension = top["feature"].removeprefix("psychographic__")
    high, low = _MESSAGES.get(
        dimension, (f"speak to {top['trait']}", f"go light on {top['trait']}")
    )
    return high if top["smd"] > 0 else low


def _tone(traits: pd.DataFrame) -> str | None:
    level = traits.set_index("feature")["smd"]
    valence, arousal = level.get("emotion__valence_mean"), level.get("emotion__arousal_mean")
    if valence is None or arousal is None or np.isnan(valence) or np.isnan(arousal):
        return None
    if max(abs(valence), abs(arousal)) < NOTABLE_SMD:
        return "neutral and informative"
    return _TONES[(1 if valence >= 0 else -1, 1 if arousal >= 0 else -1)]
