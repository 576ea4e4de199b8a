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

from persona.datasets._base import CustomerData
from persona.instrument import Instrument
from persona.journey import CHANNELS, DEFAULT_TAXONOMY, DEVICES, MOMENTS
from persona.schema import EMOTIONS

__all__ = ["make_customers", "NEEDS_INSTRUMENT"]

# --------------------------------------------------------------------------- the instrument

DIMENSIONS = {
    "thrift": "getting good value: comparing prices, hunting for deals",
    "convenience": "saving time and effort",
    "belonging": "being part of a community, sharing with others",
    "reassurance": "feeling safe: avoiding risk, being supported",
    "discovery": "novelty: being the first to try new things",
    "conscience": "buying in line with one's values: sustainability, ethics",
    "status": "being recognised: premium quality, standing out",
}

_ITEMS = [
    ("thr1", "thrift", False, "I compare prices before I buy."),
    ("thr2", "thrift", False, "Getting a good deal matters more to me than the brand."),
    ("thr3", "thrift", False, "I wait for the sales before buying things I want."),
    ("thr4", "thrift", True, "I rarely look for discounts."),
    ("con1", "convenience", False, "I choose whatever saves me the most time."),
    ("con2", "convenience", False, "I buy where it is quickest, even if it costs a bit more."),
    ("con3", "convenience", False, "I like brands that remember my preferences."),
    ("con4", "convenience", True, "I don't mind spending time to do things the long way."),
    ("bel1", "belonging", False, "I like to share what I buy with friends and followers."),
    ("bel2", "belonging", False, "Being part of a brand's community matters to me."),
    ("bel3", "belonging", True, "I prefer to keep my shopping to myself."),
    ("rea1", "reassurance", False, "I read the reviews before I buy anything important."),
    ("rea2", "reassurance", False, "I want to talk to a person when something goes wrong."),
    ("rea3", "reassurance", False, "I stick with brands I know I can rely on."),
    ("rea4", "reassurance", True, "I'm comfortable buying from a brand I've never heard of."),
    ("rea5", "reassurance", False, "I like to see and touch a product before buying it."),
    ("dis1", "discovery", False, "I like to be the first to try new products."),
    ("dis2", "discovery", False, "I often browse just to see what's new."),
    ("dis3", "discovery", False, "Trying something unexpected excites me."),
    ("dis4", "discovery", True, "I buy the same things I always buy."),
    ("csc1", "conscience", False, "I check how a product was made before I buy it."),
    ("csc2", "conscience", False, "I pay more for products that are better for the planet."),
    ("csc3", "conscience", True, "Sustainability plays no role in what I buy."),
    ("sta1", "status", False, "I like products that say something about who I am."),
    ("sta2", "status", False, "I'm willing to pay for premium quality."),
    ("sta3", "status", False, "I enjoy it when others notice what I buy."),
    ("sta4", "status", True, "Brand names mean nothing to me."),
]

NEEDS_INSTRUMENT = Instrument.from_dict(
    {
        "name": "needs-v1",
        "dimensions": DIMENSIONS,
        "items": [
            {"item": i, "dimension": d, "scale": [1, 5], "reverse": r, "text": t}
            for i, d, r, t in _ITEMS
        ],
    }
)

# --------------------------------------------------------------------------- the personas
# Columns follow DIMENSIONS; each row is a persona's mean need profile in
# standard units. The first row is persona 0. The defining dimension is the
# one with the largest absolute mean.
_PERSONA_NAMES = [
    "Bargain hunters",
    "Time-pressed pragmatists",
    "Community sharers",
    "Cautious planners",
    "Curious explorers",
    "Conscious choosers",
    "Status seekers",
    "Steady regulars",
]
_NEEDS = np.array(
    [
        [1.4, -0.2, -0.3, 0.3, -0.3, -0.2, -0.8],
        [-0.3, 1.4, -0.5, -0.2, -0.5, -0.3, 0.0],
        [-0.2, -0.2, 1.4, 0.0, 0.4, 0.2, 0.3],
        [0.3, -0.3, -0.2, 1.4, -0.9, 0.0, -0.3],
        [-0.4, 0.0, 0.3, -0.7, 1.4, 0.0, 0.3],
        [-0.3, -0.4, 0.2, 0.2, 0.0, 1.4, -0.4],
        [-0.9, 0.2, 0.4, -0.2, 0.3, -0.4, 1.4],
        [0.1, 0.5, 0.3, 0.7, -1.4, 0.0, 0.0],
    ]
)
_PERSONA_WEIGHTS = np.array([0.20, 0.17, 0.15, 0.13, 0.11, 0.10, 0.08, 0.06])
_NEED_SPREAD = 0.4  # within-persona standard deviation of each need
# How sharply personas differ in behaviour: the affinity tables below are
# written as relative preferences and raised to this power where they are used.
_SHARPNESS = 1.6

