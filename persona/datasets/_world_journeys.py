"""A world's journeys: sessions and touchpoints in persona's vocabulary or a retailer's own.

The vocabularies (channels, devices, event types with their moment of truth,
base weight and the channels that carry them), the sessions each customer
opens and their touchpoints, money on purchases and refunds, and the event log
and journey settings a world hands over. Draws from the generator it is handed
and touches nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from persona.contract import CHANNELS, DEVICES, MOMENTS
from persona.datasets._world_draws import WEEKS, draw, tilts, timestamps
from persona.datasets._world_people import AGE_BANDS
from persona.datasets._world_spec import WorldSpec
from persona.features.touchpoints import JourneySettings

__all__ = ["Vocabulary", "draw_journeys", "events_table", "journey_settings_of", "vocabulary_of"]

# Both vocabularies list channels by kind, in this order, and devices by role, so one
# device table and one age gradient serve both.
_CHANNEL_KINDS = ("site", "app", "shop", "mail", "social", "voice", "messaging")
_OWN_CHANNELS = ("website", "mobile_app", "boutique", "newsletter", "instagram", "hotline",
                 "whatsapp")  # fmt: skip
_OWN_DEVICES = ("smartphone", "laptop", "ipad", "pos_terminal", "landline")
_CHANNEL_BASE = np.array([0.30, 0.26, 0.17, 0.08, 0.09, 0.04, 0.06])
_CHANNEL_BY_AGE = np.array([0.0, 0.7, -0.3, -0.5, 0.9, -0.8, 0.4])  # per SD of age, younger +
_CHANNEL_BY_INCOME = np.array([0.0, 0.1, 0.35, 0.0, -0.1, -0.1, 0.0])
_STAFFED_KINDS = (2, 5)  # shop and voice channels keep opening hours
# Device roles: handheld, computer, tablet, in place, voice; rows by channel kind.
_DEVICE_YOUNG = np.array([
    [55, 35, 10, 0, 0],  # site
    [92, 0, 8, 0, 0],  # app
    [0, 0, 0, 1, 0],  # shop
    [60, 30, 10, 0, 0],  # mail
    [85, 10, 5, 0, 0],  # social
    [0, 0, 0, 0, 1],  # voice
    [90, 8, 2, 0, 0],  # messaging
], dtype=float)  # fmt: skip
_DEVICE_OLD = np.array([
    [25, 55, 20, 0, 0],
    [80, 0, 20, 0, 0],
    [0, 0, 0, 1, 0],
    [30, 50, 20, 0, 0],
    [60, 25, 15, 0, 0],
    [0, 0, 0, 0, 1],
    [75, 15, 10, 0, 0],
], dtype=float)  # fmt: skip

# Event type -> (moment of truth, base weight, channels that carry it).
_DEFAULT_EVENTS = {
    "search": ("ZMOT", 3.0, "web app"),
    "read_review": ("ZMOT", 1.5, "web app social"),
    "compare_products": ("ZMOT", 1.0, "web app"),
    "watch_video": ("ZMOT", 0.8, "social web app"),
    "ask_advice": ("ZMOT", 0.6, "store chat call_center social"),
    "newsletter_open": ("ZMOT", 2.0, "email"),
    "ad_click": ("ZMOT", 1.0, "social web email"),
    "product_view": ("FMOT", 4.0, "web app"),
    "store_visit": ("FMOT", 3.0, "store"),
    "try_product": ("FMOT", 1.0, "store"),
    "add_to_cart": ("FMOT", 1.5, "web app"),
    "wishlist_add": ("FMOT", 0.6, "web app"),
    "purchase": ("SMOT", 1.6, "web app store call_center"),
    "delivery_tracking": ("SMOT", 0.8, "web app email"),
    "support_contact": ("SMOT", 0.5, "chat call_center email store"),
    "return": ("SMOT", 0.25, "store web"),
    "product_use": ("SMOT", 0.8, "app"),
    "write_review": ("UMOT", 0.4, "web app"),
    "share": ("UMOT", 0.4, "social app chat"),
    "social_post": ("UMOT", 0.6, "social"),
    "refer_friend": ("UMOT", 0.2, "app email social chat"),
}
# A retailer's own names, none of them in persona's defaults. Listed taking turns
# across the moments: a world whose taxonomy covers a share of them maps the first ones.
_OWN_EVENTS = {
    "order_placed": ("SMOT", 1.6, "website mobile_app boutique hotline whatsapp"),
    "google_search": ("ZMOT", 3.0, "website mobile_app"),
    "lookbook_view": ("FMOT", 4.0, "website mobile_app instagram"),
    "instagram_post": ("UMOT", 0.6, "instagram"),
    "review_read": ("ZMOT", 1.5, "website mobile_app instagram"),
    "boutique_visit": ("FMOT", 3.0, "boutique"),
    "parcel_tracking": ("SMOT", 0.8, "website mobile_app whatsapp newsletter"),
    "star_rating": ("UMOT", 0.4, "website mobile_app"),
    "price_compare": ("ZMOT", 1.0, "website mobile_app"),
    "basket_add": ("FMOT", 1.5, "website mobile_app"),
    "chat_support": ("SMOT", 0.5, "whatsapp mobile_app hotline"),
    "referral_share": ("UMOT", 0.2, "whatsapp mobile_app"),
    "unboxing_video": ("ZMOT", 0.8, "instagram"),
    "fitting_room": ("FMOT", 1.0, "boutique"),
    "coupon_redeem": ("SMOT", 0.5, "boutique website mobile_app"),
    "review_posted": ("UMOT", 0.4, "website"),
    "stylist_question": ("ZMOT", 0.6, "whatsapp boutique hotline"),
    "wishlist_save": ("FMOT", 0.6, "website mobile_app"),
    "refund_request": ("SMOT", 0.25, "website boutique hotline"),
    "newsletter_click": ("ZMOT", 2.0, "newsletter"),
    "click_collect": ("SMOT", 0.5, "boutique"),
}
# Which event types are purchases, support contacts and refunds, per vocabulary.
_SERVICE_TYPES = {
    "default": ("purchase", "support_contact", "return"),
    "own": ("order_placed", "chat_support", "refund_request"),
}


@dataclass(frozen=True)
class Vocabulary:
    """Names a world's touchpoints use, and which channel carries which event type."""

    channels: tuple[str, ...]
    devices: tuple[str, ...]
    events: tuple[str, ...]
    moment: np.ndarray  # moment index of each event type
    base: np.ndarray  # base weight of each event type
    carries: np.ndarray  # (channel, event type): 1 where the channel carries it
    purchase: int
    support: int
    refund: int


