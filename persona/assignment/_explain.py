"""Why a customer got their persona: exact reason codes and counterfactuals.

The assigner scores a customer with a linear model of their signal pattern,
so its decision between the chosen persona and the runner-up is a sum:
``logit(chosen) - logit(runner-up) = sum_j (w_chosen,j - w_runner,j) * z_j +
(b_chosen - b_runner)`` over the standardised features ``z`` the customer has.
Each term is a feature's exact contribution -- no sampling, no approximation.
A counterfactual is the smallest change (in standard deviations of the base)
of the chosen features that makes the model prefer another persona.

The plain functions do the work on an :class:`~persona.assignment._assigner.Assigner`;
:class:`ExplanationsMixin` gives PersonaModel its ``explain``,
``contributions`` and ``counterfactual`` methods on top of them. Which
contributions are reported as reasons is :mod:`persona.assignment._reasons`'
rule. This module reads the model it explains and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.utils.validation import check_is_fitted

from persona._validate import is_whole
from persona.assignment._assigner import CHUNK_ROWS, UNASSIGNED, Assigner, labels_from_proba
from persona.assignment._fitting import PatternModel
from persona.assignment._reasons import reasons_table
from persona.assignment._score import score_block
from persona.contract import TableLike
from persona.errors import ConfigError
from persona.features._labels import trait_label

__all__ = [
    "Contributions",
    "Counterfactual",
    "ExplanationsMixin",
    "contributions",
    "counterfactual_row",
]


@dataclass(frozen=True)
class Contributions:
    """Per customer: the decision and each feature's share of it (NaN: not used)."""

    label: np.ndarray  # persona index or -1 (unassigned), as predict gives
    chosen: np.ndarray  # persona index the linear model prefers (-1: no signal)
    runner_up: np.ndarray  # second-preferred persona index (-1: none)
    confidence: np.ndarray  # probability of ``label``
    margin: np.ndarray  # logit(chosen) - logit(runner_up)
    intercept: np.ndarray  # b_chosen - b_runner_up
    values: np.ndarray  # (customers, features) contributions
    proba: np.ndarray | None = None  # predict_proba's probabilities, from the same pass


def contributions(assigner: Assigner, X: np.ndarray) -> Contributions:
    """Exact contributions of every feature to each customer's decision.

    One pass per signal pattern gives the probabilities (``predict_proba``'s,
    bit for bit: the same arithmetic) and the logits the contributions split.
    """
    X = np.asarray(X, dtype=np.float64)
    n, k = len(X), assigner.n_personas_
    proba = np.zeros((n, k + 1))
    proba[:, k] = 1.0  # no usable signal: unassigned
    chosen = np.full(n, -1)
    runner = np.full(n, -1)
    margin = np.zeros(n)
    intercept = np.zeros(n)
    values = np.full(X.shape, np.nan)
    prepared = assigner.prepared()
    for pattern_rows, model in assigner.models_of(X):
        for start in range(0, len(pattern_rows), CHUNK_ROWS):
            rows = pattern_rows[start : start + CHUNK_ROWS]
            proba[rows], z, logits = score_block(prepared, model, X[rows])
            # The first two of a stable descending sort: ties go to the lower persona.
            best = np.argmax(logits, axis=1)
            second = best
            if k > 1:
                masked = logits.copy()
                masked[np.arange(len(rows)), best] = -np.inf
                second = np.argmax(masked, axis=1)
                # All others at -inf: the sort would take the first of them.
                second = np.where(second == best, (best == 0).astype(best.dtype), second)
            terms = (model.coef[best] - model.coef[second]) * z
            chosen[rows], runner[rows] = best, second if k > 1 else -1
            offset = model.intercept[best] - model.intercept[second] if k > 1 else 0.0
            intercept[rows] = np.nan_to_num(offset, nan=0.0, posinf=0.0, neginf=0.0)
            margin[rows] = terms.sum(axis=1) + intercept[rows]
            values[np.ix_(rows, model.columns)] = terms
    label = labels_from_proba(proba)
    confidence = proba[np.arange(n), np.where(label == UNASSIGNED, k, label)]
    return Contributions(label, chosen, runner, confidence, margin, intercept, values, proba)


