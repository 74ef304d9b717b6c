"""Our institutional parent orders: who sends them, how big, how they are worked.

Orders come from several traders (each on a desk) and go to several brokers.
Brokers differ in a way the TCA should be able to find: how much of their
flow rests passively, and how often their orders end up informed against
(information leakage). Sizes are log-normal fractions of ADV.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import profiles
from .config import STRATEGIES
from .market import CLOSE_AUCTION_SHARE, OPEN_AUCTION_SHARE, Market
from .timeline import NS

ALGOS = ("TWAP", "VWAP", "POV", "SEEK", "LIMIT", "AGGRESSIVE", "BALANCED", "PASSIVE")
TWAP, VWAP, POV, SEEK, LIMIT, AGGRESSIVE, BALANCED, PASSIVE = range(len(STRATEGIES))
PARTICIPATING = (POV, AGGRESSIVE, BALANCED, PASSIVE)  # scheduled on realised market volume
PROFILE_RATES = {AGGRESSIVE: 0.30, BALANCED: 0.10, PASSIVE: 0.03}
POV_RATES = (0.05, 0.15, 0.20)
# Chance that a child slice rests passively (ADD), per strategy.
PASSIVE_SHARE = np.array([0.45, 0.45, 0.35, 0.0, 1.0, 0.15, 0.45, 0.75])
DARK_SHARE = 0.05  # of active algo slices, crossed at the midpoint

BROKERS = ("ATLAS", "BOREAL", "CEDAR", "DUNE", "EMBER")
BROKER_PASSIVE = np.array([1.2, 1.0, 0.8, 1.0, 0.9])
BROKER_LEAK = np.array([0.8, 1.0, 1.0, 2.0, 0.7])  # relative odds of being informed against
TRADERS = (
    ("alice", "EQ-HIGH-TOUCH"),
    ("bruno", "EQ-HIGH-TOUCH"),
    ("chen", "EQ-HIGH-TOUCH"),
    ("dana", "EQ-PROGRAM"),
    ("emeka", "EQ-PROGRAM"),
    ("farah", "EQ-QUANT"),
    ("goran", "EQ-QUANT"),
    ("hana", "EQ-QUANT"),
)
PORTFOLIOS = ("GROWTH", "VALUE", "INCOME", "QUANT-L", "QUANT-S", "INDEX")

MIN_START_NS = 60 * NS  # orders arrive from one minute after the open ...
LAST_START_NS = 20 * 60 * NS  # ... until twenty minutes before the close
CLOSE_GUARD_NS = 60 * NS  # continuous slices stop a minute before the close
TO_CLOSE_SHARE = 0.1  # of a to-close order, left for the closing auction


@dataclass(frozen=True)
class Orders:
    """Parent orders as arrays, ordered by (segment, arrival)."""

    seg: np.ndarray
    side: np.ndarray  # +1 buy, -1 sell
    quantity: np.ndarray
    strategy: np.ndarray  # index into STRATEGIES
    rate: np.ndarray  # target participation, NaN when not participating
    arrival: np.ndarray  # ns since the open
    decision: np.ndarray  # ns since the open, -1 when the same as arrival
    plan_end: np.ndarray  # planned (or volume-estimated) end, ns
    to_close: np.ndarray  # bool: finishes in the closing auction
    slice_ns: np.ndarray  # child slice length, ns
    cancel: np.ndarray  # cancel time, -1 when never cancelled
    broker: np.ndarray
    trader: np.ndarray
    portfolio: np.ndarray
    informed: np.ndarray  # bool: the market drifts against this order
    alpha: np.ndarray  # size of that drift, in daily sigmas

    @property
    def size(self) -> int:
        return int(self.seg.size)


def _log_uniform(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return np.exp(rng.uniform(np.log(lo), np.log(hi), n))


def make_orders(market: Market, rng: np.random.Generator) -> Orders:
    cfg, inst, segs, tl = market.cfg, market.inst, market.segs, market.tl
    counts = rng.poisson(cfg.orders_per_day, segs.symbol.size)
    seg = np.repeat(np.arange(segs.symbol.size), counts)
    n = seg.size
    sym = segs.symbol[seg]
    mix = np.array(cfg.strategy_mix) / sum(cfg.strategy_mix)
    strategy = rng.choice(len(STRATEGIES), n, p=mix)
    side = np.where(rng.random(n) < 0.5, 1, -1).astype(np.int8)
    frac = cfg.order_size_adv * np.exp(cfg.order_size_dispersion * rng.standard_normal(n))
    frac = np.clip(frac, 1e-4, cfg.max_order_size_adv)
    lot = inst.lot[sym]
    quantity = np.maximum(np.round(frac * inst.adv[sym] / lot), 1) * lot
    quantity = np.maximum(quantity, np.ceil(100 / lot) * lot)

    session = tl.session_ns
    arrival = _sort_within(seg, rng.integers(MIN_START_NS, session - LAST_START_NS, n))
    rate, duration = _horizons(market, rng, seg, strategy, quantity=quantity, arrival=arrival)
    latest = session - CLOSE_GUARD_NS
    to_close = np.isin(strategy, (TWAP, VWAP)) & (arrival + duration >= latest)
    plan_end = np.minimum(arrival + duration, latest)
    slice_ns = np.full(n, int(cfg.child_interval_s * NS), dtype=np.int64)
    slice_ns[strategy == SEEK] //= 6
    # Fast participation works in shorter slices so it still trades often.
    faster = np.clip(0.1 / np.nan_to_num(rate, nan=0.1), 0.25, 1.0)
    slice_ns = (slice_ns * faster).astype(np.int64)

    decision = np.full(n, -1, dtype=np.int64)
    delayed = rng.random(n) < cfg.delay_share
    lag = rng.integers(5 * NS, 15 * 60 * NS, n)
    decision[delayed] = np.maximum(arrival - lag, 5 * NS)[delayed]
    cancel = np.full(n, -1, dtype=np.int64)
    cancelled = rng.random(n) < cfg.cancel_share
    when = arrival + (rng.uniform(0.2, 0.8, n) * (plan_end - arrival)).astype(np.int64)
    cancel[cancelled] = when[cancelled]

    broker = rng.integers(0, len(BROKERS), n)
    trader = rng.integers(0, len(TRADERS), n)
    portfolio = rng.integers(0, len(PORTFOLIOS), n)
    # A leakier broker raises the odds; a share of 0 or 1 stays exactly that.
    leak = BROKER_LEAK[broker] / BROKER_LEAK.mean()
    informed = rng.random(n) < 1.0 - (1.0 - cfg.informed_share) ** leak
    alpha = np.where(informed, cfg.informed_alpha * rng.uniform(0.5, 1.5, n), 0.0)
    return Orders(
        seg,
        side,
        quantity,
        strategy,
        rate,
        arrival,
        decision,
        plan_end,
        to_close,
        slice_ns,
        cancel,
        broker,
        trader,
        portfolio,
        informed,
        alpha,
    )


def _horizons(
    market: Market,
    rng: np.random.Generator,
    seg: np.ndarray,
    strategy: np.ndarray,
    *,
    quantity: np.ndarray,
    arrival: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Target participation and planned duration (ns) per order.

    Scheduled strategies draw a horizon; participating ones last as long as the
    expected volume curve says ``quantity`` needs at their rate.
    """
    n, minute = strategy.size, 60 * NS
    duration = np.select(
        [np.isin(strategy, (TWAP, VWAP)), strategy == SEEK, strategy == LIMIT],
        [
            _log_uniform(rng, 10 * minute, 240 * minute, n),
            _log_uniform(rng, 1 * minute, 10 * minute, n),
            _log_uniform(rng, 10 * minute, 90 * minute, n),
        ],
        default=0.0,
    ).astype(np.int64)
    rate = np.full(n, np.nan)
    pov = strategy == POV
    rate[pov] = rng.choice(POV_RATES, int(pov.sum()))
    for s, r in PROFILE_RATES.items():
        rate[strategy == s] = r
    participating = np.isin(strategy, PARTICIPATING)
    need = quantity * (1 - rate) / rate / market.segs.volume[seg]
    need = need / (1 - OPEN_AUCTION_SHARE - CLOSE_AUCTION_SHARE)
    session = market.tl.session_ns
    reach = profiles.base_cdf(profiles.VOLUME_CDF, arrival / session)
    reach = reach + np.where(participating, need, 0.0)
    u_end = np.interp(np.minimum(reach, 1.0), profiles.VOLUME_CDF, profiles.GRID)
    estimate = (u_end * session).astype(np.int64) - arrival
    return rate, np.where(participating, np.maximum(estimate, minute), duration)


def _sort_within(group: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` sorted inside each run of equal (already grouped) ``group``."""
    order = np.lexsort((values, group))
    return values[order]
