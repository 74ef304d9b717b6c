"""The market without us: instruments, daily regimes, the efficient price, the tape.

Each instrument has its own ADV, price level, daily volatility, tick size and
typical spread. Each instrument-day (a *segment*) gets a regime: the market as
a whole is calm or volatile that day, and some instruments have a scheduled
news event (a volatility and volume surge with wide spreads and thin books).
Regime multipliers are normalised so that, averaged over regimes, daily
variance is the instrument's ``daily_vol`` squared and daily volume its ADV.

The efficient ("fundamental") price is a random walk whose increments between
quote updates carry exactly the variance the intraday profile assigns to that
interval, so the day's integrated variance is the regime's sigma squared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import profiles
from .config import SimConfig
from .timeline import Timeline

REGIMES = ("calm", "volatile", "news")
REGIME_VARIANCE = np.array([0.6, 2.0, 2.2])  # daily variance multiplier, before normalising
REGIME_VOLUME = np.array([0.8, 1.3, 1.6])
REGIME_SPREAD = np.array([1.0, 1.5, 1.2])
REGIME_DEPTH = np.array([1.1, 0.6, 0.8])

NEWS_TIMES = ("10:00", "11:30", "14:00")
NEWS_WIDTH = 0.03  # decay of the burst, as a fraction of the session (~12 minutes)
NEWS_VARIANCE_SHARE = 0.5  # of the news day's variance, released in the burst
NEWS_VOLUME_SHARE = 0.25
NEWS_SPREAD_SURGE = 2.0  # spread x (1 + 2) at the event
NEWS_DEPTH_DROP = 0.7  # depth x (1 - 0.7) at the event

DAY_VARIANCE_DISPERSION = 0.2  # log-normal sigma of a day's variance around its regime
DAY_VOLUME_DISPERSION = 0.2
OVERNIGHT_VOL = 0.4  # overnight move, in daily sigmas

OPEN_AUCTION_SHARE = 0.01
CLOSE_AUCTION_SHARE = 0.06
OPEN_PRINT_NS = 1_000_000  # the opening cross prints 1 ms after the open
TRADE_SIZE_DISPERSION = 1.0
MIDPOINT_PRINT_SHARE = 0.08
SPREAD_DISPERSION = 0.25
DEPTH_DISPERSION = 0.5
ROUND_LOT = 100

SPREAD_TABLE = profiles.spread_factor(profiles.GRID)
DEPTH_TABLE = profiles.depth_factor(profiles.GRID)

# Trade conditions on the tape (CTA/UTP sale-condition codes).
OPENING_PRINT, CLOSING_PRINT = "O", "6"


@dataclass(frozen=True)
class Instruments:
    """Per-instrument constants; ``adv`` and ``daily_vol`` are truth, never in the files."""

    symbol: tuple[str, ...]
    name: tuple[str, ...]
    listing: np.ndarray  # venue index of the primary listing
    price: np.ndarray  # first open
    adv: np.ndarray
    daily_vol: np.ndarray
    tick: np.ndarray
    lot: np.ndarray
    spread_ticks: np.ndarray  # typical quoted spread in ticks, before intraday effects
    depth: np.ndarray  # typical displayed size at the touch, shares
    activity: np.ndarray  # relative event rate, mean 1 across instruments


def make_instruments(cfg: SimConfig, rng: np.random.Generator) -> Instruments:
    """Heterogeneous names: liquid large caps to thin small caps, varied ticks and prices."""
    n = cfg.n_instruments
    lo, hi = cfg.adv_range
    adv = np.round(np.exp(rng.uniform(np.log(lo), np.log(hi), n)), -2)
    price = np.exp(rng.uniform(np.log(cfg.price_range[0]), np.log(cfg.price_range[1]), n))
    liquidity = adv / np.sqrt(lo * hi)
    daily_vol = cfg.daily_vol_median * liquidity**-0.1 * np.exp(rng.normal(0.0, 0.2, n))
    daily_vol = np.round(np.clip(daily_vol, 0.006, 0.08), 5)
    tick = np.where(price < 10.0, 0.005, np.where(price < 150.0, 0.01, 0.05))  # 1/tick integral
    lot = np.where(price < 10.0, 100.0, 1.0)
    spread_bps = np.clip(2.0 + 8.0 * (adv / 1e6) ** -0.5, 1.5, 60.0)
    spread_bps *= np.exp(rng.normal(0.0, 0.15, n))
    spread_ticks = np.maximum(spread_bps * 1e-4 * price / tick, 1.0)
    depth = np.clip(adv * 2e-4, 200.0, 20000.0) * np.exp(rng.normal(0.0, 0.3, n))
    activity = np.sqrt(liquidity)
    activity /= activity.mean()
    width = max(3, len(str(n)))
    symbols = tuple(f"SIM{i:0{width}d}" for i in range(1, n + 1))
    names = tuple(f"Simulated Company {i:0{width}d}" for i in range(1, n + 1))
    listing = rng.integers(0, 2, n)
    return Instruments(
        symbols, names, listing, price, adv, daily_vol, tick, lot, spread_ticks, depth, activity
    )


@dataclass(frozen=True)
class Segments:
    """One row per instrument-day: its regime and the true values that day."""

    symbol: np.ndarray
    day: np.ndarray
    regime: np.ndarray  # index into REGIMES
    sigma: np.ndarray  # true daily volatility that day (integrated over the session)
    volume: np.ndarray  # expected market volume that day, shares (without our fills)
    news_u: np.ndarray  # session fraction of the news event, NaN when none
    spread_mult: np.ndarray
    depth_mult: np.ndarray
    n_quotes: np.ndarray
    n_trades: np.ndarray


def make_segments(
    cfg: SimConfig, rng: np.random.Generator, inst: Instruments, tl: Timeline
) -> Segments:
    """Regimes (market-wide calm/volatile days, per-name news) and each day's true sigma and V."""
    n_sym, n_days = cfg.n_instruments, tl.n_days
    sym = np.repeat(np.arange(n_sym), n_days)
    day = np.tile(np.arange(n_days), n_sym)
    p_calm, p_volatile, p_news = cfg.regime_probs
    volatile_day = rng.random(n_days) < (p_volatile / max(p_calm + p_volatile, 1e-12))
    news = rng.random(sym.size) < p_news
    regime = np.where(news, 2, np.where(volatile_day[day], 1, 0))
    probs = np.array(cfg.regime_probs)
    var_mult = REGIME_VARIANCE[regime] / (probs @ REGIME_VARIANCE)
    vol_mult = REGIME_VOLUME[regime] / (probs @ REGIME_VOLUME)
    s = DAY_VARIANCE_DISPERSION
    variance = inst.daily_vol[sym] ** 2 * var_mult * np.exp(rng.normal(-s * s / 2, s, sym.size))
    s = DAY_VOLUME_DISPERSION
    volume = inst.adv[sym] * vol_mult * np.exp(rng.normal(-s * s / 2, s, sym.size))
    news_times = np.array([tl.local_ns(t) / tl.session_ns for t in NEWS_TIMES])
    news_u = np.where(news, rng.choice(news_times, sym.size), np.nan)
    activity = inst.activity[sym]
    n_quotes = 1 + rng.poisson(cfg.quotes_per_day * activity * np.sqrt(var_mult))
    n_trades = rng.poisson(cfg.trades_per_day * activity * vol_mult)
    return Segments(
        sym,
        day,
        regime,
        np.sqrt(variance),
        volume,
        news_u,
        REGIME_SPREAD[regime],
        REGIME_DEPTH[regime],
        n_quotes,
        n_trades,
    )


