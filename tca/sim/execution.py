"""How each strategy slices a parent order into fills, before any price is known.

Schedules depend on time and market volume only, never on prices, so the whole
set of fills (times, sizes, how each met liquidity) is fixed first and the
price impact that these fills cause can then be computed in one pass.

- TWAP / SEEK / LIMIT: equal slices over the planned horizon (SEEK in short
  slices, crossing the spread; LIMIT resting at the touch, each slice filling
  with ``passive_fill_prob``, less when the market runs away from it).
- VWAP: slices sized on the expected intraday volume curve.
- POV and the profiles: in each slice, rate/(1-rate) times the market volume
  (half printed, half forecast from the volume curve, as real algos smooth
  their target), so the order is about ``rate`` of all volume, until done or
  the close.
- TWAP/VWAP orders running to the close leave a share for the closing auction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import profiles, venues
from .market import CLOSE_AUCTION_SHARE, OPEN_AUCTION_SHARE, Market, Tape
from .orders import (
    BROKER_PASSIVE,
    CLOSE_GUARD_NS,
    DARK_SHARE,
    LIMIT,
    PARTICIPATING,
    PASSIVE_SHARE,
    SEEK,
    TO_CLOSE_SHARE,
    VWAP,
    Orders,
)
from .timeline import make_key

INFORMED_FILL_PENALTY = 0.25  # a resting order fills less when the price runs away from it
FORECAST_BLEND = 0.5  # participation follows half the volume forecast, half the printed volume


@dataclass(frozen=True)
class Fills:
    """Our executions, sorted by (order, time)."""

    order: np.ndarray
    t: np.ndarray  # ns since the open
    quantity: np.ndarray
    liquidity: np.ndarray  # index into venues.LIQUIDITY
    venue: np.ndarray
    fee: np.ndarray


@dataclass(frozen=True)
class Outcome:
    """What happened to each parent order."""

    executed: np.ndarray
    n_fills: np.ndarray
    last_fill: np.ndarray  # ns, -1 without fills
    end: np.ndarray  # order end/cancel time, -1 when it simply completed


@dataclass(frozen=True)
class Flow:
    """Our parent orders, their fills and what became of them."""

    orders: Orders
    fills: Fills
    outcome: Outcome


def _segmented_cumsum(values: np.ndarray, group_start: np.ndarray, group: np.ndarray) -> np.ndarray:
    running = np.cumsum(values)
    before = np.concatenate([[0.0], running])[group_start]
    return running - before[group]


@dataclass(frozen=True)
class Slots:
    """Child slices of every order, order-major: slice ``i`` belongs to order ``order[i]``."""

    order: np.ndarray
    first: np.ndarray  # per order: index of its first slice
    count: np.ndarray  # per order: number of slices
    start: np.ndarray
    end: np.ndarray
    coverage: np.ndarray  # per order: end of its last slice

    @property
    def last(self) -> np.ndarray:
        return self.first + self.count - 1


def _slots(market: Market, orders: Orders) -> Slots:
    """Equal slices over the planned horizon; participating orders get fixed-length slices up to
    a generous horizon (they stop when done)."""
    latest = market.tl.session_ns - CLOSE_GUARD_NS
    participating = np.isin(orders.strategy, PARTICIPATING)
    span = np.maximum(orders.plan_end - orders.arrival, 1)
    horizon = np.minimum(orders.arrival + 3 * span + 600 * 10**9, latest)
    n_part = np.ceil((horizon - orders.arrival) / orders.slice_ns).astype(np.int64)
    n_sched = np.ceil(span / orders.slice_ns).astype(np.int64)
    count = np.where(participating, np.maximum(n_part, 1), np.maximum(n_sched, 2))
    slot = np.where(participating, orders.slice_ns, span // count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    o = np.repeat(np.arange(orders.size), count)
    start = orders.arrival[o] + (np.arange(o.size) - first[o]) * slot[o]
    end = np.minimum(start + slot[o], np.where(participating[o], latest, market.tl.session_ns))
    coverage = np.minimum(orders.arrival + count * slot, latest)
    return Slots(o, first, count, start, end, coverage)


def _targets(market: Market, orders: Orders, tape: Tape, slots: Slots) -> np.ndarray:
    """Cumulative executed target at the end of each slice, in whole lots.

    Sizing from cumulative targets means rounding to lots never drifts; per-
    order fractions keep the running sums small so the segmented sums are exact.
    """
    o, start, end = slots.order, slots.start, slots.end
    participating = np.isin(orders.strategy, PARTICIPATING)[o]
    session = market.tl.session_ns
    profile = profiles.base_cdf(profiles.VOLUME_CDF, end / session) - profiles.base_cdf(
        profiles.VOLUME_CDF, start / session
    )
    weight = np.where(orders.strategy[o] == VWAP, profile, (end - start).astype(float))
    tape_key = make_key(tape.seg, tape.t)
    tape_cum = np.concatenate([[0.0], np.cumsum(tape.size)])
    seg = orders.seg[o]
    printed = (
        tape_cum[np.searchsorted(tape_key, make_key(seg, end))]
        - tape_cum[np.searchsorted(tape_key, make_key(seg, start))]
    )
    forecast = market.segs.volume[seg] * (1 - OPEN_AUCTION_SHARE - CLOSE_AUCTION_SHARE) * profile
    followed = FORECAST_BLEND * forecast + (1 - FORECAST_BLEND) * printed
    rate = orders.rate[o]
    weight_total = np.bincount(o, weight, minlength=orders.size)
    share = np.where(
        participating,
        np.nan_to_num(rate / (1 - rate)) * followed / orders.quantity[o],
        weight / np.maximum(weight_total[o], 1e-300),
    )
    cum = np.minimum(_segmented_cumsum(share, slots.first, o), 1.0)
    q, lot = orders.quantity[o], market.inst.lot[market.segs.symbol[seg]]
    keep_share = np.where(orders.to_close, 1.0 - TO_CLOSE_SHARE, 1.0)[o]
    return np.where(
        participating,
        np.floor(q * cum / lot + 1e-9) * lot,
        np.rint(q * keep_share * cum / lot) * lot,
    )


def _styles(
    market: Market, orders: Orders, slots: Slots, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How each slice meets liquidity, when it fills inside its slot, and whether it fills."""
    o = slots.order
    strategy = orders.strategy[o]
    p_passive = np.clip(PASSIVE_SHARE[strategy] * BROKER_PASSIVE[orders.broker[o]], 0.0, 1.0)
    p_passive = np.where(strategy == LIMIT, 1.0, np.where(strategy == SEEK, 0.0, p_passive))
    liquidity = np.where(rng.random(o.size) < p_passive, venues.ADD, venues.REMOVE)
    dark = (
        (liquidity == venues.REMOVE)
        & ~np.isin(strategy, (SEEK, LIMIT))
        & (rng.random(o.size) < DARK_SHARE)
    )
    liquidity[dark] = venues.OTHER
    span = slots.end - slots.start
    t = slots.start + ((0.02 + 0.96 * rng.random(o.size)) * span).astype(np.int64)
    penalty = np.where(orders.informed, INFORMED_FILL_PENALTY, 0.0)
    p_fill = np.clip(market.cfg.passive_fill_prob - penalty, 0.05, 0.95)[o]
    fills = (strategy != LIMIT) | (rng.random(o.size) < p_fill)
    cancel = orders.cancel[o]
    fills &= (cancel < 0) | (t < cancel)
    return liquidity, t, fills