def counterfactual_row(
    assigner: Assigner,
    x: np.ndarray,
    target: int,
    allowed: Sequence[int],
    *,
    max_changes: int | None = None,
    margins: Sequence[float] = (0.5, 1.0, 2.0, 4.0),
) -> np.ndarray | None:
    """The smallest change of at most ``max_changes`` of the ``allowed`` columns of ``x``
    that assigns it to ``target``.

    Smallest in the assigner's standardised units (standard deviations of the
    customers it learned from), within the range of values it learned from
    (a share stays a share). The change is found for the customer's own
    signal pattern, then checked by scoring the changed row; it is pushed a
    little further past the boundary (``margins``, in logits) until the
    assigner agrees. With ``max_changes``, the columns the unrestricted change
    moves most are kept free and the others held; if those cannot reach the
    persona, the columns that can push furthest towards it are tried. Returns
    the changed row, or None if no such change reaches the persona.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    change = _change_space(assigner, x, target, allowed)
    if change is None:
        return None
    free = change.free
    everything = np.arange(len(free))
    if max_changes is None or max_changes >= len(free):
        return _smallest_change(assigner, change, everything, margins)
    step = _smallest_change(assigner, change, everything, margins)
    if step is not None:
        model = change.model
        moved = np.abs((step - x)[model.columns[free]] / model.scale[free])
        if np.count_nonzero(moved > 1e-9) <= max_changes:
            return step
        # The columns the unrestricted change leans on most (stable order on ties).
        kept = np.sort(np.argsort(-moved, kind="stable")[:max_changes])
        found = _smallest_change(assigner, change, kept, margins)
        if found is not None:
            return found
    # The columns that can push furthest past the closest other persona.
    closest = int(np.argmin(change.gaps @ change.z0 + change.offsets))
    push = change.gaps[closest, free]
    reach = np.maximum(push * change.high, push * change.low)
    kept = np.sort(np.argsort(-reach, kind="stable")[:max_changes])
    return _smallest_change(assigner, change, kept, margins)


@dataclass(frozen=True)
class _ChangeSpace:
    """What a counterfactual of one customer may move, in the model's standardised units."""

    x: np.ndarray  # the customer's row
    target: int
    model: PatternModel  # the model of the customer's signals and evidence
    free: np.ndarray  # positions, among the model's columns, that may move
    z0: np.ndarray  # the customer's standardised values
    low: np.ndarray  # how far each free column may move down and up, within the values
    high: np.ndarray  # the assigner learned from
    gaps: np.ndarray  # (other personas, columns): coef of the target minus theirs
    offsets: np.ndarray  # intercept of the target minus theirs


def _change_space(
    assigner: Assigner, x: np.ndarray, target: int, allowed: Sequence[int]
) -> _ChangeSpace | None:
    """The columns of ``x`` that may move towards ``target`` and how far, or None if none may."""
    model = assigner.score_one(x)[1]  # the model of the customer's signals and evidence
    if model is None:
        return None
    # Only features the customer has may move: a missing one stays missing.
    observed = ~np.isnan(x[model.columns])
    free = np.flatnonzero(np.isin(model.columns, np.asarray(allowed)) & observed)
    if len(free) == 0 or not np.isfinite(model.intercept[target]):
        return None
    filled = np.where(np.isnan(x[model.columns]), assigner.median_[model.columns], x[model.columns])
    z0 = (filled - model.mean) / model.scale
    others = [j for j in range(assigner.n_personas_) if j != target]
    others = [j for j in others if np.isfinite(model.intercept[j])]
    # Changes stay within the values the assigner learned from (a share stays in [0, 1]).
    columns = model.columns[free]
    low = (assigner.low_[columns] - model.mean[free]) / model.scale[free] - z0[free]
    high = (assigner.high_[columns] - model.mean[free]) / model.scale[free] - z0[free]
    low, high = np.minimum(low, 0.0), np.maximum(high, 0.0)
    gaps = model.coef[target] - model.coef[others]  # (others, columns)
    offsets = model.intercept[target] - model.intercept[others]
    return _ChangeSpace(x, target, model, free, z0, low, high, gaps, offsets)


