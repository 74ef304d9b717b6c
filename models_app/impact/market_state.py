"""The market state at an order's arrival, from quotes and prints strictly before it.

Four numbers describe the state (the regime model clusters them, the learners
use them): recent volatility, the quoted spread, displayed depth and recent
volume. Everything looks back from the arrival instant over at most
``LOOKBACK`` within the same session, so no value uses data the trader could
not have seen when the order arrived.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import polars as pl

LOOKBACK = dt.timedelta(minutes=30)
MIN_WINDOW_MIN = 5.0  # shorter windows (just after the open) leave the state missing
DEFAULT_SESSION = ("09:30", "16:00", "UTC")
STATE_COLUMNS: dict[str, pl.DataType] = {
    "minutes_since_open": pl.Float64(),
    "session_minutes": pl.Float64(),
    "recent_vol": pl.Float64(),  # daily-scaled σ of one-minute mid returns in the window
    "recent_volume": pl.Float64(),  # continuous volume in the window / the ADV20 pace
    "depth_adv": pl.Float64(),  # displayed bid + ask size at arrival / ADV20
}
_TIME = pl.Datetime("ns", "UTC")


def _clock(text: str | None, default: str) -> dt.time:
    value = (text or default).strip()
    return dt.time.fromisoformat(value if len(value) > 5 else value + ":00")


def session_bounds(keys: pl.DataFrame, instruments: pl.DataFrame | None) -> pl.DataFrame:
    """UTC open and close of each (symbol, trade_date) from the instruments' local hours."""
    info: dict[str, tuple[str, str, str]] = {}
    if instruments is not None and instruments.height:
        for row in instruments.iter_rows(named=True):
            info[row["symbol"]] = (
                row.get("session_open") or DEFAULT_SESSION[0],
                row.get("session_close") or DEFAULT_SESSION[1],
                row.get("timezone") or DEFAULT_SESSION[2],
            )
    rows = []
    for symbol, day in keys.select("symbol", "trade_date").unique().iter_rows():
        open_, close, zone = info.get(symbol, DEFAULT_SESSION)
        tz = ZoneInfo(zone)
        start = dt.datetime.combine(day, _clock(open_, DEFAULT_SESSION[0]), tzinfo=tz)
        end = dt.datetime.combine(day, _clock(close, DEFAULT_SESSION[1]), tzinfo=tz)
        rows.append((symbol, day, start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
    return pl.DataFrame(
        rows,
        schema={"symbol": pl.String, "trade_date": pl.Date, "_open": _TIME, "_close": _TIME},
        orient="row",
    )


def _asof(left: pl.DataFrame, right: pl.DataFrame, on: str) -> pl.DataFrame:
    """Last ``right`` row of the same symbol strictly before ``left[on]``."""
    return left.sort("symbol", on).join_asof(
        right.sort("symbol", "time"),
        left_on=on,
        right_on="time",
        by="symbol",
        strategy="backward",
        allow_exact_matches=False,
        check_sortedness=False,
    )


def market_state(
    orders: pl.DataFrame,
    quotes: pl.DataFrame,
    trades: pl.DataFrame,
    instruments: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``order_id`` and STATE_COLUMNS for orders (order_id, symbol, trade_date,
    arrival_time, adv20)."""
    o = orders.select(
        "order_id", "symbol", pl.col("trade_date").cast(pl.Date), "arrival_time", "adv20"
    ).join(session_bounds(orders, instruments), on=["symbol", "trade_date"], how="left")
    o = o.with_columns(
        ((pl.col("arrival_time") - pl.col("_open")).dt.total_nanoseconds() / 6e10).alias(
            "minutes_since_open"
        ),
        ((pl.col("_close") - pl.col("_open")).dt.total_nanoseconds() / 6e10).alias(
            "session_minutes"
        ),
    ).with_columns(
        pl.min_horizontal(pl.col("minutes_since_open"), LOOKBACK.total_seconds() / 60)
        .floor()
        .alias("_window")
    )
    return (
        o.join(_recent_vol(o, quotes), on="order_id", how="left")
        .join(_volume_and_depth(o, quotes, trades), on="order_id", how="left")
        .select("order_id", *STATE_COLUMNS)
    )


def _recent_vol(o: pl.DataFrame, quotes: pl.DataFrame) -> pl.DataFrame:
    """σ of one-minute mid returns over the window, scaled to a full session."""
    q = quotes.select(
        "symbol", "time", ((pl.col("bid") + pl.col("ask")) / 2).log().alias("_lm")
    ).filter(pl.col("_lm").is_finite())
    steps = int(LOOKBACK.total_seconds() // 60)
    grid = (
        o.filter(pl.col("_window") >= MIN_WINDOW_MIN)
        .select("order_id", "symbol", "arrival_time", "_window", "session_minutes")
        .join(pl.DataFrame({"_k": list(range(steps + 1))}), how="cross")
        .filter(pl.col("_k") <= pl.col("_window"))
        .with_columns(
            (pl.col("arrival_time") - pl.duration(minutes=pl.col("_k"), time_unit="ns"))
            .cast(_TIME)
            .alias("_t")
        )
    )
    sampled = _asof(grid, q, "_t").sort("order_id", "_k")
    return (
        sampled.with_columns((pl.col("_lm") - pl.col("_lm").shift(-1).over("order_id")).alias("_r"))
        .group_by("order_id")
        .agg(
            (pl.col("_r").pow(2).sum() / pl.col("_r").count() * pl.col("session_minutes").first())
            .sqrt()
            .alias("recent_vol"),
            pl.col("_r").count().alias("_n"),
        )
        .filter(pl.col("_n") >= MIN_WINDOW_MIN)
        .select("order_id", "recent_vol")
    )


def _volume_and_depth(o: pl.DataFrame, quotes: pl.DataFrame, trades: pl.DataFrame) -> pl.DataFrame:
    """Continuous volume over the window against the ADV pace; displayed depth at arrival."""
    continuous = (
        trades.filter(pl.col("condition").is_null()) if "condition" in trades.columns else trades
    )
    cum = continuous.sort("symbol", "time").select(
        "symbol", "time", pl.col("size").cum_sum().over("symbol").alias("_cum")
    )
    base = o.with_columns(
        (pl.col("arrival_time") - pl.duration(minutes=pl.col("_window"), time_unit="ns"))
        .cast(_TIME)
        .alias("_start")
    )
    at_end = _asof(base, cum, "arrival_time").select("order_id", pl.col("_cum").alias("_c1"))
    at_start = _asof(base, cum, "_start").select("order_id", pl.col("_cum").alias("_c0"))
    has_sizes = {"bid_size", "ask_size"} <= set(quotes.columns)
    book = quotes.select(
        "symbol",
        "time",
        (pl.col("bid_size") + pl.col("ask_size") if has_sizes else pl.lit(None, pl.Float64)).alias(
            "_depth"
        ),
    )
    depth = _asof(base, book, "arrival_time").select("order_id", "_depth")
    pace = pl.col("adv20") * pl.col("_window") / pl.col("session_minutes")
    return (
        base.join(at_end, on="order_id", how="left")
        .join(at_start, on="order_id", how="left")
        .join(depth, on="order_id", how="left")
        .select(
            "order_id",
            pl.when((pl.col("_window") >= MIN_WINDOW_MIN) & (pace > 0))
            .then((pl.col("_c1").fill_null(0.0) - pl.col("_c0").fill_null(0.0)) / pace)
            .alias("recent_volume"),
            pl.when(pl.col("adv20") > 0)
            .then(pl.col("_depth") / pl.col("adv20"))
            .alias("depth_adv"),
        )
    )


def session_fraction(minutes_since_open: float, session_minutes: float) -> float:
    """Share of the session elapsed at arrival (0 at the open, 1 at the close)."""
    if not session_minutes or math.isnan(session_minutes):
        return math.nan
    return minutes_since_open / session_minutes
