"""The intraday volume profile: the share of a session's continuous volume in each slot.

Pre-trade needs it to turn a participation target into an expected duration
(an order at 10 % of volume takes longer at midday than near the close). It
is measured on past sessions only and averaged with equal weight per session,
so one heavy day does not set the shape.
"""

from __future__ import annotations

import numpy as np
import polars as pl

DEFAULT_SLOTS = 78  # 5-minute slots of a 6.5-hour session


def intraday_profile(
    trades: pl.DataFrame, sessions: pl.DataFrame, slots: int = DEFAULT_SLOTS
) -> np.ndarray | None:
    """Mean share of each session's continuous volume per slot (sums to 1), or None.

    ``trades``: symbol, time, size[, condition]; ``sessions``: symbol,
    trade_date, _open, _close (UTC). Prints outside the session or with a
    condition (auctions, corrections) are left out.
    """
    if trades.height == 0 or sessions.height == 0:
        return None
    prints = (
        trades.filter(pl.col("condition").is_null()) if "condition" in trades.columns else trades
    )
    prints = prints.with_columns(pl.col("time").dt.date().alias("trade_date")).join(
        sessions, on=["symbol", "trade_date"], how="inner"
    )
    span = (pl.col("_close") - pl.col("_open")).dt.total_nanoseconds()
    at = (pl.col("time") - pl.col("_open")).dt.total_nanoseconds()
    slotted = (
        prints.filter((at >= 0) & (at < span))
        .with_columns((at * slots // span).cast(pl.Int64).alias("_slot"))
        .group_by("symbol", "trade_date", "_slot")
        .agg(pl.col("size").sum().alias("_v"))
    )
    if slotted.height == 0:
        return None
    shares = slotted.with_columns(
        (pl.col("_v") / pl.col("_v").sum().over("symbol", "trade_date")).alias("_share")
    )
    n_sessions = shares.select(pl.struct("symbol", "trade_date").n_unique()).item()
    per_slot = shares.group_by("_slot").agg(pl.col("_share").sum())
    profile = np.zeros(slots)
    profile[per_slot["_slot"].to_numpy()] = per_slot["_share"].to_numpy() / n_sessions
    # A floor keeps the cumulative curve strictly increasing (quiet slots still pass time).
    profile = np.maximum(profile, 1e-4 / slots)
    return profile / profile.sum()


def flat_profile(slots: int = DEFAULT_SLOTS) -> np.ndarray:
    return np.full(slots, 1.0 / slots)


def session_time_for_volume(profile: np.ndarray, start: float, volume: float) -> float:
    """Session time (fraction of one session) from ``start`` until ``volume`` has traded.

    ``start`` is the elapsed fraction of the session at the start and
    ``volume`` the market volume needed, in sessions' worth (ADV units). Past
    the close the order carries on from the next open, session after session;
    the answer counts session time only. Volume within a slot accrues linearly.
    """
    slots = profile.size
    edges = np.linspace(0.0, 1.0, slots + 1)
    cum = np.concatenate([[0.0], np.cumsum(profile)])
    start = min(max(start, 0.0), 1.0)
    done = float(np.interp(start, edges, cum))
    target = done + volume
    whole, rest = divmod(target, 1.0)
    end = whole + float(np.interp(rest, cum, edges))
    return max(end - start, 0.0)


def volume_fraction(profile: np.ndarray, start: float, duration: float) -> float:
    """Expected market volume (in ADV units) in ``duration`` of session time from ``start``."""
    edges = np.linspace(0.0, 1.0, profile.size + 1)
    cum = np.concatenate([[0.0], np.cumsum(profile)])
    end = start + duration
    whole, rest = divmod(end, 1.0)
    return float(whole + np.interp(rest, edges, cum) - np.interp(start, edges, cum))