def _smallest_change(
    assigner: Assigner, change: _ChangeSpace, chosen: np.ndarray, margins: Sequence[float]
) -> np.ndarray | None:
    """The smallest change of the free columns at positions ``chosen`` that the assigner
    agrees moves the customer to the target, pushed ``margins`` logits past the boundary."""
    model, gaps, z0, offsets = change.model, change.gaps, change.z0, change.offsets
    moving = change.free[chosen]
    for margin in margins:

        def constraint(step: np.ndarray, margin: float = margin) -> np.ndarray:
            return gaps[:, moving] @ step + gaps @ z0 + offsets - margin

        found = minimize(
            lambda step: float(step @ step),
            np.zeros(len(moving)),
            jac=lambda step: 2 * step,
            constraints=[{"type": "ineq", "fun": constraint, "jac": lambda step: gaps[:, moving]}],
            bounds=list(zip(change.low[chosen], change.high[chosen], strict=True)),
            method="SLSQP",
        )
        if not found.success:
            continue
        changed = change.x.copy()
        changed[model.columns[moving]] = (z0[moving] + found.x) * model.scale[moving] + (
            model.mean[moving]
        )
        if assigner.predict(changed[None])[0] == change.target:
            return changed
    return None


@dataclass(frozen=True)
class Counterfactual:
    """A change that would move a customer to another persona.

    ``features`` is the changed feature row (None if no change of the allowed
    features reaches the persona): ``model.predict(features)`` gives ``to``.
    ``changes`` lists the features that change, in their own units, largest
    change (in standard deviations of the base) first.
    """

    customer: Any
    to: int
    features: pd.DataFrame | None
    changes: pd.DataFrame
    before: pd.Series
    after: pd.Series | None

    @property
    def found(self) -> bool:
        return self.features is not None