# Share of sessions at each moment of truth (ZMOT, FMOT, SMOT, UMOT).
_MOMENT_MIX = np.array(
    [
        [0.42, 0.28, 0.24, 0.06],
        [0.10, 0.30, 0.52, 0.08],
        [0.20, 0.22, 0.23, 0.35],
        [0.40, 0.22, 0.32, 0.06],
        [0.25, 0.45, 0.20, 0.10],
        [0.35, 0.20, 0.25, 0.20],
        [0.12, 0.40, 0.33, 0.15],
        [0.12, 0.25, 0.55, 0.08],
    ]
)
# Channel affinity (web, app, store, email, social, call_center, chat).
_CHANNEL_BASE = np.array([0.30, 0.25, 0.15, 0.10, 0.10, 0.05, 0.05])
_CHANNEL_AFFINITY = np.array(
    [
        [1.6, 1.2, 0.6, 1.6, 0.7, 0.5, 0.8],
        [0.8, 2.2, 0.4, 0.5, 0.6, 0.3, 1.4],
        [0.7, 1.2, 0.7, 0.6, 2.6, 0.3, 0.8],
        [1.0, 0.5, 1.6, 0.9, 0.3, 2.4, 1.0],
        [1.1, 1.5, 1.0, 0.6, 1.6, 0.3, 0.6],
        [1.6, 0.8, 1.2, 0.9, 1.0, 0.6, 0.8],
        [0.8, 1.4, 2.0, 0.6, 1.3, 0.4, 0.6],
        [0.7, 0.8, 1.8, 1.5, 0.4, 1.0, 0.5],
    ]
)
# Channel use by age band (18-24, 25-34, 35-44, 45-54, 55-64, 65+): demographics
# shape how customers reach the brand, not what they need.
_CHANNEL_BY_AGE = np.array(
    [
        [1.0, 1.0, 1.0, 1.0, 1.0, 0.9],  # web
        [1.6, 1.4, 1.1, 0.8, 0.6, 0.4],  # app
        [0.7, 0.8, 1.0, 1.1, 1.3, 1.5],  # store
        [0.5, 0.7, 1.0, 1.2, 1.4, 1.5],  # email
        [1.8, 1.4, 1.0, 0.7, 0.5, 0.3],  # social
        [0.4, 0.6, 0.9, 1.2, 1.5, 2.0],  # call_center
        [1.4, 1.3, 1.0, 0.8, 0.6, 0.4],  # chat
    ]
).T
_AGE_BANDS = np.array([18, 25, 35, 45, 55, 65, 86])
_AGE_BAND_SHARE = np.array([0.12, 0.20, 0.20, 0.18, 0.15, 0.15])
_AGE_ACTIVITY = np.array([1.35, 1.25, 1.05, 0.90, 0.75, 0.60])
_INCOME_ACTIVITY = np.array([0.85, 1.0, 1.2])  # low, middle, high income
_BASKET_BY_INCOME = np.array([35.0, 55.0, 85.0])  # median purchase value
_BASKET_BY_PERSONA = np.array([0.7, 1.0, 1.0, 1.1, 1.1, 1.2, 1.8, 1.0])