@dataclass(frozen=True)
class Market:
    """The market without us: settings, calendar, instruments and their days."""

    cfg: SimConfig
    tl: Timeline
    inst: Instruments
    segs: Segments


@dataclass(frozen=True)
class Tape:
    """Other participants' prints, sorted by (segment, time); prices come later from quotes."""

    seg: np.ndarray
    t: np.ndarray  # ns since the open
    size: np.ndarray
    aggressor: np.ndarray  # +1 buyer-initiated (at the ask), -1 at the bid, 0 at the mid
    kind: np.ndarray  # 0 continuous, 1 opening cross, 2 closing cross


def make_tape(market: Market, rng: np.random.Generator) -> Tape:
    """Continuous prints on the U-shaped volume profile plus opening and closing crosses.

    Sizes are log-normal with a mean that makes the day's expected volume the
    segment's ``volume``; rounding to lots is stochastic so it adds no bias.
    """
    inst, segs, tl = market.inst, market.segs, market.tl
    n_seg = segs.symbol.size
    seg_c, u = profiles.sample_times(
        segs.n_trades,
        profiles.VOLUME_CDF,
        rng,
        burst_start=segs.news_u,
        burst_weight=NEWS_VOLUME_SHARE,
        width=NEWS_WIDTH,
    )
    span = tl.session_ns - 2 * OPEN_PRINT_NS
    t_c = OPEN_PRINT_NS + (u * span).astype(np.int64)
    lot = inst.lot[segs.symbol]
    mean_size = segs.volume * (1 - OPEN_AUCTION_SHARE - CLOSE_AUCTION_SHARE)
    mean_size = mean_size / np.maximum(segs.n_trades, 1)
    s = TRADE_SIZE_DISPERSION
    raw = mean_size[seg_c] * np.exp(rng.normal(-s * s / 2, s, seg_c.size))
    size_c = np.floor(raw / lot[seg_c] + rng.random(seg_c.size)) * lot[seg_c]
    side = np.where(rng.random(seg_c.size) < 0.5, 1, -1)
    side[rng.random(seg_c.size) < MIDPOINT_PRINT_SHARE] = 0

    # Lay out each segment as [opening cross, continuous prints..., closing cross].
    per = segs.n_trades + 2
    starts = np.concatenate([[0], np.cumsum(per)[:-1]])
    total = int(per.sum())
    seg = np.repeat(np.arange(n_seg), per)
    t = np.empty(total, dtype=np.int64)
    size = np.empty(total)
    aggressor = np.zeros(total, dtype=np.int8)
    kind = np.zeros(total, dtype=np.int8)
    rank = np.arange(seg_c.size) - (np.cumsum(segs.n_trades) - segs.n_trades)[seg_c]
    pos = starts[seg_c] + 1 + rank
    t[pos], size[pos], aggressor[pos] = t_c, size_c, side
    first, last = starts, starts + per - 1
    t[first], t[last] = OPEN_PRINT_NS, tl.session_ns
    size[first] = np.maximum(np.round(segs.volume * OPEN_AUCTION_SHARE / lot), 1) * lot
    size[last] = np.maximum(np.round(segs.volume * CLOSE_AUCTION_SHARE / lot), 1) * lot
    kind[first], kind[last] = 1, 2
    keep = size > 0
    return Tape(seg[keep], t[keep], size[keep], aggressor[keep], kind[keep])