class ExplanationsMixin:
    """PersonaModel's explanation methods (kept here, beside the computations they wrap)."""

    def explain(
        self,
        X: Any = None,
        *,
        customer_ids: Any = None,
        top: int = 5,
        **tables: TableLike | None,
    ) -> pd.DataFrame:
        """Why each customer got their persona.

        Customers are the training customers (by ``customer_ids``) or those of
        the tables / feature matrix given (optionally narrowed to
        ``customer_ids``).

        Returns
        -------
        DataFrame
            By ``customer_id``: ``persona_id`` and ``name``, ``confidence``,
            ``runner_up`` (the next persona), ``margin`` (the assignment
            model's log-odds of the persona over the runner-up), ``reasons``
            (the ``top`` features by absolute contribution to that margin,
            each a dict with the feature, its trait label, the customer's
            value in the feature's own units, the contribution and its
            direction: "toward" the persona or "away" from it, toward the
            runner-up), ``signals_used`` and ``missing_signals``. The
            contributions are exact: with :meth:`contributions` they sum to
            the margin.
        """
        frame = self._rows(X, customer_ids, tables)
        found = contributions(self.assigner_, frame.to_numpy(dtype=np.float64))
        raw = frame if self.features_ is None else self.features_.inverse_transform(frame)
        names = self.personas_["name"]
        ids = np.append(self.persona_ids_, UNASSIGNED)
        persona = self._public(found.label)
        runner = np.where(found.runner_up >= 0, ids[found.runner_up], UNASSIGNED)
        has = self.assigner_.availability(frame.to_numpy(dtype=np.float64))
        groups = np.array(list(self.assigner_.groups))
        return pd.DataFrame(
            {
                "persona_id": persona,
                "name": [names.get(p, "unassigned") for p in persona],
                "confidence": found.confidence,
                "runner_up": runner,
                "margin": found.margin,
                "reasons": reasons_table(found, list(frame.columns), raw, top=top),
                "signals_used": _per_pattern(has, groups, present=True),
                "missing_signals": _per_pattern(has, groups, present=False),
            },
            index=frame.index,
        )

    def contributions(
        self, X: Any = None, *, customer_ids: Any = None, **tables: TableLike | None
    ) -> pd.DataFrame:
        """Each feature's exact contribution to the margin of the persona over the runner-up.

        One row per customer, one column per feature (NaN: a signal the
        customer lacks) plus ``intercept``; a row sums to ``explain``'s margin.
        """
        frame = self._rows(X, customer_ids, tables)
        found = contributions(self.assigner_, frame.to_numpy(dtype=np.float64))
        result = pd.DataFrame(found.values, index=frame.index, columns=frame.columns)
        result["intercept"] = found.intercept
        return result

    def counterfactual(
        self,
        customer: Any,
        to: int,
        *,
        change: tuple[str, ...] = ("psychographic", "behaviour"),
        max_changes: int | None = 5,
        X: Any = None,
        **tables: TableLike | None,
    ) -> Counterfactual:
        """The smallest change of a customer's needs and behaviour that moves them to ``to``.

        ``customer`` is a customer id (of the training customers, or of the
        tables / matrix given). ``change`` names the feature groups that may
        change; at most ``max_changes`` features change (None: any number), the
        rest stay as they are, and the change is the smallest in standard
        deviations of the base. ``found`` is False when no such change reaches
        the persona: allow more changes or more groups.
        """
        if max_changes is not None and (not is_whole(max_changes) or max_changes < 1):
            raise ConfigError(
                f"Got max_changes={max_changes!r}, but expected a whole number of at least 1 "
                "(or None for any number of changes)."
            )
        if to not in set(self.persona_ids_.tolist()):
            raise ConfigError(f"Got to={to!r}, but the personas are {self.persona_ids_.tolist()}.")
        unknown = sorted(set(change) - set(self.assigner_.groups))
        if unknown:
            raise ConfigError(
                f"Got change={change!r}, but {unknown} are not feature groups of this model "
                f"({list(self.assigner_.groups)})."
            )
        frame = self._rows(X, [customer], tables)
        allowed = np.concatenate([self.assigner_.groups[g] for g in change])
        target = int(np.flatnonzero(self.persona_ids_ == to)[0])
        row = frame.to_numpy(dtype=np.float64)[0]
        moved = counterfactual_row(self.assigner_, row, target, allowed, max_changes=max_changes)
        before = self._proba_frame(self.assigner_.predict_proba(row[None]), frame.index)
        if moved is None:
            return Counterfactual(customer, to, None, pd.DataFrame(), before.iloc[0], None)
        after_frame = pd.DataFrame(moved[None], index=frame.index, columns=frame.columns)
        after = self._proba_frame(self.assigner_.predict_proba(moved[None]), frame.index)
        raw = pd.concat([frame, after_frame])
        if self.features_ is not None:
            raw = self.features_.inverse_transform(raw)
        changed = np.flatnonzero(~np.isclose(row, moved, rtol=0, atol=1e-12) & ~np.isnan(row))
        spread = _spread(self.assigner_, row)
        changes = pd.DataFrame(
            {
                "feature": frame.columns[changed],
                "trait": [trait_label(str(c)) for c in frame.columns[changed]],
                "before": raw.iloc[0, changed].to_numpy(),
                "after": raw.iloc[1, changed].to_numpy(),
                "standardised_change": (moved - row)[changed] / spread[changed],
            }
        )
        changes = changes.reindex(
            changes["standardised_change"].abs().sort_values(ascending=False, kind="stable").index
        ).reset_index(drop=True)
        return Counterfactual(customer, to, after_frame, changes, before.iloc[0], after.iloc[0])

    def _rows(self, X: Any, customer_ids: Any, tables: dict) -> pd.DataFrame:
        """The feature matrix of the customers to explain."""
        check_is_fitted(self, "assigner_")
        given = X is not None or any(v is not None for v in tables.values())
        if given:
            frame = self._matrix(X, tables)
            if isinstance(frame, np.ndarray):
                frame = pd.DataFrame(frame, columns=self.feature_names_out_)
        elif customer_ids is None:
            raise ConfigError("Pass customer_ids=, or the tables or feature matrix to explain.")
        else:
            frame = self.fitted_.training
            if frame is None:
                raise ConfigError(
                    "A loaded model does not keep its training matrix: pass the customers' "
                    "tables (or feature matrix) with customer_ids=."
                )
        if customer_ids is None:
            return frame
        wanted = pd.Index(np.atleast_1d(np.asarray(customer_ids, dtype=object)).tolist())
        missing = wanted.difference(frame.index)
        if len(missing):
            where = "the tables given" if given else "the training customers"
            raise ConfigError(
                f"Got {len(missing)} customer id(s) not in {where}, first "
                f"{missing[:5].tolist()}; pass the tables that hold them."
            )
        return frame.loc[wanted]


def _spread(assigner: Assigner, row: np.ndarray) -> np.ndarray:
    """Each column's spread in the model of the customer's signal pattern (1 elsewhere)."""
    model = assigner.score_one(row)[1]
    spread = np.ones(len(row))
    if model is not None:
        spread[model.columns] = model.scale
    return spread


def _per_pattern(has: np.ndarray, groups: np.ndarray, *, present: bool) -> list[tuple[str, ...]]:
    """The groups each customer has (or lacks), built once per distinct signal pattern."""
    patterns, which = np.unique(has, axis=0, return_inverse=True)
    named = [tuple(groups[row == present].tolist()) for row in patterns]
    return [named[i] for i in np.ravel(which)]