# Which channel can carry which event type. Rows follow _EVENT_TYPES.
_EVENT_TYPES = tuple(DEFAULT_TAXONOMY)
_CHANNELS_OF_EVENT = {
    "search": "web app",
    "read_review": "web app social",
    "compare_products": "web app",
    "watch_video": "web app social",
    "ask_advice": "store call_center chat",
    "newsletter_open": "email",
    "ad_click": "web social",
    "product_view": "web app email social",
    "store_visit": "store",
    "try_product": "store",
    "add_to_cart": "web app",
    "wishlist_add": "web app",
    "purchase": "web app store call_center",
    "delivery_tracking": "web app chat",
    "support_contact": "store call_center chat",
    "return": "web store",
    "product_use": "app",
    "write_review": "web app",
    "share": "app social",
    "social_post": "social",
    "refer_friend": "web app email",
}
# How much more (or less) a persona favours an event type than others do.
_EVENT_AFFINITY = [
    {"compare_products": 3, "search": 1.5, "newsletter_open": 2, "wishlist_add": 1.5,
     "ad_click": 1.5},
    {"purchase": 1.8, "delivery_tracking": 2.5, "product_use": 2, "add_to_cart": 1.5,
     "compare_products": 0.4, "read_review": 0.5},
    {"share": 2.5, "social_post": 3, "write_review": 1.5, "refer_friend": 2, "read_review": 1.3},
    {"read_review": 2.5, "ask_advice": 3, "support_contact": 2.5, "compare_products": 1.5,
     "return": 1.3},
    {"watch_video": 2.5, "product_view": 2, "wishlist_add": 2, "try_product": 2, "search": 1.3,
     "return": 1.5},
    {"read_review": 2, "write_review": 2.5, "ask_advice": 1.5, "return": 0.5,
     "refer_friend": 1.5},
    {"try_product": 2.5, "store_visit": 1.5, "purchase": 1.5, "share": 1.5, "social_post": 1.5,
     "return": 1.8},
    {"purchase": 2, "store_visit": 1.5, "newsletter_open": 1.5, "product_use": 1.5,
     "search": 0.6},
]
_SPILLOVER = 0.12  # weight of event types from other moments within a session

_MICRO_EVENTS = 1.4  # mean touchpoints in a micro-moment
_SESSION_EVENTS = 4.3  # and in any other session
_MICRO_MOMENTS = np.array([0.25, 0.55, 0.35, 0.10, 0.30, 0.15, 0.25, 0.20])
# Share of sessions in the night, morning, afternoon and evening.
_DAYPARTS = np.array(
    [
        [0.04, 0.22, 0.30, 0.44],
        [0.05, 0.38, 0.37, 0.20],
        [0.08, 0.15, 0.27, 0.50],
        [0.02, 0.40, 0.43, 0.15],
        [0.15, 0.15, 0.25, 0.45],
        [0.03, 0.33, 0.34, 0.30],
        [0.06, 0.20, 0.39, 0.35],
        [0.02, 0.40, 0.40, 0.18],
    ]
)
_WEEKEND = np.array([0.30, 0.22, 0.40, 0.22, 0.35, 0.28, 0.45, 0.30])

# Device by channel for the youngest and the oldest band (mobile, desktop,
# tablet, in_store, phone); bands in between are mixed linearly.
_DEVICE_YOUNG = np.array(
    [
        [0.60, 0.30, 0.10, 0, 0],
        [0.88, 0.00, 0.12, 0, 0],
        [0, 0, 0, 1, 0],
        [0.65, 0.28, 0.07, 0, 0],
        [0.85, 0.12, 0.03, 0, 0],
        [0, 0, 0, 0, 1],
        [0.70, 0.27, 0.03, 0, 0],
    ]
)
_DEVICE_OLD = np.array(
    [
        [0.20, 0.60, 0.20, 0, 0],
        [0.70, 0.00, 0.30, 0, 0],
        [0, 0, 0, 1, 0],
        [0.35, 0.50, 0.15, 0, 0],
        [0.60, 0.30, 0.10, 0, 0],
        [0, 0, 0, 0, 1],
        [0.40, 0.55, 0.05, 0, 0],
    ]
)

