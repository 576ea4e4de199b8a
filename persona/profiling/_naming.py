"""Persona names and descriptions, from what makes each persona distinctive.

Rule-based and deterministic: the name joins the persona's most distinctive
need (as an adjective) with its most distinctive journey, channel or moment
trait (as a noun) -- "Bargain-hunting researchers" -- and the description is
one English sentence over its needs, journey, reach and emotional tone. Names
are unique across personas; the same profile always gives the same name, and
a different profile a different one.
"""

from __future__ import annotations

import pandas as pd

from persona.profiling._profiles import NOTABLE_SMD, ranked

__all__ = ["describe_personas"]

# (high, low) adjectives for the need dimensions of persona's own instrument.
_NEEDS = {
    "thrift": ("Bargain-hunting", "Price-relaxed"),
    "convenience": ("Time-saving", "Unhurried"),
    "belonging": ("Community-minded", "Independent"),
    "reassurance": ("Reassurance-seeking", "Self-assured"),
    "discovery": ("Novelty-seeking", "Routine-loving"),
    "conscience": ("Conscientious", "Pragmatic"),
    "status": ("Status-conscious", "Understated"),
}
# Nouns for the journey traits a persona shows clearly more than the rest.
_NOUNS = {
    "behaviour__research_before_purchase": "researchers",
    "behaviour__research_other_channel": "cross-channel researchers",
    "behaviour__expression_after_experience": "reviewers",
    "behaviour__micro_moment_share": "quick checkers",
    "behaviour__channel_switch_in_session": "channel hoppers",
    "behaviour__channel_switch_across_sessions": "omnichannel shoppers",
    "behaviour__journey_backtracking": "second-guessers",
    "behaviour__weekend_share": "weekend shoppers",
    "behaviour__share_daypart_night": "night owls",
    "behaviour__share_daypart_morning": "early birds",
    "behaviour__share_moment_ZMOT": "researchers",
    "behaviour__share_moment_FMOT": "decisive buyers",
    "behaviour__share_moment_SMOT": "hands-on users",
    "behaviour__share_moment_UMOT": "sharers",
    "behaviour__share_channel_app": "app users",
    "behaviour__share_channel_store": "store visitors",
    "behaviour__share_channel_web": "web shoppers",
    "behaviour__share_channel_social": "social followers",
    "behaviour__share_channel_email": "email readers",
    "behaviour__share_channel_call_center": "callers",
    "behaviour__share_channel_chat": "chatters",
    "behaviour__monetary_value": "big-basket buyers",
    "behaviour__frequency": "regulars",
    "behaviour__support_per_purchase": "support seekers",
}
_MOMENTS = {"ZMOT": "research", "FMOT": "first encounter", "SMOT": "experience", "UMOT": "sharing"}
# When nothing the data says tells two personas apart, they are told apart by rank of size.
_ORDINALS = ("Other", "Second other", "Third other", "Fourth other", "Fifth other")


def describe_personas(table: pd.DataFrame, reach: pd.DataFrame) -> pd.DataFrame:
    """A unique name and a one-sentence description per persona.

    Parameters
    ----------
    table : DataFrame
        A :func:`persona.profiling._profiles.profile` table.
    reach : DataFrame
        Its :func:`persona.profiling._profiles.activation` hints.

    Returns
    -------
    DataFrame
        By ``persona_id``: ``name`` and ``description``.
    """
    table = ranked(table)
    candidates = {p: _name_options(t) for p, t in table.groupby("persona_id", sort=True)}
    names: dict[int, str] = {}
    # Larger personas choose first, so the base's main persona gets its best name.
    sizes = table.groupby("persona_id")["n"].max().sort_values(ascending=False, kind="stable")
    for persona in sizes.index:
        taken = set(names.values())
        options = candidates[persona] + _reach_variants(candidates[persona][0], reach, persona)
        options += [f"{ordinal} {options[0][0].lower()}{options[0][1:]}" for ordinal in _ORDINALS]
        names[persona] = next((o for o in options if o not in taken), f"{options[0]} ({persona})")
    rows = {
        p: {"name": names[p], "description": _sentence(t, reach.loc[p])}
        for p, t in table.groupby("persona_id", sort=True)
    }
    result = pd.DataFrame.from_dict(rows, orient="index")
    result.index.name = "persona_id"
    return result


