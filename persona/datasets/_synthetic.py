"""A synthetic customer base whose personas are known: ``make_customers``.

Every customer belongs to one true persona, a profile over need / desire
dimensions. The persona shapes what the customer does (moments of truth, event
types, channels, dayparts, micro-moments, basket value), how they feel at each
moment, and how they answer the survey. Demographics are drawn independently
of the persona: they drive activity volume and the channel / device mix, so a
segmentation by demographics or by volume cannot recover the personas.

Everything is drawn with numpy over whole arrays (no Python loop over
customers, sessions or events) from one seeded generator, so a base of a
million customers takes well under a minute and the same seed gives the same
base.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from persona._validate import is_whole
from persona.contract import CHANNELS, DEFAULT_TAXONOMY, DEVICES, EMOTIONS, MOMENTS
from persona.datasets._archetypes import (
    AGE_ACTIVITY,
    AGE_BAND_SHARE,
    AGE_BANDS,
    AROUSAL,
    BASKET_BY_INCOME,
    BASKET_BY_PERSONA,
    CHANNEL_AFFINITY,
    CHANNEL_BASE,
    CHANNEL_BY_AGE,
    CHANNELS_OF_EVENT,
    DAYPARTS,
    DEVICE_OLD,
    DEVICE_YOUNG,
    DIMENSIONS,
    EMOTION_BASE,
    EVENT_AFFINITY,
    EVENT_TYPES,
    INCOME_ACTIVITY,
    ITEMS,
    MICRO_EVENTS,
    MICRO_MOMENTS,
    MOMENT_MIX,
    NEED_SPREAD,
    NEEDS,
    NEEDS_INSTRUMENT,
    PERSONA_NAMES,
    PERSONA_WEIGHTS,
    SESSION_EVENTS,
    SHARPNESS,
    SPILLOVER,
    TEXTS,
    VALENCE,
    WEEKEND,
)
from persona.datasets._base import CustomerData
from persona.errors import ConfigError

__all__ = ["make_customers", "NEEDS_INSTRUMENT"]

_WINDOW_START = pd.Timestamp("2025-07-07")  # a Monday
_WEEKS = 52
_SECONDS_PER_DAY = 86_400


def make_customers(
    n_customers: int = 2_000,
    n_personas: int = 6,
    survey_coverage: float = 0.3,
    emotion_coverage: float = 0.5,
    random_state: int | np.random.Generator | None = None,
    *,
    text_share: float = 0.2,
) -> CustomerData:
    """Generate a customer base with known need- and desire-based personas.

    Parameters
    ----------
    n_customers : int
        How many customers. Each has at least one touchpoint; about 20 on
        average, over 52 weeks.
    n_personas : int
        How many true personas, from 2 to 8. They are need / desire profiles
        over seven dimensions (thrift, convenience, belonging, reassurance,
        discovery, conscience, status), of unequal sizes.
    survey_coverage : float
        Share of customers who answered the survey (the busier a customer,
        the likelier to answer).
    emotion_coverage : float
        Share of customers with emotion readings.
    random_state : int, numpy Generator or None
        Seed; the same seed gives the same base.
    text_share : float
        Share of emotion readings that come as text to be scored rather than
        as numbers.

    Returns
    -------
    CustomerData
        ``events`` (customer_id, timestamp, session_id, channel, device,
        event_type, value), ``survey`` (customer_id + 27 Likert items, 1..5,
        NaN where skipped), ``emotions`` (customer_id, timestamp, event_type,
        valence, arousal, the eight emotions, text), ``demographics``
        (customer_id, age, income, region, gender), ``instrument`` (needs-v1),
        ``truth`` (true persona id by customer_id) and ``personas`` (the true
        personas' names, sizes, defining dimension and need profile).

    Examples
    --------
    >>> from persona.datasets import make_customers
    >>> data = make_customers(n_customers=500, random_state=0)
    >>> data.truth.index.equals(data.demographics.set_index("customer_id").index)
    True
    >>> len(data.survey) == round(0.3 * 500)
    True
    >>> sorted(data.personas["name"])[:2]
    ['Bargain hunters', 'Cautious planners']
    """
    _check_parameters(n_customers, n_personas, survey_coverage, emotion_coverage, text_share)
    rng = np.random.default_rng(random_state)
    ids = np.arange(100_001, 100_001 + n_customers, dtype=np.int64)

    weights = PERSONA_WEIGHTS[:n_personas] / PERSONA_WEIGHTS[:n_personas].sum()
    persona = _draw(np.cumsum(weights)[None, :], np.zeros(n_customers, dtype=np.int64), rng)
    needs = NEEDS[persona] + rng.normal(0.0, NEED_SPREAD, (n_customers, len(DIMENSIONS)))
    people = _demographics(n_customers, rng)

    touchpoints = _journeys(persona, people, rng)
    activity = np.bincount(touchpoints["customer"], minlength=n_customers)
    survey = _survey(needs, activity, survey_coverage, ids, rng)
    emotions = _emotions(persona, touchpoints, ids, emotion_coverage, text_share, rng)
    events = _events_table(touchpoints, ids)

    demographics = pd.DataFrame({"customer_id": ids, **{k: people[k] for k in _PEOPLE}})
    truth = pd.Series(persona, index=pd.Index(ids, name="customer_id"), name="persona")
    return CustomerData(
        events=events,
        survey=survey,
        emotions=emotions,
        demographics=demographics,
        instrument=NEEDS_INSTRUMENT,
        truth=truth,
        personas=_persona_table(persona, n_personas),
        observation_end=_WINDOW_START + pd.Timedelta(weeks=_WEEKS),
        description=f"synthetic customer base ({n_customers:,} customers, "
        f"{n_personas} personas, seed {random_state})",
        source="persona.datasets.make_customers",
        licence="BSD-3-Clause (generated by persona)",
    )


def _check_parameters(n_customers, n_personas, survey_coverage, emotion_coverage, text_share):
    if not is_whole(n_customers) or n_customers < 1:
        raise ConfigError(f"Got n_customers={n_customers!r}, but expected a positive whole number.")
    if not is_whole(n_personas) or not 2 <= n_personas <= len(NEEDS):
        raise ConfigError(
            f"Got n_personas={n_personas!r}, but expected a whole number from 2 to {len(NEEDS)}."
        )
    for name, value in [
        ("survey_coverage", survey_coverage),
        ("emotion_coverage", emotion_coverage),
        ("text_share", text_share),
    ]:
        if not isinstance(value, (int, float, np.floating)) or not 0.0 <= value <= 1.0:
            raise ConfigError(f"Got {name}={value!r}, but expected a number in [0, 1].")


def _draw(cumulative: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One categorical draw per entry of ``rows`` from the cumulative table's rows.

    Rows of a small table are stacked end to end on one axis (row ``r`` spans
    ``[r, r + 1)``), so one ``searchsorted`` draws from any mix of rows.
    """
    n_rows, n_categories = cumulative.shape
    table = cumulative / cumulative[:, -1:]
    flat = (table + np.arange(n_rows)[:, None]).ravel()
    flat[n_categories - 1 :: n_categories] = np.arange(1, n_rows + 1)  # exact row ends
    picks = np.searchsorted(flat, rng.random(len(rows)) + rows, side="right")
    return np.minimum(picks - rows * n_categories, n_categories - 1)


def _draw_rows(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One categorical draw per row of a (n, k) weight matrix."""
    cumulative = np.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    return (rng.random((len(weights), 1)) >= cumulative[:, :-1]).sum(axis=1)


_PEOPLE = ("age", "income", "region", "gender")


def _demographics(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    band = _draw(np.cumsum(AGE_BAND_SHARE)[None, :], np.zeros(n, dtype=np.int64), rng)
    age = rng.integers(AGE_BANDS[band], AGE_BANDS[band + 1])
    # Income rises with age up to the fifties, with a wide spread.
    log_income = 10.2 + 0.35 * np.minimum(band, 3) / 3 + rng.normal(0, 0.45, n)
    income = np.round(np.exp(log_income), -2).astype(np.int64)
    income_band = np.searchsorted([25_000, 45_000], income, side="right")
    region = np.array(["north", "centre", "south", "islands"])[
        _draw(np.cumsum([0.45, 0.20, 0.23, 0.12])[None, :], np.zeros(n, dtype=np.int64), rng)
    ]
    gender = np.array(["female", "male", "non-binary"])[
        _draw(np.cumsum([0.51, 0.47, 0.02])[None, :], np.zeros(n, dtype=np.int64), rng)
    ]
    return {
        "age": age,
        "income": income,
        "region": region,
        "gender": gender,
        "age_band": band,
        "income_band": income_band,
    }


def _journeys(persona, people, rng) -> dict[str, np.ndarray]:
    """Sessions and their touchpoints, as arrays in customer order."""
    n = len(persona)
    band, income_band = people["age_band"], people["income_band"]

    # Volume: demographics and a customer's own habit, never the persona.
    first_week = np.where(rng.random(n) < 0.35, rng.integers(0, 44, n), 0)
    active_share = (_WEEKS - first_week) / _WEEKS
    sessions = 6.8 * AGE_ACTIVITY[band] * INCOME_ACTIVITY[income_band] * active_share
    sessions *= rng.lognormal(-0.1, 0.45, n)
    # Micro-moments are short, so customers given to them come back more often:
    # the number of touchpoints does not depend on the persona.
    micro = MICRO_MOMENTS[persona]
    per_session = micro * MICRO_EVENTS + (1 - micro) * SESSION_EVENTS
    sessions *= per_session.mean() / per_session
    n_sessions = 1 + rng.poisson(np.maximum(sessions - 1.0, 0.0))
    customer = np.repeat(np.arange(n, dtype=np.int32), n_sessions)
    p = persona[customer]
    n_s = len(customer)

    # Category codes are small integers: int8 keeps 20M touchpoints light.
    moment = _draw(np.cumsum(MOMENT_MIX**SHARPNESS, axis=1), p, rng).astype(np.int8)
    channel = _session_channels(persona, band, customer, moment, rng).astype(np.int8)
    micro = rng.random(n_s) < MICRO_MOMENTS[p]
    device = _session_devices(channel, band[customer], micro, rng).astype(np.int8)
    start = _session_starts(p, channel, first_week[customer], rng)

    # Touchpoints: micro-moments are one or two quick taps, other sessions longer.
    n_events = np.where(
        micro, 1 + (rng.random(n_s) < MICRO_EVENTS - 1), 2 + rng.poisson(SESSION_EVENTS - 2, n_s)
    )
    session = np.repeat(np.arange(n_s, dtype=np.int32), n_events)
    mean_gap = np.where(micro[session], 15.0, 90.0)  # seconds between touches
    gap = np.minimum(rng.exponential(1.0, len(session)) * mean_gap, 1_200.0)
    first = np.cumsum(n_events) - n_events
    gap[first] = 0.0
    elapsed = np.cumsum(gap)
    offset = elapsed - np.repeat(elapsed[first], n_events)
    seconds = start[session] + np.round(offset).astype(np.int64)

    event_type = _event_types(p[session], channel[session], moment[session], rng).astype(np.int8)
    value = _values(event_type, p[session], income_band[customer[session]], rng)

    session_order = np.argsort(start, kind="stable")
    session_id = np.empty(n_s, dtype=np.int64)
    session_id[session_order] = np.arange(1, n_s + 1)
    # Touchpoints in customer order (all of a customer's rows side by side).
    return {
        "customer": customer[session],
        "seconds": seconds,
        "session_id": session_id[session],
        "channel": channel[session],
        "device": device[session],
        "event_type": event_type,
        "value": value,
    }


def _events_table(touchpoints: dict[str, np.ndarray], ids: np.ndarray) -> pd.DataFrame:
    """The touchpoints as an event log, in time order as a log comes."""
    order = np.argsort(touchpoints["seconds"], kind="stable")

    def take(name: str) -> np.ndarray:  # reorder, and let go of the customer-order copy
        return touchpoints.pop(name)[order]

    return pd.DataFrame(
        {
            "customer_id": ids[take("customer")],
            "timestamp": _timestamps(take("seconds")),
            "session_id": take("session_id"),
            "channel": pd.Categorical.from_codes(take("channel"), CHANNELS),
            "device": pd.Categorical.from_codes(take("device"), DEVICES),
            "event_type": pd.Categorical.from_codes(take("event_type"), EVENT_TYPES),
            "value": take("value"),
        }
    )


def _timestamps(seconds: np.ndarray) -> np.ndarray:
    """Seconds since the window's start as datetime64[us]."""
    start = np.datetime64(_WINDOW_START.to_datetime64(), "s")
    return (start + seconds.astype("timedelta64[s]")).astype("datetime64[us]")


def _session_channels(persona, band, customer, moment, rng):
    # A customer's channel habits: persona affinity x age band x a personal twist.
    habit = CHANNEL_BASE * CHANNEL_AFFINITY[persona] ** SHARPNESS * CHANNEL_BY_AGE[band]
    habit *= rng.lognormal(0.0, 0.35, habit.shape)
    carries = np.zeros((len(CHANNELS), len(MOMENTS)))
    for event_type, channels in CHANNELS_OF_EVENT.items():
        for ch in channels.split():
            carries[CHANNELS.index(ch), MOMENTS.index(DEFAULT_TAXONOMY[event_type])] = 1.0
    weights = habit[customer].astype(np.float32) * carries.T[moment].astype(np.float32)
    return _draw_rows(weights, rng)


def _session_devices(channel, band, micro, rng):
    older = np.linspace(0.0, 1.0, len(AGE_BAND_SHARE))[:, None, None]
    table = DEVICE_YOUNG * (1.0 - older) + DEVICE_OLD * older  # [age band, channel, device]
    weights = table[band, channel]
    weights[micro, DEVICES.index("mobile")] *= 4.0  # micro-moments happen on the phone at hand
    return _draw_rows(weights, rng)


def _session_starts(p, channel, first_week, rng):
    n = len(p)
    week = first_week + np.floor(rng.random(n) * (_WEEKS - first_week)).astype(np.int64)
    weekend = rng.random(n) < WEEKEND[p]
    day = np.where(weekend, 5 + rng.integers(0, 2, n), rng.integers(0, 5, n))
    daypart = _draw(np.cumsum(DAYPARTS**SHARPNESS, axis=1), p, rng)
    hour = daypart * 6 + rng.integers(0, 6, n)
    staffed = np.isin(channel, [CHANNELS.index("store"), CHANNELS.index("call_center")])
    closed = staffed & ((hour < 9) | (hour >= 20))
    hour[closed] = rng.integers(9, 20, int(closed.sum()))
    return (week * 7 + day) * _SECONDS_PER_DAY + hour * 3_600 + rng.integers(0, 3_600, n)


def _event_types(p, channel, moment, rng):
    carries = np.zeros((len(EVENT_TYPES), len(CHANNELS)))
    for e, channels in enumerate(CHANNELS_OF_EVENT.values()):
        for ch in channels.split():
            carries[e, CHANNELS.index(ch)] = 1.0
    affinity = np.ones((len(NEEDS), len(EVENT_TYPES)))
    for persona, favoured in enumerate(EVENT_AFFINITY):
        for event_type, weight in favoured.items():
            affinity[persona, EVENT_TYPES.index(event_type)] = weight**SHARPNESS
    event_moment = np.array([MOMENTS.index(DEFAULT_TAXONOMY[e]) for e in EVENT_TYPES])
    focus = np.where(event_moment[None, :] == np.arange(len(MOMENTS))[:, None], 1.0, SPILLOVER)
    # table[persona, channel, moment, event type]
    table = affinity[:, None, None, :] * carries.T[None, :, None, :] * focus[None, None, :, :]
    table = table.reshape(-1, len(EVENT_TYPES))
    table[table.sum(axis=1) == 0, 0] = 1.0  # combinations no session ever uses
    rows = (p * len(CHANNELS) + channel) * len(MOMENTS) + moment
    return _draw(np.cumsum(table, axis=1), rows, rng)


def _values(event_type, p, income_band, rng):
    money = np.isin(event_type, [EVENT_TYPES.index("purchase"), EVENT_TYPES.index("return")])
    median = BASKET_BY_INCOME[income_band[money]] * BASKET_BY_PERSONA[p[money]]
    value = np.full(len(event_type), np.nan)
    value[money] = np.round(median * rng.lognormal(0.0, 0.6, int(money.sum())), 2)
    return value


def _survey(needs, activity, coverage, ids, rng) -> pd.DataFrame | None:
    n = len(ids)
    k = int(round(coverage * n))
    if k == 0:
        return None
    # Busier customers answer more often: weighted sampling without replacement.
    keys = np.log1p(activity) + rng.gumbel(size=n)
    respondents = np.sort(np.argpartition(-keys, k - 1)[:k]) if k < n else np.arange(n)
    z = needs[respondents]

    dims = list(DIMENSIONS)
    dim_of_item = np.array([dims.index(d) for _, d, _, _ in ITEMS])
    sign = np.array([-1.0 if r else 1.0 for _, _, r, _ in ITEMS])
    loading = rng.uniform(0.8, 1.1, len(ITEMS))
    intercept = rng.uniform(-0.3, 0.3, len(ITEMS))
    acquiescence = rng.normal(0.25, 0.3, (k, 1))  # agreeing whatever the item says
    latent = sign * loading * z[:, dim_of_item] + intercept + acquiescence
    latent += rng.normal(0.0, 0.5, latent.shape)
    answers = np.clip(np.round(latent) + 3, 1, 5)

    straight = rng.random(k) < 0.02
    answers[straight] = rng.integers(3, 6, (int(straight.sum()), 1))
    skipped = rng.random(answers.shape) < 0.03
    skipped[skipped.all(axis=1), 0] = False  # a respondent answers at least one item
    answers[skipped] = np.nan

    survey = pd.DataFrame(answers, columns=[item for item, _, _, _ in ITEMS])
    survey.insert(0, "customer_id", ids[respondents])
    return survey


def _emotions(persona, touchpoints, ids, coverage, text_share, rng) -> pd.DataFrame | None:
    n = len(ids)
    k = int(round(coverage * n))
    if k == 0:
        return None
    covered = np.sort(rng.choice(n, size=k, replace=False))
    n_readings = 1 + rng.poisson(3.0, k)
    who = np.repeat(covered, n_readings)

    # Tie each reading to one of the customer's own touchpoints, which sit
    # side by side in customer order.
    counts = np.bincount(touchpoints["customer"], minlength=n)
    starts = np.cumsum(counts) - counts
    touch = starts[who] + np.floor(rng.random(len(who)) * counts[who]).astype(np.int64)
    event_type = touchpoints["event_type"][touch]
    moment = np.array([MOMENTS.index(m) for m in DEFAULT_TAXONOMY.values()])[event_type]
    p = persona[who]
    m = len(who)
    valence = np.clip(VALENCE[p, moment] + rng.normal(0, 0.25, m), -1, 1).round(3)
    arousal = np.clip(AROUSAL[p, moment] + rng.normal(0, 0.12, m), 0, 1).round(3)
    intensity = EMOTION_BASE[p] ** SHARPNESS + rng.normal(0, 0.12, (m, len(EMOTIONS)))
    discrete = np.clip(intensity, 0, 1).round(3)
    discrete[rng.random(m) < 0.5] = np.nan  # many sources give valence and arousal only

    as_text = rng.random(m) < text_share
    tone = np.where(valence > 0.25, "positive", np.where(valence < -0.1, "negative", "neutral"))
    text = np.full(m, None, dtype=object)
    for kind, sentences in TEXTS.items():
        chosen = as_text & (tone == kind)
        pick = rng.integers(0, len(sentences), chosen.sum())
        text[chosen] = np.array(sentences, dtype=object)[pick]
    valence[as_text] = np.nan
    arousal[as_text] = np.nan
    discrete[as_text] = np.nan

    seconds = touchpoints["seconds"][touch] + rng.integers(0, 1_800, m)
    emotions = pd.DataFrame(
        {
            "customer_id": ids[who],
            "timestamp": _timestamps(seconds),
            "event_type": pd.Categorical.from_codes(event_type, EVENT_TYPES),
            "valence": valence,
            "arousal": arousal,
            **{e: discrete[:, j] for j, e in enumerate(EMOTIONS)},
            "text": text,
        }
    )
    return emotions.sort_values("timestamp", kind="stable", ignore_index=True)


def _persona_table(persona: np.ndarray, n_personas: int) -> pd.DataFrame:
    needs = NEEDS[:n_personas]
    defining = np.abs(needs).argmax(axis=1)
    dims = list(DIMENSIONS)
    sizes = np.bincount(persona, minlength=n_personas)
    table = pd.DataFrame(
        {
            "name": PERSONA_NAMES[:n_personas],
            "size": sizes,
            "share": sizes / sizes.sum(),
            "defining_dimension": [dims[d] for d in defining],
            "direction": np.where(needs[np.arange(n_personas), defining] > 0, "high", "low"),
        },
        index=pd.RangeIndex(n_personas, name="persona"),
    )
    return table.join(pd.DataFrame(needs, columns=[f"need_{d}" for d in dims], index=table.index))
