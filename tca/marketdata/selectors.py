"""Reads of daily history as of a time, with no look-ahead.

ADV20 and sigma20 come from the user's loaded daily history (the ``daily``
kind) merged with the tick store's own bars from the tape; a loaded bar wins
for the same (symbol, date). Only bars of dates strictly before the as-of
date are used, so a pre-trade estimate at ``asof`` sees what a trader could
have known then.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from tca.analytics.config import TcaConfig
from tca.analytics.daily import combine_bars, features_asof

from .store import tick_store

# Flags saying where the figures came from (stored with results, shown to users).
FROM_HISTORY = "daily_history"
FROM_TAPE = "tape_bars"
SHORT_HISTORY = "short_history"  # fewer than history_days bars before the as-of date
NO_SIGMA = "no_sigma"  # neither enough daily returns nor intraday prints
INTRADAY_SIGMA = "intraday_sigma"  # sigma from the sessions' intraday returns


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).date()
    return value


def daily_history(*, symbol: str, before: dt.date | dt.datetime) -> pl.DataFrame:
    """symbol, date, open, close, volume, source for every bar strictly before ``before``.

    ``source`` is ``daily_history`` for loaded bars and ``tape_bars`` for the
    tick store's own; sorted by date.
    """
    cutoff = _as_date(before)
    store = tick_store()
    loaded = store.read_daily_history().filter(
        (pl.col("symbol") == symbol) & (pl.col("date") < cutoff)
    )
    tape = store.read_daily()
    if tape.height:
        tape = tape.filter((pl.col("symbol") == symbol) & (pl.col("date") < cutoff))
    bars = combine_bars(loaded, tape)
    loaded_days = loaded.select("date").with_columns(pl.lit(FROM_HISTORY).alias("source"))
    return (
        bars.join(loaded_days, on="date", how="left")
        .with_columns(pl.col("source").fill_null(FROM_TAPE))
        .sort("date")
    )


def adv_sigma_asof(
    *, symbol: str, asof: dt.date | dt.datetime, config: TcaConfig | None = None
) -> tuple[float | None, float | None, tuple[str, ...]]:
    """(ADV20, daily sigma20, flags) from bars strictly before ``asof``'s date.

    ADV20 is the mean volume of the last up-to-20 bars; sigma20 the sample
    standard deviation of their daily log close-to-close returns; with fewer
    than ``config.min_sigma_returns`` returns, the root mean realised variance
    of the tape's sessions (flag ``intraday_sigma``), else missing (``no_sigma``).
    The flags also say which sources contributed and whether fewer than 20
    bars were available.
    """
    config = config or TcaConfig()
    day = _as_date(asof)
    bars = daily_history(symbol=symbol, before=day)
    if bars.height == 0:
        return None, None, (NO_SIGMA, SHORT_HISTORY)
    features = features_asof(
        bars.drop("source"), pl.DataFrame({"symbol": [symbol], "date": [day]}), config
    ).row(0, named=True)
    window = bars.tail(config.history_days)
    flags = [name for name in (FROM_HISTORY, FROM_TAPE) if (window["source"] == name).any()]
    if features["history_days"] < config.history_days:
        flags.append(SHORT_HISTORY)
    sigma = features["sigma20"]
    if sigma is None:
        flags.append(NO_SIGMA)
    elif features["sigma_source"] == "intraday":
        flags.append(INTRADAY_SIGMA)
    return features["adv20"], sigma, tuple(flags)
