"""Run the simulator: market, orders, fills, impact on the book, prices, truth.

The order of the steps is what keeps the data consistent. Fill times and sizes
are fixed first (schedules never look at prices); the book is then built at
every quote update as efficient price + our permanent, temporary and informed
moves, rounded to the tick grid; only then are fills and prints priced
against the quote live strictly before them. Every fill is followed within
milliseconds by a quote update that shows its impact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from . import market as market_model
from . import venues
from .config import SimConfig
from .execution import Flow, make_fills
from .impact import INFORMED_TAIL_NS, PEAK_CAP, book_impact, order_impact
from .market import (
    Market,
    book,
    fundamental,
    make_instruments,
    make_segments,
    make_tape,
    quote_times,
)
from .orders import make_orders
from .pricing import Book, fill_prices, limit_prices, price_tape
from .tables import dataset_frames
from .timeline import NS, build_timeline, key_segment, key_time, make_key, nudge_ties
from .truth import POST_HORIZON_NS, order_truth

REACTION_NS = (20_000, 3_000_000)  # quotes update 20 µs to 3 ms after each of our fills
STREAMS = (
    "instruments",
    "segments",
    "tape",
    "orders",
    "fills",
    "quotes",
    "fundamental",
    "book",
    "impact",
    "reaction",
    "venues",
)


@dataclass(frozen=True)
class Dataset:
    """A simulated data set: canonical frames for ingestion plus the truth behind them."""

    config: SimConfig
    instruments: pl.DataFrame
    orders: pl.DataFrame
    fills: pl.DataFrame
    quotes: pl.DataFrame
    trades: pl.DataFrame
    truth: pl.DataFrame  # one row per order
    market_truth: pl.DataFrame  # one row per instrument-day
    params: dict[str, Any] = field(default_factory=dict)


def simulate(cfg: SimConfig | None = None) -> Dataset:
    """Generate a full data set; the same config always gives the same data."""
    cfg = cfg or SimConfig()
    seeds = np.random.SeedSequence(cfg.seed).spawn(len(STREAMS))
    rng = {name: np.random.default_rng(s) for name, s in zip(STREAMS, seeds, strict=True)}
    tl = build_timeline(
        cfg.start_date,
        cfg.n_days,
        cfg.n_instruments,
        tz=cfg.timezone,
        session_open=cfg.session_open,
        session_close=cfg.session_close,
    )
    inst = make_instruments(cfg, rng["instruments"])
    market = Market(cfg, tl, inst, make_segments(cfg, rng["segments"], inst, tl))
    tape = make_tape(market, rng["tape"])
    orders = make_orders(market, rng["orders"])
    flow = make_fills(market, orders, tape, rng["fills"])

    bg_seg, bg_t = quote_times(market, rng["quotes"])
    fund_bg, open_px, close_px = fundamental(market, rng["fundamental"], bg_seg, bg_t)
    bg_key = make_key(bg_seg, bg_t)
    del bg_seg, bg_t
    key, is_bg = _with_reactions(market, flow, bg_key, rng["reaction"])
    fund = fund_bg[np.cumsum(is_bg) - 1]  # reaction quotes keep the efficient price
    del is_bg
    seg, t = key_segment(key), key_time(key)
    arrival_idx = np.searchsorted(bg_key, make_key(orders.seg, orders.arrival), side="right") - 1
    ref_price = fund_bg[arrival_idx]
    del bg_key, fund_bg

    imp = order_impact(market, flow, rng["impact"], quote_key=key, quote_t=t, ref_price=ref_price)
    mid = fund + book_impact(market, flow, imp, seg, t)
    del fund
    quotes = Book(key, seg, t, *book(market, rng["book"], seg, t, mid))
    del mid

    price = fill_prices(market, flow, quotes, imp.fill_quote)
    prints = price_tape(market, flow, tape, quotes, rng["venues"], fill_price=price)
    frames = dataset_frames(
        market,
        flow,
        quotes,
        prints,
        fill_price=price,
        limit_price=limit_prices(market, flow, price, ref_price),
        truth=order_truth(market, flow, imp, quotes, fill_price=price),
        open_px=open_px,
        close_px=close_px,
    )
    return Dataset(cfg, *frames, params=_params(cfg))


def _with_reactions(
    market: Market, flow: Flow, bg_key: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Merge one quote update shortly after each continuous fill into the sorted quotes."""
    fills, orders, tl = flow.fills, flow.orders, market.tl
    cont = fills.liquidity != venues.AUCTION
    t = fills.t[cont] + rng.integers(*REACTION_NS, int(cont.sum()))
    seg = orders.seg[fills.order[cont]]
    inside = t < tl.session_ns
    r_key = np.sort(make_key(seg[inside], t[inside]))
    n = bg_key.size + r_key.size
    r_pos = np.searchsorted(bg_key, r_key, side="right") + np.arange(r_key.size)
    is_bg = np.ones(n, dtype=bool)
    is_bg[r_pos] = False
    key = np.empty(n, dtype=np.int64)
    key[is_bg] = bg_key
    key[r_pos] = r_key
    return nudge_ties(key), is_bg


def _params(cfg: SimConfig) -> dict[str, Any]:
    return {
        "model": "Almgren et al. (2005) without the turnover term; exponential propagator",
        "config": cfg.to_dict(),
        "impact": {
            "gamma": cfg.gamma,
            "eta": cfg.eta,
            "beta": cfg.beta,
            "half_life_s": cfg.half_life_s,
            "noise": cfg.noise,
            "impact_noise": cfg.impact_noise,
            "peak_cap": PEAK_CAP,
        },
        "regimes": {
            name: {
                "variance": float(market_model.REGIME_VARIANCE[i]),
                "volume": float(market_model.REGIME_VOLUME[i]),
                "spread": float(market_model.REGIME_SPREAD[i]),
                "depth": float(market_model.REGIME_DEPTH[i]),
            }
            for i, name in enumerate(market_model.REGIMES)
        },
        "post_horizon_s": POST_HORIZON_NS / NS,
        "informed_tail_s": INFORMED_TAIL_NS / NS,
    }