def make_fills(market: Market, orders: Orders, tape: Tape, rng: np.random.Generator) -> Flow:
    """Every fill of every order, and each order's outcome."""
    n = orders.size
    slots = _slots(market, orders)
    target = _targets(market, orders, tape, slots)
    previous = np.concatenate([[0.0], target[:-1]])
    previous[slots.first] = 0.0
    child = target - previous
    liquidity, t, filled = _styles(market, orders, slots, rng)
    keep = filled & (child > 0)

    # The closing-auction remainder of to-close orders.
    auction_q = np.where(
        orders.to_close & (orders.cancel < 0), orders.quantity - target[slots.last], 0.0
    )
    closing = np.flatnonzero(auction_q > 0)
    order = np.concatenate([slots.order[keep], closing])
    t = np.concatenate([t[keep], np.full(closing.size, market.tl.session_ns, dtype=np.int64)])
    quantity = np.concatenate([child[keep], auction_q[closing]])
    liquidity = np.concatenate([liquidity[keep], np.full(closing.size, venues.AUCTION)])
    by = np.lexsort((t, order))
    order, t, quantity, liquidity = order[by], t[by], quantity[by], liquidity[by]
    listing = market.inst.listing[market.segs.symbol[orders.seg[order]]]
    venue = venues.route(liquidity, listing, rng)
    fills = Fills(order, t, quantity, liquidity, venue, venues.fees(liquidity, venue, quantity))

    executed = np.bincount(order, quantity, minlength=n)
    n_fills = np.bincount(order, minlength=n)
    last_index = np.maximum(np.searchsorted(order, np.arange(n), side="right") - 1, 0)
    last_fill = np.where(n_fills > 0, t[last_index] if t.size else -1, -1)
    partial = executed < orders.quantity
    end = np.where(orders.cancel >= 0, orders.cancel, np.where(partial, slots.coverage, -1))
    return Flow(orders, fills, Outcome(executed, n_fills, last_fill, end))