# Emotions: mean valence and arousal at each moment of truth, per persona.
_VALENCE = np.array(
    [
        [0.05, 0.20, 0.45, 0.30],
        [0.00, 0.10, 0.20, 0.00],
        [0.30, 0.40, 0.40, 0.70],
        [-0.35, -0.05, 0.25, 0.10],
        [0.35, 0.55, 0.20, 0.40],
        [0.10, 0.15, 0.30, 0.45],
        [0.20, 0.50, 0.35, 0.60],
        [0.20, 0.25, 0.40, 0.35],
    ]
)
_AROUSAL = np.array(
    [
        [0.55, 0.45, 0.50, 0.35],
        [0.30, 0.30, 0.35, 0.25],
        [0.50, 0.55, 0.50, 0.75],
        [0.70, 0.50, 0.40, 0.30],
        [0.75, 0.85, 0.55, 0.60],
        [0.45, 0.40, 0.40, 0.55],
        [0.60, 0.70, 0.65, 0.70],
        [0.25, 0.30, 0.30, 0.30],
    ]
)
# Intensity of joy, trust, fear, surprise, sadness, disgust, anger, anticipation.
_EMOTION_BASE = np.array(
    [
        [0.45, 0.30, 0.15, 0.20, 0.10, 0.08, 0.15, 0.50],
        [0.25, 0.35, 0.08, 0.08, 0.10, 0.10, 0.30, 0.20],
        [0.60, 0.45, 0.08, 0.30, 0.08, 0.05, 0.08, 0.40],
        [0.20, 0.45, 0.45, 0.10, 0.20, 0.08, 0.15, 0.20],
        [0.50, 0.20, 0.10, 0.60, 0.08, 0.05, 0.08, 0.60],
        [0.35, 0.35, 0.15, 0.15, 0.20, 0.30, 0.15, 0.30],
        [0.55, 0.30, 0.10, 0.30, 0.08, 0.10, 0.12, 0.55],
        [0.35, 0.60, 0.10, 0.08, 0.08, 0.05, 0.08, 0.25],
    ]
)
_TEXTS = {
    "positive": [
        "Loved how easy it was to find what I needed.",
        "Great price, really happy with this deal!",
        "Delivery was fast and the product is excellent.",
        "The staff were wonderful and helped me choose.",
        "Brilliant new collection, I can't wait to try it.",
        "So glad I shared this with my friends, they love it too.",
    ],
    "negative": [
        "The delivery was late and nobody answered my emails.",
        "Terrible experience, the product broke after a week.",
        "Too expensive for what it is, very disappointed.",
        "I was worried about the quality and sadly I was right.",
        "Waited forever on the phone, so frustrating.",
    ],
    "neutral": [
        "Ordered the usual items.",
        "Checked the opening hours of the store.",
        "Looked at a few products on the website.",
        "Asked about the delivery date.",
    ],
}

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

    weights = _PERSONA_WEIGHTS[:n_personas] / _PERSONA_WEIGHTS[:n_personas].sum()
    persona = _draw(np.cumsum(weights)[None, :], np.zeros(n_customers, dtype=np.int64), rng)
    needs = _NEEDS[persona] + rng.normal(0.0, _NEED_SPREAD, (n_customers, len(DIMENSIONS)))
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
    if not isinstance(n_customers, (int, np.integer)) or n_customers < 1:
        raise ValueError(f"Got n_customers={n_customers!r}, but expected a positive whole number.")
    if not isinstance(n_personas, (int, np.integer)) or not 2 <= n_personas <= len(_NEEDS):
        raise ValueError(
            f"Got n_personas={n_personas!r}, but expected a whole number from 2 to {len(_NEEDS)}."
        )
    for name, value in [
        ("survey_coverage", survey_coverage),
        ("emotion_coverage", emotion_coverage),
        ("text_share", text_share),
    ]:
        if not isinstance(value, (int, float, np.floating)) or not 0.0 <= value <= 1.0:
            raise ValueError(f"Got {name}={value!r}, but expected a number in [0, 1].")


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
    band = _draw(np.cumsum(_AGE_BAND_SHARE)[None, :], np.zeros(n, dtype=np.int64), rng)
    age = rng.integers(_AGE_BANDS[band], _AGE_BANDS[band + 1])
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
    sessions = 6.8 * _AGE_ACTIVITY[band] * _INCOME_ACTIVITY[income_band] * active_share
    sessions *= rng.lognormal(-0.1, 0.45, n)
    # Micro-moments are short, so customers given to them come back more often:
    # the number of touchpoints does not depend on the persona.
    micro = _MICRO_MOMENTS[persona]
    per_session = micro * _MICRO_EVENTS + (1 - micro) * _SESSION_EVENTS
    sessions *= per_session.mean() / per_session
    n_sessions = 1 + rng.poisson(np.maximum(sessions - 1.0, 0.0))
    customer = np.repeat(np.arange(n), n_sessions)
    p = persona[customer]
    n_s = len(customer)

    moment = _draw(np.cumsum(_MOMENT_MIX**_SHARPNESS, axis=1), p, rng)
    channel = _session_channels(persona, band, customer, moment, rng)
    micro = rng.random(n_s) < _MICRO_MOMENTS[p]
    device = _session_devices(channel, band[customer], micro, rng)
    start = _session_starts(p, channel, first_week[customer], rng)

    # Touchpoints: micro-moments are one or two quick taps, other sessions longer.
    n_events = np.where(
        micro, 1 + (rng.random(n_s) < _MICRO_EVENTS - 1), 2 + rng.poisson(_SESSION_EVENTS - 2, n_s)
    )
    session = np.repeat(np.arange(n_s), n_events)
    gap = np.where(micro[session], rng.exponential(15.0, len(session)), rng.exponential(90.0, len(session)))
    gap = np.minimum(gap, 1_200.0)
    first = np.cumsum(n_events) - n_events
    gap[first] = 0.0
    elapsed = np.cumsum(gap)
    offset = elapsed - np.repeat(elapsed[first], n_events)
    seconds = start[session] + np.round(offset).astype(np.int64)

    event_type = _event_types(p[session], channel[session], moment[session], rng)
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
    seconds = touchpoints["seconds"][order]
    return pd.DataFrame(
        {
            "customer_id": ids[touchpoints["customer"][order]],
            "timestamp": (_WINDOW_START + pd.to_timedelta(seconds, unit="s")).as_unit("us"),
            "session_id": touchpoints["session_id"][order],
            "channel": pd.Categorical.from_codes(touchpoints["channel"][order], CHANNELS),
            "device": pd.Categorical.from_codes(touchpoints["device"][order], DEVICES),
            "event_type": pd.Categorical.from_codes(touchpoints["event_type"][order], _EVENT_TYPES),
            "value": touchpoints["value"][order],
        }
    )


