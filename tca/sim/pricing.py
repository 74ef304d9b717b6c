"""The quote book and prices against it: our fills, others' prints, limit prices.

Everything trades against the quote live strictly before it (a quote at the
same instant is not yet visible), which is the SPEC's as-of rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import venues
from .execution import Flow
from .market import Market, Tape, midpoint, round_to_tick
from .orders import LIMIT
from .timeline import asof_before, make_key

LIMIT_PRICE_SIGMAS = 3.0


@dataclass(frozen=True)
class Book:
    """Every quote update, sorted by (segment, time)."""

    key: np.ndarray
    seg: np.ndarray
    t: np.ndarray
    bid: np.ndarray
    ask: np.ndarray
    bid_size: np.ndarray
    ask_size: np.ndarray

    @property
    def mid(self) -> np.ndarray:
        return 0.5 * (self.bid + self.ask)


@dataclass(frozen=True)
class Prints:
    """The full tape (others' prints and ours), sorted by (segment, time)."""

    seg: np.ndarray
    t: np.ndarray
    price: np.ndarray
    size: np.ndarray
    venue: np.ndarray
    kind: np.ndarray


def fill_prices(market: Market, flow: Flow, quotes: Book, fill_quote: np.ndarray) -> np.ndarray:
    """Aggressive at the far touch, passive at the near touch, dark at the mid, auction at the
    cross price; always inside the quote live strictly before the fill."""
    inst, segs, orders, fills = market.inst, market.segs, flow.orders, flow.fills
    buy = orders.side[fills.order] > 0
    bid, ask = quotes.bid[fill_quote], quotes.ask[fill_quote]
    tick = inst.tick[segs.symbol[orders.seg[fills.order]]]
    liq = fills.liquidity
    return np.select(
        [liq == venues.REMOVE, liq == venues.ADD, liq == venues.OTHER],
        [np.where(buy, ask, bid), np.where(buy, bid, ask), midpoint(bid, ask, tick)],
        default=round_to_tick(0.5 * (bid + ask), tick),
    )


def price_tape(
    market: Market,
    flow: Flow,
    tape: Tape,
    quotes: Book,
    rng: np.random.Generator,
    *,
    fill_price: np.ndarray,
) -> Prints:
    """Price others' prints off the book and add ours; our auction fills join the closing cross."""
    inst, segs, orders, fills = market.inst, market.segs, flow.orders, flow.fills
    idx = asof_before(quotes.key, make_key(tape.seg, tape.t))
    bid, ask = quotes.bid[idx], quotes.ask[idx]
    tick = inst.tick[segs.symbol[tape.seg]]
    cross = round_to_tick(0.5 * (bid + ask), tick)
    price = np.select(
        [tape.kind > 0, tape.aggressor > 0, tape.aggressor < 0],
        [cross, ask, bid],
        default=midpoint(bid, ask, tick),
    )
    listing = inst.listing[segs.symbol[tape.seg]]
    venue = np.where(
        tape.kind > 0,
        listing,
        np.searchsorted(np.cumsum(venues.TAPE_WEIGHTS), rng.random(tape.seg.size), side="right"),
    )
    venue = np.minimum(venue, len(venues.VENUES) - 1)
    size = tape.size.copy()
    auction = fills.liquidity == venues.AUCTION
    fill_seg = orders.seg[fills.order]
    closing = np.flatnonzero(tape.kind == 2)
    extra = np.bincount(fill_seg[auction], fills.quantity[auction], minlength=segs.symbol.size)
    size[closing] += extra[tape.seg[closing]]
    cont = ~auction
    seg = np.concatenate([tape.seg, fill_seg[cont]])
    t = np.concatenate([tape.t, fills.t[cont]])
    by = np.argsort(make_key(seg, t), kind="stable")
    return Prints(
        seg[by],
        t[by],
        np.concatenate([price, fill_price[cont]])[by],
        np.concatenate([size, fills.quantity[cont]])[by],
        np.concatenate([venue, fills.venue[cont]])[by],
        np.concatenate([tape.kind, np.zeros(int(cont.sum()), dtype=np.int8)])[by],
    )


def limit_prices(
    market: Market, flow: Flow, fill_price: np.ndarray, ref_price: np.ndarray
) -> np.ndarray:
    """LIMIT orders carry a loose limit; one their fills would breach is dropped (NaN)."""
    inst, segs, orders, fills = market.inst, market.segs, flow.orders, flow.fills
    side = orders.side.astype(float)
    tick = inst.tick[segs.symbol[orders.seg]]
    raw = ref_price * (1 + side * LIMIT_PRICE_SIGMAS * segs.sigma[orders.seg])
    limit = np.where(orders.strategy == LIMIT, round_to_tick(raw, tick), np.nan)
    breach = side[fills.order] * (fill_price - limit[fills.order]) > 1e-9
    limit[np.unique(fills.order[breach])] = np.nan
    return limit
