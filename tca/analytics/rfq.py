"""RFQ quote fairness: markups against the mid and against the lit market, and markouts.

For each dealer quote (SPEC §1 conventions: positive is a cost to us):

- ``mid``: the mid of the last quote strictly before the quote time, missing
  beyond the staleness limit;
- ``markup_bps = s·(quote_price − mid)/mid·1e4``: what the dealer charges over
  the fair value (a buy quoted above the mid costs us);
- ``markup_vs_lit_bps = markup_bps − lit_cost_bps``: against the expected cost of
  working the same order in the lit market (the impact model's estimate; negative
  means the dealer's price beats the market's);
- ``beyond_model``: the markup is beyond the chosen quantile of the model's
  distribution of that lit cost (normal with its mean and standard deviation);
- for the winning (FILLED) quote, ``markout_{h}`` for h in ``MARKOUT_HORIZONS_S``:
  ``s·(quote_price − mid(t + h))/mid(t)·1e4``, the fill markout of SPEC §3. A
  dealer whose won trades keep showing positive markouts traded on information
  we gave away (or had): the market moved their way after the trade.
"""

from __future__ import annotations

import polars as pl
from scipy.stats import norm

MARKOUT_HORIZONS_S = (60, 300, 1800)


def mids_before(
    points: pl.DataFrame, quotes: pl.DataFrame, *, time: str, staleness_ns: int
) -> pl.Series:
    """The mid strictly before ``points[time]`` for each row's symbol (null when stale).

    ``points`` has ``symbol`` and the ns-integer column ``time``; ``quotes`` has
    symbol, time (datetime), bid, ask. The result is in ``points``' row order.
    """
    book = (
        quotes.select(
            "symbol",
            pl.col("time").dt.epoch("ns").alias("quote_ns"),
            ((pl.col("bid") + pl.col("ask")) / 2).alias("mid"),
        )
        .sort("symbol", "quote_ns")
    )
    probes = points.select(
        "symbol", (pl.col(time) - 1).alias("probe"), pl.int_range(pl.len()).alias("_row")
    ).sort("symbol", "probe")
    joined = probes.join_asof(
        book, left_on="probe", right_on="quote_ns", by="symbol", strategy="backward",
        check_sortedness=False,
    )  # fmt: skip
    fresh = pl.col("probe") - pl.col("quote_ns") < staleness_ns
    return joined.sort("_row").select(pl.when(fresh).then(pl.col("mid"))).to_series().alias("mid")


def quote_fairness(
    rfq: pl.DataFrame, quotes: pl.DataFrame, *, staleness_ns: int, flag_quantile: float = 0.95
) -> pl.DataFrame:
    """Fairness columns for each quote of ``rfq`` (ns-integer ``quote_ns``, ``side``,
    ``quote_price``, ``status``, ``lit_cost_bps``, ``lit_cost_std_bps``)."""
    mid = mids_before(rfq, quotes, time="quote_ns", staleness_ns=staleness_ns)
    s, price = pl.col("side"), pl.col("quote_price")
    z = float(norm.ppf(flag_quantile))
    out = rfq.with_columns(mid).with_columns(
        (s * (price - pl.col("mid")) / pl.col("mid") * 1e4).alias("markup_bps")
    )
    out = out.with_columns(
        (pl.col("markup_bps") - pl.col("lit_cost_bps")).alias("markup_vs_lit_bps"),
        (pl.col("markup_bps") > pl.col("lit_cost_bps") + z * pl.col("lit_cost_std_bps")).alias(
            "beyond_model"
        ),
    )
    won = pl.col("status") == "FILLED"
    for h in MARKOUT_HORIZONS_S:
        later = rfq.select("symbol", (pl.col("quote_ns") + h * 1_000_000_000).alias("t"))
        # A later mid may be older than the staleness limit only if no quote came since.
        mid_h = mids_before(later, quotes, time="t", staleness_ns=staleness_ns + h * 1_000_000_000)
        out = out.with_columns(
            pl.when(won).then(s * (price - mid_h) / pl.col("mid") * 1e4).alias(f"markout_{h}")
        )
    return out