def _session_channels(persona, band, customer, moment, rng):
    # A customer's channel habits: persona affinity x age band x a personal twist.
    habit = _CHANNEL_BASE * _CHANNEL_AFFINITY[persona] ** _SHARPNESS * _CHANNEL_BY_AGE[band]
    habit *= rng.lognormal(0.0, 0.35, habit.shape)
    carries = np.zeros((len(CHANNELS), len(MOMENTS)))
    for event_type, channels in _CHANNELS_OF_EVENT.items():
        for ch in channels.split():
            carries[CHANNELS.index(ch), MOMENTS.index(DEFAULT_TAXONOMY[event_type])] = 1.0
    weights = habit[customer].astype(np.float32) * carries.T[moment].astype(np.float32)
    return _draw_rows(weights, rng)


def _session_devices(channel, band, micro, rng):
    older = np.linspace(0.0, 1.0, len(_AGE_BAND_SHARE))[:, None, None]
    table = _DEVICE_YOUNG * (1.0 - older) + _DEVICE_OLD * older  # [age band, channel, device]
    weights = table[band, channel]
    weights[micro, DEVICES.index("mobile")] *= 4.0  # micro-moments happen on the phone at hand
    return _draw_rows(weights, rng)


def _session_starts(p, channel, first_week, rng):
    n = len(p)
    week = first_week + np.floor(rng.random(n) * (_WEEKS - first_week)).astype(np.int64)
    weekend = rng.random(n) < _WEEKEND[p]
    day = np.where(weekend, 5 + rng.integers(0, 2, n), rng.integers(0, 5, n))
    daypart = _draw(np.cumsum(_DAYPARTS**_SHARPNESS, axis=1), p, rng)
    hour = daypart * 6 + rng.integers(0, 6, n)
    staffed = np.isin(channel, [CHANNELS.index("store"), CHANNELS.index("call_center")])
    closed = staffed & ((hour < 9) | (hour >= 20))
    hour[closed] = rng.integers(9, 20, int(closed.sum()))
    return (week * 7 + day) * _SECONDS_PER_DAY + hour * 3_600 + rng.integers(0, 3_600, n)


def _event_types(p, channel, moment, rng):
    carries = np.zeros((len(_EVENT_TYPES), len(CHANNELS)))
    for e, channels in enumerate(_CHANNELS_OF_EVENT.values()):
        for ch in channels.split():
            carries[e, CHANNELS.index(ch)] = 1.0
    affinity = np.ones((len(_NEEDS), len(_EVENT_TYPES)))
    for persona, favoured in enumerate(_EVENT_AFFINITY):
        for event_type, weight in favoured.items():
            affinity[persona, _EVENT_TYPES.index(event_type)] = weight**_SHARPNESS
    event_moment = np.array([MOMENTS.index(DEFAULT_TAXONOMY[e]) for e in _EVENT_TYPES])
    focus = np.where(event_moment[None, :] == np.arange(len(MOMENTS))[:, None], 1.0, _SPILLOVER)
    # table[persona, channel, moment, event type]
    table = affinity[:, None, None, :] * carries.T[None, :, None, :] * focus[None, None, :, :]
    table = table.reshape(-1, len(_EVENT_TYPES))
    table[table.sum(axis=1) == 0, 0] = 1.0  # combinations no session ever uses
    rows = (p * len(CHANNELS) + channel) * len(MOMENTS) + moment
    return _draw(np.cumsum(table, axis=1), rows, rng)


