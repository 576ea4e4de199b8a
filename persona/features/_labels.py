"""The words a person reads for a feature column: its trait family and a short label.

Profiles, explanations, reasons and the report all name features the same way
through these two functions; they read only the column name.
"""

from __future__ import annotations

__all__ = ["FAMILIES", "trait_family", "trait_label"]

#: Trait families, in the order a profile reads.
FAMILIES: tuple[str, ...] = (
    "need", "emotion", "channel", "device", "moment", "daypart", "journey", "value", "feature",
)  # fmt: skip

_VALUE = {
    "purchases", "total_spend", "frequency", "recency", "T", "monetary_value",
    "support_per_purchase", "return_rate",
}  # fmt: skip
_LABELS = {
    "touchpoints": "touchpoints",
    "n_channels": "channels used",
    "channel_entropy": "channel mix breadth",
    "sessions": "sessions",
    "session_touchpoints": "touchpoints per session",
    "session_minutes": "minutes per session",
    "micro_moment_share": "micro-moments (short bursts)",
    "days_between_sessions": "days between sessions",
    "channel_switch_across_sessions": "switching channel between sessions",
    "channel_switch_in_session": "switching channel within a session",
    "research_before_purchase": "research before purchase",
    "research_other_channel": "research on another channel than the purchase",
    "expression_after_experience": "sharing after the experience",
    "journey_backtracking": "going back to earlier moments",
    "weekend_share": "weekend activity",
    "activity_trend": "activity trend",
    "purchases": "purchases",
    "total_spend": "total spend",
    "frequency": "repeat purchases",
    "recency": "recency (days to last repeat purchase)",
    "T": "customer age (days)",
    "monetary_value": "average repeat order value",
    "support_per_purchase": "support contacts per purchase",
    "return_rate": "return rate",
    "valence_mean": "valence",
    "arousal_mean": "arousal",
    "valence_volatility": "valence volatility",
    "arousal_volatility": "arousal volatility",
    "valence_peak": "valence at the emotional peak",
    "valence_end": "valence at the end",
    "valence_trend": "valence trend",
    "n_readings": "emotion readings",
}


def trait_family(feature: str) -> str:
    """The family of a feature column (``need``, ``channel``, ``emotion``, ...).

    Examples
    --------
    >>> trait_family("behaviour__share_channel_app"), trait_family("psychographic__thrift")
    ('channel', 'need')
    """
    group, _, name = feature.partition("__")
    if group == "psychographic":
        return "need"
    if group == "emotion":
        return "emotion"
    if group != "behaviour":
        return "feature"
    if name.startswith("share_event_"):
        return f"share of {name.removeprefix('share_event_').replace('_', ' ')} touchpoints"
    for family in ("channel", "device", "moment", "daypart"):
        if name.startswith(f"share_{family}_"):
            return family
    if name == "weekend_share":
        return "daypart"
    return "value" if name in _VALUE else "journey"


def trait_label(feature: str) -> str:
    """A short human label of a feature column.

    Examples
    --------
    >>> trait_label("behaviour__share_channel_call_center")
    'call center share'
    >>> trait_label("emotion__valence_SMOT")
    'valence at SMOT'
    >>> trait_label("behaviour__share_event_compare_products")
    'share of compare products touchpoints'
    """
    _, _, name = feature.partition("__")
    if not name:
        return feature
    if name in _LABELS:
        return _LABELS[name]
    if name.startswith("share_event_"):
        return f"share of {name.removeprefix('share_event_').replace('_', ' ')} touchpoints"
    for family in ("channel", "device", "moment", "daypart"):
        if name.startswith(f"share_{family}_"):
            return name.removeprefix(f"share_{family}_").replace("_", " ") + " share"
    for kind in ("valence", "arousal"):
        if name.startswith(f"{kind}_") and name.removeprefix(f"{kind}_").isupper():
            return f"{kind} at {name.removeprefix(f'{kind}_')}"
    if name.startswith("share_"):
        return f"share of {name.removeprefix('share_')} readings"
    if name.startswith("mean_"):
        return f"{name.removeprefix('mean_')} intensity"
    return name.replace("_", " ")