def vocabulary_of(name: str) -> Vocabulary:
    own = name == "own"
    channels = _OWN_CHANNELS if own else CHANNELS
    table = _OWN_EVENTS if own else _DEFAULT_EVENTS
    events = tuple(table)
    carries = np.zeros((len(channels), len(events)))
    for e, (_, _, carriers) in enumerate(table.values()):
        carries[[channels.index(c) for c in carriers.split()], e] = 1.0
    purchase, support, refund = (events.index(e) for e in _SERVICE_TYPES[name])
    return Vocabulary(
        channels=channels,
        devices=_OWN_DEVICES if own else DEVICES,
        events=events,
        moment=np.array([MOMENTS.index(m) for m, _, _ in table.values()]),
        base=np.array([w for _, w, _ in table.values()]),
        carries=carries,
        purchase=purchase,
        support=support,
        refund=refund,
    )


# --------------------------------------------------------------------------- journeys

_SESSIONS = 7.0  # sessions in a year of an average customer
_TOUCHES = 2.8  # touchpoints per session of an average customer
_TILT = 1.0  # spread of need-driven logits at a signal of 1
_DAYPART_BASE = np.array([0.05, 0.35, 0.33, 0.27])  # night, morning, afternoon, evening


def draw_journeys(spec, vocabulary, drivers, people, rng) -> dict[str, np.ndarray]:
    """Sessions and their touchpoints, as arrays in customer order."""
    signal = drivers.behaviour * _TILT
    events = _event_table(vocabulary, drivers.profiles, signal, rng)
    touches = 1.6 + 2.4 / (1.0 + np.exp(-tilts(drivers.profiles, 1, signal, rng)[:, 0]))
    sessions = _sessions(drivers, people, touches, signal, rng)
    n_touches = 1 + rng.poisson(touches[drivers.group[sessions["customer"]]] - 1.0)
    session = np.repeat(np.arange(len(n_touches)), n_touches)
    customer = sessions["customer"][session]
    channel = sessions["channel"][session]
    event = draw(events, drivers.group[customer] * len(vocabulary.channels) + channel, rng)
    # A session runs, by and large, from research to expression.
    order = np.lexsort((vocabulary.moment[event] + rng.normal(0.0, 0.8, len(event)), session))
    event = event[order]
    basket = _baskets(drivers, people, signal, rng)[customer]
    return {
        "customer": customer,
        "seconds": sessions["start"][session] + _offsets(n_touches, rng),
        "session_id": _session_ids(sessions["start"])[session],
        "channel": channel,
        "device": sessions["device"][session],
        "event_type": event,
        "value": _values(event, vocabulary, basket, rng),
    }


