"""Requests for quote answered by dealers of known behaviour, on a simulated market.

Each request (a random instrument, time, side and size of 0.2-2 % of ADV) goes
to every dealer; each quotes around the mid strictly before its quote time:

- ``FAIR-1``, ``FAIR-2``: charge what working the order in the lit market would
  cost (half the spread plus a square-root impact, the simulator's own
  parameters), with a little noise;
- ``WIDE``: the same plus 12 bps;
- ``INFORMED``: knows the mid 30 minutes later; it quotes 6 bps tighter than fair
  when the coming move favours it (it sells to us before the price falls, buys
  before it rises) and 10 bps wider otherwise. Its wins are followed by the
  market moving its way: positive markouts for us.

The best price wins (FILLED), the others PASSED. The dealers' types are the
truth (``DEALERS``); a scorecard should find them from the quotes alone.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from tca.analytics.rfq import mids_before

from .simulate import Dataset

DEALERS = {"FAIR-1": "fair", "FAIR-2": "fair", "WIDE": "wide", "INFORMED": "informed"}
RESPONSE_S = {"fair": 2.0, "wide": 5.0, "informed": 1.0}
WIDE_BPS = 12.0
INFORMED_TIGHT_BPS, INFORMED_WIDE_BPS = 6.0, 10.0
LOOKAHEAD_S = 1800
NS = 1_000_000_000


def _mids(symbols: pl.Series, times: np.ndarray, quotes: pl.DataFrame) -> np.ndarray:
    points = pl.DataFrame({"symbol": symbols, "t": times})
    return mids_before(points, quotes, time="t", staleness_ns=600 * NS).to_numpy().astype(float)


def _spread_bps(symbols: pl.Series, times: np.ndarray, quotes: pl.DataFrame) -> np.ndarray:
    half_spread = (pl.col("ask") - pl.col("bid")) / 2
    # The "mid" of (half-spread, half-spread) is the half-spread: the same as-of rule.
    spread = quotes.select("symbol", "time", bid=half_spread, ask=half_spread)
    half = _mids(symbols, times, spread)
    return 2 * half / _mids(symbols, times, quotes) * 1e4


def simulate_rfqs(ds: Dataset, *, per_day: int = 10, seed: int = 0) -> pl.DataFrame:
    """The RFQ file's rows (SPEC §5 rfq columns) for ``ds``, in canonical types."""
    rng = np.random.default_rng(seed)
    long_days = pl.col("session_close") - pl.col("session_open") > pl.duration(hours=2)
    days = ds.market_truth.filter(long_days)
    picks = days.sample(n=per_day * days["date"].n_unique(), with_replacement=True, seed=seed)
    n, symbols = picks.height, picks["symbol"]
    open_ns = picks["session_open"].dt.epoch("ns").to_numpy()
    close_ns = picks["session_close"].dt.epoch("ns").to_numpy()
    room = close_ns - open_ns - (LOOKAHEAD_S + 900) * NS
    request = open_ns + (rng.uniform(0.05, 1.0, n) * room).astype(np.int64)
    side = rng.choice([1, -1], n)
    adv = picks["adv"].to_numpy()
    quantity = np.round(np.exp(rng.uniform(np.log(0.002), np.log(0.02), n)) * adv, -2)
    sigma_bps = picks["daily_vol"].to_numpy() * 1e4
    mid_request = _mids(symbols, request, ds.quotes)
    mid_future = _mids(symbols, request + LOOKAHEAD_S * NS, ds.quotes)
    lit_bps = _spread_bps(symbols, request, ds.quotes) / 2 + ds.config.eta * sigma_bps * np.sqrt(
        quantity / adv
    )
    favours_dealer = side * (mid_future - mid_request) < 0  # we buy before a fall...
    frames = []
    for dealer, kind in DEALERS.items():
        markup = lit_bps + rng.normal(0.0, 1.5, n)
        if kind == "wide":
            markup = markup + WIDE_BPS
        elif kind == "informed":
            markup = markup + np.where(favours_dealer, -INFORMED_TIGHT_BPS, INFORMED_WIDE_BPS)
        delay = RESPONSE_S[kind] * np.exp(rng.normal(0, 0.3, n))
        quote_ns = request + (delay * NS).astype(np.int64)
        price = _mids(symbols, quote_ns, ds.quotes) * (1 + side * markup / 1e4)
        frames.append(
            pl.DataFrame({
                "rfq_id": [f"RFQ{i:06d}" for i in range(n)], "symbol": symbols, "side": side,
                "quantity": quantity, "request_ns": request, "dealer": dealer,
                "quote_price": np.round(price, 4), "quote_ns": quote_ns,
                "ok": np.isfinite(price) & np.isfinite(mid_future),
            })
        )  # fmt: skip
    quotes = pl.concat(frames).filter(pl.col("ok").all().over("rfq_id"))
    # The best price wins; ties go to the first dealer.
    cost = pl.col("side") * pl.col("quote_price")
    winner = pl.col("dealer") == pl.col("dealer").sort_by(cost).first().over("rfq_id")
    return quotes.select(
        "rfq_id", "symbol",
        pl.col("side").cast(pl.Int8),
        "quantity",
        pl.col("request_ns").cast(pl.Datetime("ns", "UTC")).alias("request_time"),
        "dealer", "quote_price",
        pl.col("quote_ns").cast(pl.Datetime("ns", "UTC")).alias("quote_time"),
        pl.when(winner).then(pl.lit("FILLED")).otherwise(pl.lit("PASSED")).alias("status"),
        (pl.col("quote_ns") + 30 * NS).cast(pl.Datetime("ns", "UTC")).alias("valid_until"),
        pl.lit(None, dtype=pl.String).alias("venue"),
    ).sort("rfq_id", "dealer")
