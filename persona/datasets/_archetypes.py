"""Who the synthetic customers are: the needs instrument and the true personas.

Plain tables, read by :mod:`persona.datasets._synthetic`: the seven need /
desire dimensions and the survey items measuring them, each persona's need
profile, and how a persona shows in behaviour (moments of truth, channels,
event types, micro-moments, dayparts), in emotions and in basket value.
Demographic tables say how age and income shape volume and channels.
Rows are personas, in order, unless a comment says otherwise.
"""

from __future__ import annotations

import numpy as np

from persona.contract import DEFAULT_TAXONOMY, Instrument

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

ITEMS = [
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
            for i, d, r, t in ITEMS
        ],
    }
)

# --------------------------------------------------------------------------- the personas
# Columns follow DIMENSIONS; each row is a persona's mean need profile in
# standard units. The first row is persona 0. The defining dimension is the
# one with the largest absolute mean.
PERSONA_NAMES = [
    "Bargain hunters",
    "Time-pressed pragmatists",
    "Community sharers",
    "Cautious planners",
    "Curious explorers",
    "Conscious choosers",
    "Status seekers",
    "Steady regulars",
]
NEEDS = np.array(
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
PERSONA_WEIGHTS = np.array([0.20, 0.17, 0.15, 0.13, 0.11, 0.10, 0.08, 0.06])
NEED_SPREAD = 0.35  # within-persona standard deviation of each need
# How sharply personas differ in behaviour: the affinity tables below are
# written as relative preferences and raised to this power where they are used.
SHARPNESS = 2.0

# Share of sessions at each moment of truth (ZMOT, FMOT, SMOT, UMOT).
MOMENT_MIX = np.array(
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
CHANNEL_BASE = np.array([0.30, 0.25, 0.15, 0.10, 0.10, 0.05, 0.05])
CHANNEL_AFFINITY = np.array(
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
CHANNEL_BY_AGE = np.array(
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
AGE_BANDS = np.array([18, 25, 35, 45, 55, 65, 86])
AGE_BAND_SHARE = np.array([0.12, 0.20, 0.20, 0.18, 0.15, 0.15])
AGE_ACTIVITY = np.array([1.35, 1.25, 1.05, 0.90, 0.75, 0.60])
INCOME_ACTIVITY = np.array([0.85, 1.0, 1.2])  # low, middle, high income
BASKET_BY_INCOME = np.array([35.0, 55.0, 85.0])  # median purchase value
BASKET_BY_PERSONA = np.array([0.7, 1.0, 1.0, 1.1, 1.1, 1.2, 1.8, 1.0])

# Which channel can carry which event type. Rows follow EVENT_TYPES.
EVENT_TYPES = tuple(DEFAULT_TAXONOMY)
CHANNELS_OF_EVENT = {
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
EVENT_AFFINITY = [
    {
        "compare_products": 3,
        "search": 1.5,
        "newsletter_open": 2,
        "wishlist_add": 1.5,
        "ad_click": 1.5,
    },
    {
        "purchase": 1.8,
        "delivery_tracking": 2.5,
        "product_use": 2,
        "add_to_cart": 1.5,
        "compare_products": 0.4,
        "read_review": 0.5,
    },
    {"share": 2.5, "social_post": 3, "write_review": 1.5, "refer_friend": 2, "read_review": 1.3},
    {
        "read_review": 2.5,
        "ask_advice": 3,
        "support_contact": 2.5,
        "compare_products": 1.5,
        "return": 1.3,
    },
    {
        "watch_video": 2.5,
        "product_view": 2,
        "wishlist_add": 2,
        "try_product": 2,
        "search": 1.3,
        "return": 1.5,
    },
    {"read_review": 2, "write_review": 2.5, "ask_advice": 1.5, "return": 0.5, "refer_friend": 1.5},
    {
        "try_product": 2.5,
        "store_visit": 1.5,
        "purchase": 1.5,
        "share": 1.5,
        "social_post": 1.5,
        "return": 1.8,
    },
    {"purchase": 2, "store_visit": 1.5, "newsletter_open": 1.5, "product_use": 1.5, "search": 0.6},
]
SPILLOVER = 0.12  # weight of event types from other moments within a session

MICRO_EVENTS = 1.4  # mean touchpoints in a micro-moment
SESSION_EVENTS = 4.3  # and in any other session
MICRO_MOMENTS = np.array([0.25, 0.55, 0.35, 0.10, 0.30, 0.15, 0.25, 0.20])
# Share of sessions in the night, morning, afternoon and evening.
DAYPARTS = np.array(
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
WEEKEND = np.array([0.30, 0.22, 0.40, 0.22, 0.35, 0.28, 0.45, 0.30])

# Device by channel for the youngest and the oldest band (mobile, desktop,
# tablet, in_store, phone); bands in between are mixed linearly.
DEVICE_YOUNG = np.array(
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
DEVICE_OLD = np.array(
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
VALENCE = np.array(
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
AROUSAL = np.array(
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
EMOTION_BASE = np.array(
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
TEXTS = {
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