def _event_table(vocabulary, profiles, signal, rng) -> np.ndarray:
    """Weights of each event type, by (behaviour group, channel) row.

    Needs tilt the moments of truth a group lives in and, less, the event
    types within them; a channel only carries its own event types.
    """
    moment_tilt = tilts(profiles, len(MOMENTS), signal, rng)[:, vocabulary.moment]
    event_tilt = tilts(profiles, len(vocabulary.events), 0.6 * signal, rng)
    weights = vocabulary.base * np.exp(moment_tilt + event_tilt)
    table = weights[:, None, :] * vocabulary.carries[None, :, :]
    return table.reshape(-1, len(vocabulary.events))


def _sessions(drivers, people, touches, signal, rng) -> dict[str, np.ndarray]:
    n = len(drivers.group)
    joined = np.where(rng.random(n) < 0.3, rng.integers(0, WEEKS - 8, n), 0)
    # Volume follows demographics and habit; a group with longer sessions comes back less
    # often, so the number of touchpoints does not tell the personas apart.
    rate = _SESSIONS * people["activity"] * drivers.volume[drivers.group]
    rate *= (WEEKS - joined) / WEEKS * _TOUCHES / touches[drivers.group]
    rate *= rng.lognormal(-0.2, 0.65, n)
    n_sessions = 1 + rng.poisson(np.maximum(rate - 1.0, 0.0))
    customer = np.repeat(np.arange(n), n_sessions)
    channel = draw(_channel_habits(drivers, people, signal, rng), customer, rng)
    # Device by channel kind, blending young and old habits by age band.
    older = (np.arange(len(AGE_BANDS)) / (len(AGE_BANDS) - 1))[None, :, None]
    devices = _DEVICE_YOUNG[:, None, :] * (1.0 - older) + _DEVICE_OLD[:, None, :] * older
    band = people["age_band"][customer]
    device = draw(devices.reshape(-1, 5), channel * len(AGE_BANDS) + band, rng)
    start = _session_starts(drivers, channel, joined[customer], customer, signal, rng)
    return {"customer": customer, "channel": channel, "device": device, "start": start}


def _channel_habits(drivers, people, signal, rng) -> np.ndarray:
    """Each customer's channel weights: age, income, needs and a personal twist."""
    logits = np.log(_CHANNEL_BASE) - np.outer(people["age_z"], _CHANNEL_BY_AGE)
    logits += np.outer(people["income_z"], _CHANNEL_BY_INCOME)
    logits += tilts(drivers.channel_needs, len(_CHANNEL_BASE), signal, rng)
    logits += rng.normal(0.0, 0.4, logits.shape)
    return np.exp(logits - logits.max(axis=1, keepdims=True))


