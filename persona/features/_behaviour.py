"""The touchpoint feature families, computed on one sorted part of an event log.

:func:`features` gives every ``behaviour__*`` column (without its prefix) of
the customers in one :class:`~persona.features._log.SortedLog`: channel,
device and event-type mix, sessions and micro-moments, moments of truth
(research before purchase, expression after experience, backtracking),
rhythm (dayparts, weekends, trend), and value and service (RFM as lifetimes
computes it, refunds, support contacts, returns). Array arithmetic on the
sorted columns only: it reads the part it is given and the journey settings,
and nothing else. :mod:`persona.features.touchpoints` reads and validates the
log, splits it into parts and assembles the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from persona.contract import MOMENTS
from persona.features._log import SortedLog, changes

if TYPE_CHECKING:
    from persona.features.touchpoints import JourneySettings

__all__ = ["DAYPARTS", "features"]

#: Hours of the day in each daypart (local time of the timestamps).
DAYPARTS: dict[str, tuple[int, int]] = {
    "night": (0, 6),
    "morning": (6, 12),
    "afternoon": (12, 18),
    "evening": (18, 24),
}


def features(
    log: SortedLog, channels, devices, event_types, settings: JourneySettings
) -> dict[str, np.ndarray]:
    """Every feature of the part's customers, by name (without the ``behaviour__`` prefix)."""
    columns: dict[str, np.ndarray] = {"touchpoints": log.total}
    columns |= _mix(log, channels, devices)
    columns |= _event_mix(log, event_types)
    columns |= _sessions(log, settings)
    purchases = _purchases(log, settings)  # read by both the moments and the value features
    columns |= _moments(log, settings, purchases[0])
    columns |= _rhythm(log)
    columns |= _value(log, settings, purchases)
    return columns


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, NaN where the denominator is 0 (nothing to count)."""
    out = np.full(len(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


# --------------------------------------------------------------------------- feature families


def _mix(log: SortedLog, channels, devices) -> dict[str, np.ndarray]:
    by_channel = log.counts(log.channel, len(log.channel_levels))
    shares = by_channel / log.total[:, None]
    out = {
        f"share_channel_{c}": _level_share(shares, log.channel_levels, c)
        for c in (log.channel_levels if channels is None else channels)
    }
    if log.device is not None:
        device_shares = log.counts(log.device, len(log.device_levels)) / log.total[:, None]
        out |= {
            f"share_device_{d}": _level_share(device_shares, log.device_levels, d)
            for d in (log.device_levels if devices is None else devices)
        }
    with np.errstate(divide="ignore", invalid="ignore"):
        # Adding 0.0 turns the -0.0 of a single-channel customer into 0.0.
        entropy = -np.where(shares > 0, shares * np.log(shares), 0.0).sum(axis=1) + 0.0
    out["n_channels"] = (by_channel > 0).sum(axis=1)
    out["channel_entropy"] = entropy
    return out


def _event_mix(log: SortedLog, event_types) -> dict[str, np.ndarray]:
    if not event_types:
        return {}
    shares = log.counts(log.event_type, len(log.event_levels)) / log.total[:, None]
    return {f"share_event_{e}": _level_share(shares, log.event_levels, e) for e in event_types}


def _level_share(shares: np.ndarray, levels: list[str], level: str) -> np.ndarray:
    if level in levels:
        return shares[:, levels.index(level)]
    return np.zeros(len(shares))


def _session_opens(log: SortedLog, settings: JourneySettings) -> np.ndarray:
    """True where a touchpoint opens a session."""
    opens = np.ones(len(log.customer), dtype=bool)
    if log.session_id is not None:
        session = log.session_id[log.row]
        opens[1:] = session[1:] != session[:-1]
    else:
        gap = settings.session_gap // pd.Timedelta(1, "us")
        opens[1:] = (log.time[1:] - log.time[:-1]) > gap
    opens[1:] |= log.customer[1:] != log.customer[:-1]
    return opens


def _sessions(log: SortedLog, settings: JourneySettings) -> dict[str, np.ndarray]:
    opens = _session_opens(log, settings)
    first = np.flatnonzero(opens)
    last = np.r_[first[1:], len(opens)][: len(first)] - 1  # none when the log is empty
    owner = log.customer[first]
    sessions = np.bincount(owner, minlength=log.n).astype(np.float64)
    seconds = (log.time[last] - log.time[first]) / 1e6
    # Session i + 1 follows session i when both belong to the same customer.
    follows = np.flatnonzero(owner[1:] == owner[:-1])
    next_owner = owner[1:][follows]
    gap_days = (log.time[first[1:][follows]] - log.time[last[:-1][follows]]) / 86_400e6
    switched = log.channel[first[1:][follows]] != log.channel[first[:-1][follows]]
    n_follows = np.bincount(next_owner, minlength=log.n)
    micro = seconds <= settings.micro_moment.total_seconds()

    # Pairs of neighbouring touchpoints inside one session, counted on the later one.
    inside = ~opens[1:]
    changed = inside & (log.channel[1:] != log.channel[:-1])
    later = log.customer[1:]
    return {
        "sessions": sessions,
        "session_touchpoints": log.total / sessions,
        "session_minutes": np.bincount(owner, weights=seconds, minlength=log.n) / sessions / 60,
        "micro_moment_share": np.bincount(owner[micro], minlength=log.n) / sessions,
        "days_between_sessions": _ratio(
            np.bincount(next_owner, weights=gap_days, minlength=log.n), n_follows
        ),
        "channel_switch_across_sessions": _ratio(
            np.bincount(next_owner[switched], minlength=log.n), n_follows
        ),
        "channel_switch_in_session": _ratio(
            np.bincount(later[changed], minlength=log.n),
            np.bincount(later[inside], minlength=log.n),
        ),
    }


def _moments(
    log: SortedLog, settings: JourneySettings, purchase: np.ndarray
) -> dict[str, np.ndarray]:
    rank = log.moment_rank(settings.taxonomy)
    by_moment = log.counts(rank, len(MOMENTS))
    out = {f"share_moment_{m}": by_moment[:, i] / log.total for i, m in enumerate(MOMENTS)}

    # The latest research touch at or before each purchase ...
    research = np.flatnonzero(rank == 0)
    before = np.searchsorted(research, purchase, side="right") - 1
    found = research[np.clip(before, 0, None)] if len(research) else purchase
    window = settings.research_window // pd.Timedelta(1, "us")
    researched = (
        (before >= 0)
        & (log.customer[found] == log.customer[purchase])
        & (log.time[purchase] - log.time[found] <= window)
    )
    other_channel = researched & (log.channel[found] != log.channel[purchase])
    purchases = log.count(purchase)
    out["research_before_purchase"] = _ratio(log.count(purchase[researched]), purchases)
    out["research_other_channel"] = _ratio(log.count(purchase[other_channel]), purchases)

    # ... and the next expression at or after each experience.
    experience = np.flatnonzero(rank == 2)
    expression = np.flatnonzero(rank == 3)
    after = np.searchsorted(expression, experience, side="left")
    found = expression[np.clip(after, 0, len(expression) - 1)] if len(expression) else experience
    window = settings.expression_window // pd.Timedelta(1, "us")
    expressed = (
        (after < len(expression))
        & (log.customer[found] == log.customer[experience])
        & (log.time[found] - log.time[experience] <= window)
    )
    out["expression_after_experience"] = _ratio(
        log.count(experience[expressed]), log.count(experience)
    )

    # Backtracking: neighbouring touchpoints of a customer whose moment goes back.
    later = log.customer[1:]
    step = (rank[1:] >= 0) & (rank[:-1] >= 0) & (later == log.customer[:-1])
    backwards = step & (rank[1:] < rank[:-1])
    out["journey_backtracking"] = _ratio(
        np.bincount(later[backwards], minlength=log.n), np.bincount(later[step], minlength=log.n)
    )
    return out


def _rhythm(log: SortedLog) -> dict[str, np.ndarray]:
    hours = log.time // 3_600_000_000  # one int64 buffer, reused below
    hour = (hours % 24).astype(np.int8)
    hours //= 24
    hours += 3  # 1970-01-01 was a Thursday; Monday is 0
    hours %= 7
    weekday = hours.astype(np.int8)
    del hours
    out = {
        f"share_daypart_{name}": log.count((hour >= lo) & (hour < hi)) / log.total
        for name, (lo, hi) in DAYPARTS.items()
    }
    out["weekend_share"] = log.count(weekday >= 5) / log.total
    # Where in the customer's own span (first touch .. observation end) the
    # touches fall: 0 is steady, positive growing, negative fading.
    # Times count from each customer's own first touch, in whole microseconds,
    # so a customer's trend does not depend on who else is in the batch.
    first_time = log.time[np.flatnonzero(changes(log.customer))]
    since = (log.time - first_time[log.customer]) / 1e6
    mean_since = np.bincount(log.customer, weights=since, minlength=log.n) / log.total
    span = (log.end - first_time) / 1e6
    out["activity_trend"] = 2.0 * _ratio(mean_since, span) - 1.0
    return out


def _purchases(log: SortedLog, settings: JourneySettings) -> tuple[np.ndarray, np.ndarray]:
    """Positions of purchases and of refunds: purchase-type touchpoints of negative value.

    A refund written as a negative purchase is not a purchase: it counts in no
    frequency, recency or research ratio, and its amount nets into spend.
    """
    candidate = np.flatnonzero(log.in_event_types(settings.purchase_types))
    refund = log.value[log.row[candidate]] < 0  # NaN (no value) is a purchase
    return candidate[~refund], candidate[refund]


def _value(
    log: SortedLog, settings: JourneySettings, purchases: tuple[np.ndarray, np.ndarray]
) -> dict[str, np.ndarray]:
    """RFM as lifetimes' summary_data_from_transaction_data(freq='D') computes it, and service.

    Refunds (:func:`_purchases`) lower ``total_spend`` only; ``monetary_value``
    stays the mean spend of repeat purchase days, as lifetimes has it.
    """
    purchase, refund = purchases
    customer = log.customer[purchase]
    day = log.time[purchase] // 86_400_000_000
    spend = np.nan_to_num(log.value[log.row[purchase]])
    # Purchases are in customer-then-time order: a new period opens where the
    # customer or the day changes.
    opens = np.ones(len(customer), dtype=bool)
    opens[1:] = (customer[1:] != customer[:-1]) | (day[1:] != day[:-1])
    period = np.cumsum(opens) - 1
    period_spend = np.bincount(period, weights=spend)
    period_customer = customer[opens]
    period_day = day[opens]
    first_period = changes(period_customer)

    n = log.n
    periods = np.bincount(period_customer, minlength=n).astype(np.float64)
    buyer = periods > 0
    first_day = np.full(n, np.nan)
    first_day[period_customer[first_period]] = period_day[first_period]
    last_day = np.full(n, np.nan)
    last_day[period_customer] = period_day  # the last period of each customer wins
    frequency = np.where(buyer, periods - 1, np.nan)
    repeat_spend = np.bincount(
        period_customer[~first_period], weights=period_spend[~first_period], minlength=n
    )
    purchases = log.count(purchase)
    return {
        "purchases": purchases,
        "total_spend": np.bincount(customer, weights=spend, minlength=n)
        + np.bincount(log.customer[refund], weights=log.value[log.row[refund]], minlength=n),
        "frequency": frequency,
        "recency": last_day - first_day,
        "T": log.end // 86_400_000_000 - first_day,
        "monetary_value": np.where(buyer, np.nan_to_num(_ratio(repeat_spend, frequency)), np.nan),
        "support_per_purchase": _ratio(
            log.count(log.in_event_types(settings.support_types)), purchases
        ),
        "return_rate": _ratio(log.count(log.in_event_types(settings.return_types)), purchases),
    }
