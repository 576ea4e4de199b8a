"""What sets personas apart, and what must not: association measures and the
demographic audit.

Personas are meant to follow needs and desires. The audit measures how
strongly each demographic column is associated with the persona labels --
Cramér's V for categories, the correlation ratio eta for numbers -- and warns
when a persona split looks like a demographic one.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from persona.contract import validate_demographics
from persona.errors import ConfigError

__all__ = ["correlation_ratio", "cramers_v", "demographic_audit", "demographic_description"]


def cramers_v(a: pd.Series | np.ndarray, b: pd.Series | np.ndarray) -> float:
    """Cramér's V between two categorical variables: 0 independent, 1 identical.

    Rows where either value is missing are left out. The plain (not
    bias-corrected) statistic, so small samples err on the side of association.

    Examples
    --------
    >>> cramers_v(["a", "a", "b", "b"], [1, 1, 2, 2])
    1.0
    >>> round(cramers_v(["a", "b", "a", "b"], [1, 1, 2, 2]), 3)
    0.0
    """
    frame = pd.DataFrame({"a": np.asarray(a), "b": np.asarray(b)}).dropna()
    table = pd.crosstab(frame["a"], frame["b"]).to_numpy(dtype=float)
    n = table.sum()
    k = min(table.shape) - 1
    if n == 0 or k == 0:
        return 0.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / n
    chi2 = ((table - expected) ** 2 / expected).sum()
    return float(np.sqrt(chi2 / (n * k)))


def correlation_ratio(categories: pd.Series | np.ndarray, values: pd.Series | np.ndarray) -> float:
    """The correlation ratio eta: how much of a number's variance the categories explain.

    ``sqrt(between-group sum of squares / total sum of squares)``, from 0 (the
    groups share one mean) to 1 (the groups explain everything). Rows with a
    missing category or value are left out; a constant number gives 0.

    Examples
    --------
    >>> correlation_ratio(["a", "a", "b", "b"], [1.0, 1.0, 3.0, 3.0])
    1.0
    >>> correlation_ratio(["a", "b", "a", "b"], [1.0, 1.0, 3.0, 3.0])
    0.0
    """
    frame = pd.DataFrame({"group": np.asarray(categories), "value": np.asarray(values, float)})
    frame = frame.dropna()
    if frame.empty:
        return 0.0
    deviation = frame["value"] - frame["value"].mean()
    total = float((deviation**2).sum())
    if total == 0.0:
        return 0.0
    groups = frame.groupby("group")["value"].agg(["mean", "size"])
    between = float((groups["size"] * (groups["mean"] - frame["value"].mean()) ** 2).sum())
    return float(np.sqrt(between / total))


def demographic_audit(
    labels: pd.Series,
    demographics: pd.DataFrame,
    *,
    threshold: float = 0.1,
    invariance: pd.Series | None = None,
) -> pd.DataFrame:
    """How strongly personas align with each demographic column.

    Parameters
    ----------
    labels : Series
        Persona id by ``customer_id``; ``-1`` (unassigned) is left out.
    demographics : DataFrame or path
        ``customer_id`` plus any columns (see :func:`persona.validate_demographics`).
    threshold : float, default=0.1
        Associations above it are flagged, with a warning naming the columns.
    invariance : Series, optional
        The measurement-invariance level the instrument reaches across each
        column's groups (``Psychometrics.invariance["level"]``). At
        "configural" or "metric", the groups' need scores are not
        comparable: a persona split along the column may be one of answer
        style, and a warning says so. "untestable" (the dimension map fits
        poorly in every group) leaves comparability unknown.

    Returns
    -------
    DataFrame
        One row per demographic column: ``measure`` ("cramers_v" for
        categories, "eta" for numbers), ``association`` in [0, 1], ``n``
        (customers compared) and ``flagged``; with ``invariance``, also
        ``invariance`` (the level, NaN where untested) and
        ``needs_comparable``.

    Examples
    --------
    >>> import pandas as pd
    >>> labels = pd.Series([0, 0, 1, 1], index=pd.Index([1, 2, 3, 4], name="customer_id"))
    >>> people = pd.DataFrame({"customer_id": [1, 2, 3, 4], "region": ["n", "s", "n", "s"]})
    >>> demographic_audit(labels, people)["association"].tolist()
    [0.0]
    """
    if not 0 <= threshold <= 1:
        raise ConfigError(f"Got threshold={threshold!r}, but expected a number in [0, 1].")
    people = validate_demographics(demographics).set_index("customer_id")
    assigned = labels[labels != -1]
    people = people.reindex(assigned.index)
    rows = {}
    for column in people.columns:
        values = people[column]
        numeric = ptypes.is_numeric_dtype(values.dtype) and not ptypes.is_bool_dtype(values.dtype)
        association = (
            correlation_ratio(assigned, values) if numeric else cramers_v(assigned, values)
        )
        rows[column] = {
            "measure": "eta" if numeric else "cramers_v",
            "association": association,
            "n": int(values.notna().sum()),
            "flagged": association > threshold,
        }
    audit = pd.DataFrame.from_dict(rows, orient="index")
    audit.index.name = "column"
    flagged = audit.index[audit["flagged"]].tolist() if len(audit) else []
    if flagged:
        shown = ", ".join(f"{c} ({audit.loc[c, 'association']:.2f})" for c in flagged)
        warnings.warn(
            f"personas align with demographics above {threshold}: {shown}. Personas should "
            "follow needs and desires; check that no demographic proxy drives the features.",
            UserWarning,
            stacklevel=2,
        )
    if invariance is not None and len(audit):
        _add_invariance(audit, invariance)
    return audit


def _add_invariance(audit: pd.DataFrame, invariance: pd.Series) -> None:
    level = invariance.reindex(audit.index)
    audit["invariance"] = level
    known = level.isin(["configural", "metric", "scalar"])
    audit["needs_comparable"] = (level == "scalar").where(known)
    broken = level.index[level.isin(["configural", "metric"])].tolist()
    if broken:
        shown = ", ".join(f"{c} ({level[c]})" for c in broken)
        warnings.warn(
            f"needs are not comparable across the groups of {shown}: the instrument is not "
            "scalar invariant there, so a difference in needs between those groups may be "
            "one of answer style. Read personas that split along them with care.",
            UserWarning,
            stacklevel=3,
        )


def demographic_description(labels: pd.Series, demographics: pd.DataFrame) -> pd.DataFrame:
    """How each persona looks demographically, beside (never inside) its profile.

    For a numeric column, the persona's mean against the base's; for a
    categorical one, the category most over-represented in the persona, with
    its share in the persona and in the base.

    Returns
    -------
    DataFrame
        One row per persona and column: ``persona_id``, ``column``,
        ``value`` (the mean, or the over-represented category), ``persona``
        and ``base`` (means, or that category's shares).

    Examples
    --------
    >>> import pandas as pd
    >>> labels = pd.Series([0, 0, 1, 1], index=pd.Index([1, 2, 3, 4], name="customer_id"))
    >>> people = pd.DataFrame({"customer_id": [1, 2, 3, 4], "age": [20, 30, 50, 60]})
    >>> table = demographic_description(labels, people)
    >>> table["persona"].tolist(), table["base"].tolist()
    ([25.0, 55.0], [40.0, 40.0])
    """
    people = validate_demographics(demographics).set_index("customer_id")
    assigned = labels[labels != -1]
    people = people.reindex(assigned.index)
    rows = []
    for column in people.columns:
        values = people[column]
        numeric = ptypes.is_numeric_dtype(values.dtype) and not ptypes.is_bool_dtype(values.dtype)
        if numeric:
            means = values.groupby(assigned).mean()
            base = values.mean()
            rows += [
                {"persona_id": p, "column": column, "value": "mean", "persona": m, "base": base}
                for p, m in means.items()
            ]
            continue
        shares = pd.crosstab(assigned, values, normalize="index")
        base_share = values.value_counts(normalize=True)
        lift = shares - base_share.reindex(shares.columns)
        for persona in shares.index:
            category = lift.loc[persona].idxmax()
            rows.append(
                {
                    "persona_id": persona,
                    "column": column,
                    "value": str(category),
                    "persona": float(shares.loc[persona, category]),
                    "base": float(base_share[category]),
                }
            )
    table = pd.DataFrame.from_records(
        rows, columns=["persona_id", "column", "value", "persona", "base"]
    )
    return table.sort_values(["persona_id", "column"], kind="stable").reset_index(drop=True)