def _session_starts(drivers, channel, joined, customer, signal, rng) -> np.ndarray:
    """Seconds from the window's start: week, weekday or weekend, daypart, hour."""
    n = len(customer)
    group = drivers.group[customer]
    week = joined + np.floor(rng.random(n) * (WEEKS - joined)).astype(np.int64)
    weekend_logit = np.log(2 / 5) + tilts(drivers.profiles, 1, signal, rng)[:, 0]
    weekend = rng.random(n) < 1.0 / (1.0 + np.exp(-weekend_logit))[group]
    day = np.where(weekend, 5 + rng.integers(0, 2, n), rng.integers(0, 5, n))
    dayparts = _DAYPART_BASE * np.exp(tilts(drivers.profiles, 4, signal, rng))
    hour = draw(dayparts, group, rng) * 6 + rng.integers(0, 6, n)
    closed = np.isin(channel, _STAFFED_KINDS) & ((hour < 9) | (hour >= 20))
    hour[closed] = rng.integers(9, 20, int(closed.sum()))
    return ((week * 7 + day) * 24 + hour) * 3_600 + rng.integers(0, 3_600, n)


def _offsets(n_touches: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Seconds from its session's start to each touchpoint: quick taps, capped gaps."""
    gap = np.minimum(rng.exponential(70.0, int(n_touches.sum())), 900.0)
    first = np.cumsum(n_touches) - n_touches
    gap[first] = 0.0
    elapsed = np.cumsum(gap)
    return np.round(elapsed - np.repeat(elapsed[first], n_touches)).astype(np.int64)


def _session_ids(start: np.ndarray) -> np.ndarray:
    """Session ids numbered in time order, as a web analytics export numbers them."""
    ids = np.empty(len(start), dtype=np.int64)
    ids[np.argsort(start, kind="stable")] = np.arange(1, len(start) + 1)
    return ids


def _baskets(drivers, people, signal, rng) -> np.ndarray:
    """Each customer's typical basket: income, and how the group's needs spend."""
    spend = tilts(drivers.profiles, 1, 0.4 * signal, rng)[:, 0]
    return 38.0 * np.exp(0.3 * people["income_z"] + spend[drivers.group])


def _values(event, vocabulary, basket, rng) -> np.ndarray:
    """Money on purchases (positive) and on some refunds (negative, as exports write them)."""
    value = np.full(len(event), np.nan)
    bought = np.flatnonzero(event == vocabulary.purchase)
    amount = np.round(basket[bought] * rng.lognormal(0.0, 0.55, len(bought)), 2)
    value[bought] = np.maximum(amount, 0.01)
    refunded = np.flatnonzero((event == vocabulary.refund) & (rng.random(len(event)) < 0.6))
    amount = np.round(basket[refunded] * rng.lognormal(-0.3, 0.5, len(refunded)), 2)
    value[refunded] = -np.maximum(amount, 0.01)
    return value


def events_table(spec, vocabulary, touchpoints, ids, rng) -> pd.DataFrame:
    """The touchpoints as an event log: in time order, or shuffled."""
    n = len(touchpoints["seconds"])
    order = (
        np.argsort(touchpoints["seconds"], kind="stable")
        if spec.sorted_rows
        else rng.permutation(n)
    )
    columns = {
        "customer_id": ids[touchpoints["customer"][order]],
        "timestamp": timestamps(touchpoints["seconds"][order]),
    }
    if spec.session_ids:
        columns["session_id"] = touchpoints["session_id"][order]
    labels = {"channel": vocabulary.channels, "device": vocabulary.devices,
              "event_type": vocabulary.events}  # fmt: skip
    for column, names in labels.items():
        columns[column] = pd.Categorical.from_codes(touchpoints[column][order], names)
    columns["value"] = touchpoints["value"][order]
    return pd.DataFrame(columns)


def journey_settings_of(spec: WorldSpec, vocabulary: Vocabulary) -> JourneySettings | None:
    """How to read an own vocabulary: its (partial) taxonomy and service event types."""
    if spec.vocabulary == "default":
        return None
    mapped = round(spec.taxonomy_coverage * len(vocabulary.events))
    taxonomy = {
        event: MOMENTS[moment]
        for event, moment in zip(
            vocabulary.events[:mapped], vocabulary.moment[:mapped], strict=True
        )
    }
    purchase, support, refund = _SERVICE_TYPES["own"]
    return JourneySettings(
        taxonomy=taxonomy,
        purchase_types=(purchase,),
        support_types=(support,),
        return_types=(refund,),
    )
