"""Measurements taken only from a data set's ingestible frames, as a TCA would take them.

The statistical and calibration tests use these so that nothing they check
is read back from the simulator's truth except where a test says so.
"""

from __future__ import annotations

import polars as pl

from tca.frames import TIME
from tca.sim import Dataset

LOCAL_TZ = "America/New_York"
SESSION_S = 6.5 * 3600
POST_HORIZON = pl.duration(minutes=30, time_unit="ns")


def mids(ds: Dataset) -> pl.DataFrame:
    return ds.quotes.select("symbol", "time", mid=(pl.col("bid") + pl.col("ask")) / 2).sort(
        "symbol", "time"
    )


def asof_mid(frame: pl.DataFrame, on: str, quote_mids: pl.DataFrame, name: str) -> pl.DataFrame:
    """Attach mid(t) = mid of the last quote strictly before ``frame[on]`` (SPEC section 1)."""
    right = quote_mids.rename({"time": "_quote_time", "mid": name})
    return (
        frame.sort("symbol", on)
        .join_asof(
            right,
            left_on=on,
            right_on="_quote_time",
            by="symbol",
            allow_exact_matches=False,
            check_sortedness=False,
        )
        .drop("_quote_time")
    )


def local_date(col: str) -> pl.Expr:
    return pl.col(col).dt.convert_time_zone(LOCAL_TZ).dt.date()


def daily_market_volume(ds: Dataset) -> pl.DataFrame:
    """Printed volume per symbol-day less our own fills (the tape includes them)."""
    tape = ds.trades.group_by("symbol", date=local_date("time")).agg(tape=pl.col("size").sum())
    ours = ds.fills.group_by("symbol", date=local_date("time")).agg(ours=pl.col("quantity").sum())
    return tape.join(ours, on=["symbol", "date"], how="left").select(
        "symbol", "date", volume=pl.col("tape") - pl.col("ours").fill_null(0.0)
    )


def order_costs(ds: Dataset) -> pl.DataFrame:
    """Per order: arrival and post-trade mids, impacts measured from quotes and fills.

    ``I`` is the persistent move s·(P_post − P_a)/P_a; ``J`` the quantity-weighted
    move of the mid at our fills from arrival; ``phi`` the share of the
    permanent move already in the mid at the average fill, from the fill
    sequence alone; ``temp`` = J − phi·I is the temporary impact paid.
    """
    q = mids(ds)
    fills = ds.fills.sort("order_id", "time").with_columns(
        before=pl.col("quantity").cum_sum().over("order_id") - pl.col("quantity")
    )
    fills = asof_mid(fills, "time", q, "m")
    per = fills.group_by("order_id").agg(
        X=pl.col("quantity").sum(),
        n=pl.len(),
        last=pl.col("time").max(),
        qm=(pl.col("quantity") * pl.col("m")).sum(),
        qp=(pl.col("quantity") * pl.col("price")).sum(),
        qc=(pl.col("quantity") * pl.col("before")).sum(),
    )
    close = pl.col("date").cast(pl.Datetime("ns")).dt.replace_time_zone(LOCAL_TZ) + pl.duration(
        hours=16, time_unit="ns"
    )
    o = ds.orders.with_columns(date=local_date("arrival_time")).join(per, on="order_id")
    o = o.with_columns(close=close.dt.convert_time_zone("UTC").cast(TIME))
    end = pl.coalesce("end_time", "last") + POST_HORIZON
    o = o.with_columns(post=pl.min_horizontal(end, pl.col("close")), clipped=end > pl.col("close"))
    o = asof_mid(o, "arrival_time", q, "P_a")
    o = asof_mid(o, "post", q, "P_post")
    s = pl.col("side").cast(pl.Float64)
    return o.with_columns(
        T=(pl.col("last") - pl.col("arrival_time")).dt.total_nanoseconds() / 1e9 / SESSION_S,
        I=s * (pl.col("P_post") - pl.col("P_a")) / pl.col("P_a"),
        J=s * (pl.col("qm") / pl.col("X") - pl.col("P_a")) / pl.col("P_a"),
        execution=s * (pl.col("qp") - pl.col("X") * pl.col("P_a")),
        phi=pl.col("qc") / pl.col("X") ** 2,
    ).with_columns(temp=pl.col("J") - pl.col("phi") * pl.col("I"))


def isolated(costs: pl.DataFrame) -> pl.DataFrame:
    """Orders whose [arrival, post] window overlaps no other order's on the same symbol."""
    w = costs.select("order_id", "symbol", "arrival_time", "post").sort("symbol", "arrival_time")
    w = w.with_columns(
        prev_end=pl.col("post").cum_max().shift(1).over("symbol"),
        next_start=pl.col("arrival_time").shift(-1).over("symbol"),
    ).filter(
        (pl.col("prev_end").is_null() | (pl.col("prev_end") < pl.col("arrival_time")))
        & (pl.col("next_start").is_null() | (pl.col("next_start") > pl.col("post")))
    )
    return costs.join(w.select("order_id"), on="order_id")
