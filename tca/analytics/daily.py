"""Daily bars from the tape and the look-ahead-free daily features built on them.

A feature "for date d" only ever uses bars of dates strictly before d: the
statistics are computed per bar over the window ending at that bar, then
attached to d with a strictly-backward as-of join, so the day being analysed
(or any later day) cannot leak into its own volatility, ADV or previous close.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from .config import TcaConfig
from .sessions import DAY_NS, Calendar, days_to_dates
from .tape import TradeTape

BAR_SCHEMA: dict[str, pl.DataType] = {
    "symbol": pl.String(),
    "date": pl.Date(),
    "open": pl.Float64(),
    "close": pl.Float64(),
    "volume": pl.Float64(),
    "n_trades": pl.Int64(),
    "rv": pl.Float64(),
}
# Sampling interval of the intraday returns behind the fallback σ: long enough
# that bid-ask bounce does not dominate, short enough for ~80 returns a session.
RV_INTERVAL_NS = 5 * 60 * 1_000_000_000
FEATURE_COLUMNS = (
    "adv20",
    "sigma20",
    "sigma_source",
    "prev_close",
    "prev_date",
    "history_days",
    "history_returns",
)


def daily_bars(trades: pl.DataFrame, instruments: pl.DataFrame | None = None) -> pl.DataFrame:
    """One bar per (symbol, session date): first and last print, volume, print count.

    The date is the local date in the instrument's zone (UTC if unknown). When the
    instrument's session hours are known only prints inside [open, close] count, so
    pre- and after-market prints do not set the open or the close. Prints at the
    same instant keep their feed order.
    """
    return bars_from_tape(TradeTape(trades), Calendar.of(instruments))


def bars_from_tape(tape: TradeTape, calendar: Calendar) -> pl.DataFrame:
    """``daily_bars`` over an already keyed tape (shared with the benchmarks)."""
    codes = tape.print_codes()
    cal = calendar.aligned(tape.codes)
    local = cal.local_time(codes, tape.times)
    day = np.floor_divide(local, DAY_NS)
    clock = local - day * DAY_NS
    has = cal.has_session(codes)
    keep = ~has | ((clock >= cal.open_clock[codes]) & (clock <= cal.close_clock[codes]))
    rows = np.flatnonzero(keep)
    c, d = codes[rows], day[rows]
    n = len(rows)
    if n == 0:
        return pl.DataFrame(schema=BAR_SCHEMA)
    change = np.ones(n, dtype=bool)
    change[1:] = (c[1:] != c[:-1]) | (d[1:] != d[:-1])
    first = np.flatnonzero(change)
    last = np.append(first[1:], n) - 1
    price = tape.price[rows]
    rv = _realised_variance(c, d, clock[rows], price, first)
    symbols = np.array(tape.codes.symbols, dtype=object)
    return pl.DataFrame(
        {
            "symbol": pl.Series(symbols[c[first]], dtype=pl.String),
            "date": days_to_dates(d[first]),
            "open": price[first],
            "close": price[last],
            "volume": np.add.reduceat(tape.size[rows], first),
            "n_trades": (last - first + 1).astype(np.int64),
            "rv": rv,
        }
    )


def _realised_variance(
    code: np.ndarray,
    day: np.ndarray,
    clock: np.ndarray,
    price: np.ndarray,
    first: np.ndarray,
) -> np.ndarray:
    """Σ r² of 5-minute log returns of the last print per interval, per (symbol, day).

    This is the session's realised variance, the intraday estimate of daily
    variance the SPEC allows when daily closes are too few; NaN for a day with
    fewer than two sampled intervals.
    """
    n = len(price)
    bucket = np.floor_divide(clock, RV_INTERVAL_NS)
    end_of_bucket = np.ones(n, dtype=bool)
    end_of_bucket[:-1] = (
        (code[1:] != code[:-1]) | (day[1:] != day[:-1]) | (bucket[1:] != bucket[:-1])
    )
    sampled = np.flatnonzero(end_of_bucket & (price > 0))
    log_p = np.log(price[sampled])
    same_day = np.zeros(len(sampled), dtype=bool)
    same_day[1:] = (code[sampled[1:]] == code[sampled[:-1]]) & (
        day[sampled[1:]] == day[sampled[:-1]]
    )
    sq = np.zeros(len(sampled))
    sq[1:] = np.diff(log_p) ** 2
    sq[~same_day] = 0.0
    # Sum the squared returns of each (symbol, day) group by its rows' positions.
    group = np.searchsorted(first, sampled, side="right") - 1
    total = np.bincount(group, weights=sq, minlength=len(first))
    count = np.bincount(group, weights=same_day.astype(np.float64), minlength=len(first))
    return np.where(count >= 1, total, np.nan)


def normalise_bars(bars: pl.DataFrame) -> pl.DataFrame:
    """symbol, date, open, close, volume, rv in canonical types, one row per (symbol, date).

    ``rv`` (the session's realised variance) exists only for bars derived from
    the tape; user history leaves it null.
    """
    missing = [c for c in ("symbol", "date", "close", "volume") if c not in bars.columns]
    if missing:
        raise ValueError(f"daily bars: missing column(s) {', '.join(missing)}")
    extra = [
        pl.lit(None, dtype=pl.Float64).alias(c) for c in ("open", "rv") if c not in bars.columns
    ]
    return (
        bars.with_columns(extra)
        .with_columns(
            pl.col("symbol").cast(pl.String),
            pl.col("date").cast(pl.Date),
            pl.col("open", "close", "volume", "rv").cast(pl.Float64),
        )
        .with_columns(pl.col("rv").fill_nan(None))
        .select("symbol", "date", "open", "close", "volume", "rv")
        .unique(["symbol", "date"], keep="last", maintain_order=True)
        .sort("symbol", "date")
    )


def _trailing_stats(bars: pl.DataFrame, config: TcaConfig) -> pl.DataFrame:
    """Per bar: statistics over the window that ENDS at that bar (inclusive)."""
    n = config.history_days
    valid_close = pl.when(pl.col("close") > 0).then(pl.col("close"))
    from_closes = (
        pl.col("_ret").rolling_std(n, min_samples=config.min_sigma_returns).over("symbol")
    )
    # Too few daily returns: the mean realised variance of the same window's
    # sessions, from their intraday returns (flagged, never silently mixed).
    intraday = pl.col("rv").rolling_mean(n, min_samples=1).over("symbol").sqrt()
    return (
        bars.with_columns(valid_close.alias("_c"))
        .with_columns((pl.col("_c") / pl.col("_c").shift(1)).log().over("symbol").alias("_ret"))
        .with_columns(from_closes.alias("_sigma_closes"), intraday.alias("_sigma_intraday"))
        .select(
            "symbol",
            "date",
            pl.col("volume").rolling_mean(n, min_samples=1).over("symbol").alias("adv20"),
            pl.coalesce("_sigma_closes", "_sigma_intraday").alias("sigma20"),
            pl.when(pl.col("_sigma_closes").is_not_null())
            .then(pl.lit("daily"))
            .when(pl.col("_sigma_intraday").is_not_null())
            .then(pl.lit("intraday"))
            .alias("sigma_source"),
            pl.col("close").alias("prev_close"),
            pl.col("date").alias("prev_date"),
            pl.int_range(1, pl.len() + 1).over("symbol").clip(upper_bound=n).alias("history_days"),
            pl.col("_ret")
            .is_not_null()
            .cast(pl.Int32)
            .rolling_sum(n, min_samples=1)
            .over("symbol")
            .alias("history_returns"),
        )
    )


def features_asof(
    bars: pl.DataFrame, at: pl.DataFrame, config: TcaConfig | None = None
) -> pl.DataFrame:
    """Features of ``at`` (symbol, date) rows from bars strictly before each date.

    Returns ``at`` in its order with FEATURE_COLUMNS added; null where no prior bar.
    """
    config = config or TcaConfig()
    stats = _trailing_stats(normalise_bars(bars), config)
    queries = at.select(
        pl.col("symbol").cast(pl.String), pl.col("date").cast(pl.Date)
    ).with_row_index("_row")
    joined = (
        queries.sort("symbol", "date")
        .join_asof(
            stats,
            on="date",
            by="symbol",
            strategy="backward",
            allow_exact_matches=False,
            check_sortedness=False,
        )
        .sort("_row")
    )
    return joined.select("symbol", "date", *FEATURE_COLUMNS).with_columns(
        pl.col("history_days", "history_returns").fill_null(0).cast(pl.Int32)
    )


def daily_features(bars: pl.DataFrame, config: TcaConfig | None = None) -> pl.DataFrame:
    """symbol, date, adv20, sigma20, prev_close (+ prev_date, history counts) per bar,
    each from bars strictly before ``date`` (no look-ahead).

    σ20 is the sample standard deviation (ddof 1) of daily log close-to-close
    returns over the previous up-to-20 returns; with fewer than
    ``config.min_sigma_returns`` it is the square root of the mean realised
    variance of those sessions' 5-minute returns (``sigma_source`` "intraday"),
    and null when neither exists. ADV20 is the mean volume of the
    previous up-to-20 bars.
    """
    b = normalise_bars(bars)
    return features_asof(b, b.select("symbol", "date"), config)


def annualised(sigma_daily: pl.Expr) -> pl.Expr:
    """Daily σ scaled to a year of 252 sessions, for regime bounds people can read."""
    return sigma_daily * math.sqrt(252.0)


def combine_bars(history: pl.DataFrame, tape_bars: pl.DataFrame) -> pl.DataFrame:
    """Loaded daily history and the tape's own bars as one normalised bar set.

    A loaded bar wins over the tape's bar of the same (symbol, date): the
    tape may hold only part of a session, the user's history is the official
    day. Either input may be empty.
    """
    parts = [
        normalise_bars(frame)
        for frame in (tape_bars, history)
        if frame.height and {"symbol", "date", "close", "volume"} <= set(frame.columns)
    ]
    if not parts:
        columns = ("symbol", "date", "open", "close", "volume")
        return pl.DataFrame(schema={c: BAR_SCHEMA[c] for c in columns})
    return normalise_bars(pl.concat(parts))  # keep="last": history after tape
