"""The vocabulary of customer journeys: channels, devices, moments of truth.

A journey is a customer's touchpoints in time order. Each touchpoint has an
``event_type`` (what happened) on a ``channel`` (where) and a ``device``;
the default taxonomy below says which *moment of truth* an event type belongs
to. Everything here is plain data: this module sits at the bottom of the
package and imports nothing from it.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["MOMENTS", "MOMENT_DESCRIPTIONS", "CHANNELS", "DEVICES", "DEFAULT_TAXONOMY"]

#: The four moments of truth, in the order a linear funnel would visit them.
MOMENTS: tuple[str, ...] = ("ZMOT", "FMOT", "SMOT", "UMOT")

MOMENT_DESCRIPTIONS = MappingProxyType(
    {
        "ZMOT": "zero moment of truth: researching before buying (search, reviews, comparing)",
        "FMOT": "first moment of truth: first encounter with the product (product page, shelf)",
        "SMOT": "second moment of truth: experiencing product and service (purchase, delivery, "
        "support)",
        "UMOT": "ultimate moment of truth: expressing the experience (reviews, sharing, posting)",
    }
)

#: Channels the built-in data and defaults know; any other channel name is accepted.
CHANNELS: tuple[str, ...] = ("web", "app", "store", "email", "social", "call_center", "chat")

#: Devices the built-in data and defaults know; any other device name is accepted.
DEVICES: tuple[str, ...] = ("mobile", "desktop", "tablet", "in_store", "phone")

#: Default event type -> moment of truth. Users extend or replace it; event
#: types outside the taxonomy are reported, never silently dropped.
DEFAULT_TAXONOMY = MappingProxyType(
    {
        # ZMOT: researching before buying
        "search": "ZMOT",
        "read_review": "ZMOT",
        "compare_products": "ZMOT",
        "watch_video": "ZMOT",
        "ask_advice": "ZMOT",
        "newsletter_open": "ZMOT",
        "ad_click": "ZMOT",
        # FMOT: first encounter with the product
        "product_view": "FMOT",
        "store_visit": "FMOT",
        "try_product": "FMOT",
        "add_to_cart": "FMOT",
        "wishlist_add": "FMOT",
        # SMOT: experiencing product and service
        "purchase": "SMOT",
        "delivery_tracking": "SMOT",
        "support_contact": "SMOT",
        "return": "SMOT",
        "product_use": "SMOT",
        # UMOT: expressing the experience
        "write_review": "UMOT",
        "share": "UMOT",
        "social_post": "UMOT",
        "refer_friend": "UMOT",
    }
)