def _values(event_type, p, income_band, rng):
    money = np.isin(event_type, [_EVENT_TYPES.index("purchase"), _EVENT_TYPES.index("return")])
    median = _BASKET_BY_INCOME[income_band[money]] * _BASKET_BY_PERSONA[p[money]]
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
    dim_of_item = np.array([dims.index(d) for _, d, _, _ in _ITEMS])
    sign = np.array([-1.0 if r else 1.0 for _, _, r, _ in _ITEMS])
    loading = rng.uniform(0.8, 1.1, len(_ITEMS))
    intercept = rng.uniform(-0.3, 0.3, len(_ITEMS))
    acquiescence = rng.normal(0.25, 0.3, (k, 1))  # agreeing whatever the item says
    latent = sign * loading * z[:, dim_of_item] + intercept + acquiescence
    latent += rng.normal(0.0, 0.5, latent.shape)
    answers = np.clip(np.round(latent) + 3, 1, 5)

    straight = rng.random(k) < 0.02
    answers[straight] = rng.integers(3, 6, (int(straight.sum()), 1))
    skipped = rng.random(answers.shape) < 0.03
    skipped[skipped.all(axis=1), 0] = False  # a respondent answers at least one item
    answers[skipped] = np.nan

    survey = pd.DataFrame(answers, columns=[item for item, _, _, _ in _ITEMS])
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
    valence = np.clip(_VALENCE[p, moment] + rng.normal(0, 0.25, m), -1, 1).round(3)
    arousal = np.clip(_AROUSAL[p, moment] + rng.normal(0, 0.12, m), 0, 1).round(3)
    discrete = np.clip(_EMOTION_BASE[p] ** _SHARPNESS + rng.normal(0, 0.12, (m, len(EMOTIONS))), 0, 1).round(3)
    discrete[rng.random(m) < 0.5] = np.nan  # many sources give valence and arousal only

    as_text = rng.random(m) < text_share
    tone = np.where(valence > 0.25, "positive", np.where(valence < -0.1, "negative", "neutral"))
    text = np.full(m, None, dtype=object)
    for kind, sentences in _TEXTS.items():
        chosen = as_text & (tone == kind)
        text[chosen] = np.array(sentences, dtype=object)[rng.integers(0, len(sentences), chosen.sum())]
    valence[as_text] = np.nan
    arousal[as_text] = np.nan
    discrete[as_text] = np.nan

    seconds = touchpoints["seconds"][touch] + rng.integers(0, 1_800, m)
    emotions = pd.DataFrame(
        {
            "customer_id": ids[who],
            "timestamp": (_WINDOW_START + pd.to_timedelta(seconds, unit="s")).as_unit("us"),
            "event_type": pd.Categorical.from_codes(event_type, _EVENT_TYPES),
            "valence": valence,
            "arousal": arousal,
            **{e: discrete[:, j] for j, e in enumerate(EMOTIONS)},
            "text": text,
        }
    )
    return emotions.sort_values("timestamp", kind="stable", ignore_index=True)


def _persona_table(persona: np.ndarray, n_personas: int) -> pd.DataFrame:
    needs = _NEEDS[:n_personas]
    defining = np.abs(needs).argmax(axis=1)
    dims = list(DIMENSIONS)
    sizes = np.bincount(persona, minlength=n_personas)
    table = pd.DataFrame(
        {
            "name": _PERSONA_NAMES[:n_personas],
            "size": sizes,
            "share": sizes / sizes.sum(),
            "defining_dimension": [dims[d] for d in defining],
            "direction": np.where(needs[np.arange(n_personas), defining] > 0, "high", "low"),
        },
        index=pd.RangeIndex(n_personas, name="persona"),
    )
    return table.join(pd.DataFrame(needs, columns=[f"need_{d}" for d in dims], index=table.index))
