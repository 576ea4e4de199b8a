"""Each persona's journey through the moments of truth, from its customers' touchpoints.

What a journey map shows, persona by persona and against the whole base:

- at each moment of truth (ZMOT, FMOT, SMOT, UMOT), the share of the
  persona's touchpoints there, the leading channels, devices and event types
  (in the user's own vocabulary);
- between the moments, the real flow: of the steps from one touchpoint to
  the customer's next, how many go forward, stay, loop back or jump;
- when and where the persona is active: channel by daypart, and weekends;
- which channel and device its customers use *together* (an activation hint
  names a pair that occurs, never two picks made apart).

:func:`journey_maps` reads a validated event log and the persona labels; it
sorts the log once and aggregates with ``np.bincount`` over small codes, so
its cost is linear in touchpoints. :class:`persona.PersonaModel` keeps the
result as ``journey_maps_`` for the report and the journey figures.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from persona.contract import MOMENTS
from persona.features._log import LogColumns, SortedLog
from persona.features.touchpoints import DAYPARTS, JourneySettings

__all__ = ["BASE", "JourneyMaps", "journey_maps"]

BASE = -2  # the persona id of the whole base's rows (-1 is "unassigned")
_TOP = 3  # channels, devices and event types named at each moment
_MIN_PAIR_SHARE = 0.05  # a channel-device pair a hint may name: this share of the touchpoints


@dataclass(frozen=True, eq=False)
class JourneyMaps:
    """Per-persona journey summaries (``persona_id`` :data:`BASE` is the whole base).

    Attributes
    ----------
    moments : DataFrame
        One row per persona and moment (index ``(persona_id, moment)``, moments in
        journey order): ``share`` of the persona's touchpoints, ``base_share``,
        ``channels``, ``devices`` and ``event_types`` (the leading ones, most
        used first, each as ``name (share)``).
    flows : DataFrame
        One row per persona and step between moments (index ``(persona_id,
        from_moment, to_moment)``): ``share`` of the persona's steps from one
        touchpoint to the customer's next, both with a known moment.
    steps : DataFrame
        By ``persona_id``: the shares of steps that go ``forward`` (to the next
        moment, UMOT to ZMOT closing the circle), ``stay`` (same moment),
        ``back`` (to an earlier moment: research after purchase) and ``jump``
        (skipping a moment: expression without experience).
    activity : DataFrame
        One row per persona and channel (index ``(persona_id, channel)``): the
        share of the persona's touchpoints in each daypart (night, morning,
        afternoon, evening) and at the ``weekend``.
    pairs : DataFrame
        One row per persona and channel-device pair used (index ``(persona_id,
        channel, device)``): ``share`` of the persona's touchpoints, ``base_share``
        and ``lift`` (share / base share).
    """

    moments: pd.DataFrame
    flows: pd.DataFrame
    steps: pd.DataFrame
    activity: pd.DataFrame
    pairs: pd.DataFrame

    def with_ids(self, public: np.ndarray) -> JourneyMaps:
        """The same maps with persona index ``i`` renamed ``public[i]`` (the base stays)."""

        def renamed(frame: pd.DataFrame) -> pd.DataFrame:
            level = frame.index.get_level_values("persona_id").to_numpy()
            new = np.where(level == BASE, BASE, public[np.clip(level, 0, len(public) - 1)])
            if frame.index.nlevels == 1:
                return frame.set_axis(pd.Index(new, name="persona_id"), axis=0)
            arrays = [new] + [
                frame.index.get_level_values(i) for i in range(1, frame.index.nlevels)
            ]
            return frame.set_axis(
                pd.MultiIndex.from_arrays(arrays, names=frame.index.names), axis=0
            )

        return JourneyMaps(*(renamed(getattr(self, f.name)) for f in fields(self)))

    def hint(self, persona_id: int) -> tuple[str, str | None] | None:
        """The channel and device to reach a persona on, chosen together.

        Among the pairs holding at least 5 % of the persona's touchpoints,
        the one whose share rises most above the base's (its lift); without
        devices, the channel alone. None for a persona without touchpoints.
        """
        if persona_id not in self.pairs.index.get_level_values("persona_id"):
            return None
        pairs = self.pairs.loc[persona_id]
        common = pairs[pairs["share"] >= _MIN_PAIR_SHARE]
        chosen = (common if len(common) else pairs).sort_values(
            ["lift", "share"], ascending=False, kind="stable"
        )
        channel, device = chosen.index[0]
        return str(channel), (None if device == "" else str(device))


def journey_maps(
    events: pd.DataFrame,
    labels: pd.Series,
    settings: JourneySettings | None = None,
    observation_end: pd.Timestamp | None = None,
) -> JourneyMaps:
    """Summarise each persona's touchpoints for its journey map.

    Parameters
    ----------
    events : DataFrame
        A validated event log (see :func:`persona.validate_events`).
    labels : Series
        Persona id by ``customer_id``; customers without a label, and
        touchpoints after ``observation_end``, are left out.
    settings : JourneySettings, optional
        The taxonomy that reads event types as moments (rows with a
        ``moment`` of their own keep it).
    observation_end : Timestamp, optional
        As in :class:`~persona.features.FeatureBuilder`; the log's last
        touchpoint by default.

    Returns
    -------
    JourneyMaps

    Examples
    --------
    >>> from persona.datasets import make_customers
    >>> from persona.profiling._journey_map import BASE, journey_maps
    >>> data = make_customers(n_customers=500, random_state=0)
    >>> maps = journey_maps(data.events, data.truth)
    >>> list(maps.moments.loc[BASE].index)
    ['ZMOT', 'FMOT', 'SMOT', 'UMOT']
    >>> round(float(maps.moments.loc[BASE, "share"].sum()), 6) <= 1.0
    True
    """
    settings = settings or JourneySettings()
    end = observation_end if observation_end is not None else events["timestamp"].max()
    log = SortedLog.from_columns(LogColumns.from_table(events, end), None)
    persona = labels.reindex(log.customers).to_numpy()
    known = ~pd.isna(persona)
    codes, personas = pd.factorize(pd.Series(persona[known]), sort=True)
    group = np.full(log.n, -1, dtype=np.int64)
    group[known] = codes
    group = group[log.customer]  # per touchpoint; -1: no label
    ids = [int(p) for p in personas] + [BASE]
    base = len(ids) - 1
    moment = log.moment_rank(settings.taxonomy).astype(np.int64)
    kept = group >= 0
    parts = {
        "moments": _moments(log, group, kept, moment, ids, base),
        "flows": _flows(log, group, moment, ids, base),
        "activity": _activity(log, group, kept, ids, base),
        "pairs": _pairs(log, group, kept, ids, base),
    }
    return JourneyMaps(steps=_steps(parts["flows"]), **parts)


# --------------------------------------------------------------------------- pieces


def _counts(group: np.ndarray, codes: np.ndarray, n_groups: int, n_levels: int,
            kept: np.ndarray) -> np.ndarray:  # fmt: skip
    """Touchpoints per group and level, shape (groups + 1, levels): the last row is all."""
    valid = kept & (codes >= 0)
    flat = group[valid] * n_levels + codes[valid]
    table = np.bincount(flat, minlength=n_groups * n_levels).reshape(n_groups, n_levels)
    return np.vstack([table, table.sum(axis=0)]).astype(float)


def _leading(counts: np.ndarray, levels: list[str]) -> str:
    total = counts.sum()
    if total == 0:
        return ""
    order = np.argsort(-counts, kind="stable")[:_TOP]
    return ", ".join(f"{levels[i]} ({counts[i] / total:.0%})" for i in order if counts[i] > 0)


def _moments(log: SortedLog, group, kept, moment, ids, base) -> pd.DataFrame:
    n_groups, n_moments = len(ids) - 1, len(MOMENTS)
    by_moment = _counts(group, moment, n_groups, n_moments, kept)
    totals = by_moment.sum(axis=1) + _counts(group, np.where(moment < 0, 0, -1), n_groups, 1,
                                             kept)[:, 0]  # fmt: skip
    mixes = {"channels": (log.channel, log.channel_levels),
             "event_types": (log.event_type, log.event_levels)}  # fmt: skip
    if log.device is not None:
        mixes["devices"] = (log.device, log.device_levels)
    # One pass a mix: each touchpoint counted by group, moment and level together.
    tables = {}
    for name, (codes, levels) in mixes.items():
        cells = np.where((moment >= 0) & (codes >= 0), moment * len(levels) + codes, -1)
        counts = _counts(group, cells, n_groups, n_moments * len(levels), kept)
        tables[name] = counts.reshape(n_groups + 1, n_moments, len(levels))
    rows = []
    for m, name in enumerate(MOMENTS):
        for g, persona in enumerate(ids):
            row = {"persona_id": persona, "moment": name,
                   "share": by_moment[g, m] / totals[g] if totals[g] else np.nan,
                   "base_share": by_moment[base, m] / totals[base] if totals[base] else np.nan,
                   "devices": ""}  # fmt: skip
            for mix, (_, levels) in mixes.items():
                row[mix] = _leading(tables[mix][g, m], levels)
            rows.append(row)
    frame = pd.DataFrame(rows).set_index(["persona_id", "moment"])
    frame = frame[["share", "base_share", "channels", "devices", "event_types"]]
    order = pd.MultiIndex.from_product([ids, list(MOMENTS)], names=["persona_id", "moment"])
    return frame.reindex(order)


def _flows(log: SortedLog, group, moment, ids, base) -> pd.DataFrame:
    n = len(MOMENTS)
    same_customer = log.customer[1:] == log.customer[:-1]
    step = same_customer & (moment[1:] >= 0) & (moment[:-1] >= 0) & (group[1:] >= 0)
    pair = moment[:-1][step] * n + moment[1:][step]
    owner = group[1:][step]
    table = np.bincount(owner * n * n + pair, minlength=(len(ids) - 1) * n * n)
    table = table.reshape(len(ids) - 1, n * n).astype(float)
    table = np.vstack([table, table.sum(axis=0)])
    shares = table / np.maximum(table.sum(axis=1, keepdims=True), 1)
    names = ["persona_id", "from_moment", "to_moment"]
    index = pd.MultiIndex.from_product([ids, list(MOMENTS), list(MOMENTS)], names=names)
    return pd.DataFrame({"share": shares.ravel()}, index=index)


def _steps(flows: pd.DataFrame) -> pd.DataFrame:
    n = len(MOMENTS)
    origin = flows.index.get_level_values("from_moment").map(MOMENTS.index).to_numpy()
    target = flows.index.get_level_values("to_moment").map(MOMENTS.index).to_numpy()
    kind = np.select(
        [target == origin, target == (origin + 1) % n, target < origin],
        ["stay", "forward", "back"],
        "jump",
    )
    steps = flows["share"].groupby([flows.index.get_level_values("persona_id"), kind]).sum()
    return steps.unstack(fill_value=0.0).reindex(columns=["forward", "stay", "back", "jump"])


def _activity(log: SortedLog, group, kept, ids, base) -> pd.DataFrame:
    hour = (log.time // 3_600_000_000) % 24
    weekday = (log.time // 86_400_000_000 + 3) % 7  # 1970-01-01 was a Thursday
    daypart = np.select([(hour >= lo) & (hour < hi) for lo, hi in DAYPARTS.values()],
                        list(range(len(DAYPARTS))), -1)  # fmt: skip
    channels = log.channel_levels
    n_groups = len(ids) - 1
    cells = log.channel.astype(np.int64) * len(DAYPARTS) + daypart
    by_daypart = _counts(group, cells, n_groups, len(channels) * len(DAYPARTS), kept)
    weekend = _counts(group, np.where(weekday >= 5, log.channel, -1).astype(np.int64),
                      n_groups, len(channels), kept)  # fmt: skip
    totals = by_daypart.sum(axis=1, keepdims=True)
    shares = by_daypart / np.maximum(totals, 1)
    frame = pd.DataFrame(
        shares.reshape(len(ids) * len(channels), len(DAYPARTS)), columns=list(DAYPARTS),
        index=pd.MultiIndex.from_product([ids, channels], names=["persona_id", "channel"]),
    )  # fmt: skip
    frame["weekend"] = (weekend / np.maximum(totals, 1)).ravel()
    return frame


def _pairs(log: SortedLog, group, kept, ids, base) -> pd.DataFrame:
    channels = log.channel_levels
    devices = log.device_levels if log.device is not None else [""]
    device = log.device if log.device is not None else np.zeros(len(log.channel), dtype=np.int64)
    cells = log.channel.astype(np.int64) * len(devices) + device.astype(np.int64)
    cells = np.where(device >= 0, cells, -1)
    table = _counts(group, cells, len(ids) - 1, len(channels) * len(devices), kept)
    shares = table / np.maximum(table.sum(axis=1, keepdims=True), 1)
    index = pd.MultiIndex.from_product([ids, channels, devices],
                                       names=["persona_id", "channel", "device"])  # fmt: skip
    frame = pd.DataFrame({"share": shares.ravel()}, index=index)
    frame["base_share"] = np.tile(shares[base], len(ids))
    frame["lift"] = frame["share"] / frame["base_share"].where(frame["base_share"] > 0)
    return frame[frame["base_share"] > 0]