def quote_times(market: Market, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Background quote updates per segment: one at the open, the rest on the variance profile."""
    segs, tl = market.segs, market.tl
    seg_r, u = profiles.sample_times(
        segs.n_quotes - 1,
        profiles.VARIANCE_CDF,
        rng,
        burst_start=segs.news_u,
        burst_weight=NEWS_VARIANCE_SHARE,
        width=NEWS_WIDTH,
    )
    t_r = 1 + (u * (tl.session_ns - 2)).astype(np.int64)
    n_seg = segs.symbol.size
    seg = np.concatenate([np.arange(n_seg), seg_r])
    t = np.concatenate([np.zeros(n_seg, dtype=np.int64), t_r])
    order = np.argsort(seg, kind="stable")  # opening quote first in each segment
    return seg[order], t[order]


def fundamental(
    market: Market, rng: np.random.Generator, seg: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Efficient price at each background quote; also each segment's open and close.

    The increment up to a quote has the variance the (news-aware) intraday
    profile gives that interval, scaled by ``noise``; the overnight move links
    a day's close to the next open.
    """
    cfg, inst, segs, tl = market.cfg, market.inst, market.segs, market.tl
    u = t / tl.session_ns
    news_u = segs.news_u[seg]
    news = np.isfinite(news_u)
    cum = profiles.base_cdf(profiles.VARIANCE_CDF, u)
    burst = profiles.burst_cdf(u[news], news_u[news], NEWS_WIDTH)
    cum[news] = (1 - NEWS_VARIANCE_SHARE) * cum[news] + NEWS_VARIANCE_SHARE * burst
    first = np.ones(seg.size, dtype=bool)
    first[1:] = seg[1:] != seg[:-1]
    step = np.diff(cum, prepend=0.0)
    step[first] = 0.0
    sd = cfg.noise * segs.sigma[seg] * np.sqrt(np.clip(step, 0.0, None))
    incr = sd * rng.standard_normal(seg.size)
    running = np.cumsum(incr)
    base = running[first]  # value at each segment's opening quote (its increment is 0)
    n_in = np.diff(np.flatnonzero(np.append(first, True)))
    local = running - np.repeat(base, n_in)
    last = np.append(np.flatnonzero(first)[1:], seg.size) - 1
    day_return = local[last].reshape(cfg.n_instruments, tl.n_days)
    sigma = segs.sigma.reshape(cfg.n_instruments, tl.n_days)
    overnight = cfg.noise * OVERNIGHT_VOL * sigma * rng.standard_normal(sigma.shape)
    overnight[:, 0] = 0.0
    step_in = overnight.copy()
    step_in[:, 1:] += day_return[:, :-1]
    log_open = np.log(inst.price)[:, None] + np.cumsum(step_in, axis=1)
    open_px = np.exp(log_open.ravel())
    close_px = np.exp((log_open + day_return).ravel())
    return np.exp(log_open.ravel()[seg] + local), open_px, close_px


def book(
    market: Market, rng: np.random.Generator, seg: np.ndarray, t: np.ndarray, mid: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bid, ask and sizes on the tick grid around a mid; spread >= 1 tick, wider at the open."""
    inst, segs, tl = market.inst, market.segs, market.tl
    sym = segs.symbol[seg]
    u = t / tl.session_ns
    spread = np.exp(SPREAD_DISPERSION * rng.standard_normal(seg.size, dtype=np.float32))
    spread *= (inst.spread_ticks[sym] * segs.spread_mult[seg]) * np.interp(
        u, profiles.GRID, SPREAD_TABLE
    )
    depth = (inst.depth[sym] * segs.depth_mult[seg]) * np.interp(u, profiles.GRID, DEPTH_TABLE)
    news = np.flatnonzero(np.isfinite(segs.news_u)[seg])  # few rows: news days only
    surge = profiles.burst_shape(u[news], segs.news_u[seg[news]], NEWS_WIDTH)
    spread[news] *= 1.0 + NEWS_SPREAD_SURGE * surge
    depth[news] *= 1.0 - NEWS_DEPTH_DROP * surge
    n_ticks = np.maximum(np.rint(spread), 1.0)
    del spread
    per_unit = np.rint(1.0 / inst.tick)[sym]  # ticks per currency unit, integral
    bid_ticks = np.maximum(np.rint(mid * per_unit - n_ticks / 2), 1.0)
    bid, ask = bid_ticks / per_unit, (bid_ticks + n_ticks) / per_unit
    sizes = []
    for _ in range(2):
        noise = np.exp(DEPTH_DISPERSION * rng.standard_normal(seg.size, dtype=np.float32))
        draw = depth * noise
        sizes.append(np.maximum(np.rint(draw / ROUND_LOT), 1.0) * ROUND_LOT)
    return bid, ask, sizes[0], sizes[1]


def from_ticks(ticks: np.ndarray, tick: np.ndarray) -> np.ndarray:
    """Prices on the grid as the nearest doubles to their decimal values (k / 100, not k * 0.01)."""
    return ticks / np.rint(1.0 / tick)


def midpoint(bid: np.ndarray, ask: np.ndarray, tick: np.ndarray) -> np.ndarray:
    """The mid of a quote on the half-tick grid, as the nearest double to its decimal value."""
    return np.rint((bid + ask) / tick) / (2.0 * np.rint(1.0 / tick))


def round_to_tick(price: np.ndarray, tick: np.ndarray) -> np.ndarray:
    return from_ticks(np.rint(price / tick), tick)