def _reach_variants(name: str, reach: pd.DataFrame, persona: int) -> list[str]:
    """The name told apart by where and when the persona is reached: a person's words."""
    if persona not in reach.index:
        return []
    where = {k: v for k, v in reach.loc[persona].items() if isinstance(v, str) and v}
    variants = []
    if where.get("channel"):
        variants.append(f"{name} on {where['channel'].replace('_', ' ')}")
    if where.get("daypart"):
        variants.append(f"{name} of the {where['daypart']}")
    if where.get("moment"):
        variants.append(f"{name} at {_MOMENTS.get(where['moment'], where['moment'])}")
    if where.get("channel") and where.get("daypart"):
        variants.append(f"{name} on {where['channel'].replace('_', ' ')} in the {where['daypart']}")
    return variants


def _name_options(traits: pd.DataFrame) -> list[str]:
    """Names in order of preference: best adjective x best noun first."""
    needs = traits[(traits["family"] == "need") & (traits["smd"].abs() >= NOTABLE_SMD)]
    adjectives = [_adjective(r.feature, r.smd) for r in needs.itertuples()] or ["Everyday"]
    rising = traits[traits["feature"].isin(_NOUNS) & (traits["smd"] >= NOTABLE_SMD)]
    nouns = list(dict.fromkeys(_NOUNS[f] for f in rising["feature"])) or ["customers"]
    return [f"{a} {n}" for a in adjectives[:3] for n in nouns[:3]] + [
        f"{a} and {b.lower()} {nouns[0]}" for a, b in zip(adjectives, adjectives[1:], strict=False)
    ]


def _adjective(feature: str, smd: float) -> str:
    dimension = feature.removeprefix("psychographic__")
    words = dimension.replace("_", " ")
    high, low = _NEEDS.get(dimension, (f"{words.capitalize()}-driven", f"Low-{words}"))
    return high if smd > 0 else low


def _sentence(traits: pd.DataFrame, reach: pd.Series) -> str:
    # A hint the data has no trait for is None, or NaN once personas share a table.
    reach = {k: v for k, v in reach.items() if isinstance(v, str) and v}
    needs = traits[(traits["family"] == "need") & (traits["smd"].abs() >= NOTABLE_SMD)]
    high = [r.trait for r in needs.itertuples() if r.smd > 0][:2]
    low = [r.trait for r in needs.itertuples() if r.smd < 0][:2]
    parts = []
    if high:
        parts.append("care most about " + " and ".join(high))
    if low:
        parts.append(("and least about " if high else "care least about ") + " and ".join(low))
    sentence = "Customers who " + (" ".join(parts) if parts else "have no stand-out need")
    journey = traits[(traits["family"] == "journey") & (traits["smd"] >= NOTABLE_SMD)]
    if len(journey):
        sentence += f", with more {journey.iloc[0]['trait']} than the rest"
    if reach.get("moment"):
        sentence += f", most engaged at the {_MOMENTS.get(reach['moment'], reach['moment'])} moment"
    where = [
        f"on {reach['channel'].replace('_', ' ')}" if reach.get("channel") else None,
        f"via {reach['device'].replace('_', ' ')}" if reach.get("device") else None,
        f"in the {reach['daypart']}" if reach.get("daypart") else None,
    ]
    where = [w for w in where if w]
    if where:
        sentence += "; reach them " + " ".join(where)
    if reach.get("tone"):
        article = "an" if reach["tone"][0] in "aeiou" else "a"
        sentence += f", in {article} {reach['tone']} tone"
    return sentence + "."
