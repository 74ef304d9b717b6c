"""Price impact of our fills, as sums over past events evaluated at query times.

Model (Almgren, Thum, Hauptmann & Li 2005, without the turnover term), with
sigma the day's volatility, V its volume, X the executed quantity and T the
duration in trading days:

- permanent: each fill of q shares moves the mid by ``s·gamma·sigma·P·q/V`` for
  good, so an order ends ``gamma·sigma·X/V`` away from where it started;
- temporary: each fill adds ``s·kappa·q`` that decays with a half-life
  (a propagator with an exponential kernel). ``kappa`` is set per order so
  that the quantity-weighted temporary impact the order meets at its own fills
  is ``eta·sigma·|X/(V·T)|^beta`` (the model's temporary cost), whatever its
  slicing; it is capped so the book never shows more than ``PEAK_CAP`` times
  that level (orders with one fill, or fills far apart, then pay less than the
  formula, and the truth records what they did pay).

Every sum is "strictly before t", matching the SPEC's as-of mid, and all of
them are vectorised over millions of events and queries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from .execution import Flow
from .market import Market
from .timeline import KEY_SHIFT, NS, asof_before, make_key

PEAK_CAP = 4.0
INFORMED_TAIL_NS = 10 * 60 * NS  # informed drift completes 10 min after the planned end
WINDOW_TAUS = 10.0  # windows of 10 decay times keep exp() of window-local times small


def _group_key(group: np.ndarray, t: np.ndarray) -> np.ndarray:
    return (group.astype(np.int64) << KEY_SHIFT) + t


def _count_before(ev_key: np.ndarray, q_key: np.ndarray) -> np.ndarray:
    """Number of (sorted) event keys strictly below each query key.

    With sorted queries (the usual case: quotes, fills) this places the few
    events among the many queries instead of the other way round.
    """
    if q_key.size > 4 * ev_key.size and q_key.size and np.all(q_key[1:] >= q_key[:-1]):
        first_after = np.searchsorted(q_key, ev_key, side="right")
        return np.cumsum(np.bincount(first_after, minlength=q_key.size + 1))[: q_key.size]
    return np.searchsorted(ev_key, q_key, side="left")


def _first_of(sorted_ids: np.ndarray, q_ids: np.ndarray) -> np.ndarray:
    """Index of the first element >= each query id, via a table over the id range."""
    top = int(max(sorted_ids.max(initial=-1), q_ids.max(initial=-1))) + 2
    return np.searchsorted(sorted_ids, np.arange(top), side="left")[q_ids]


def step_sum(
    ev_group: np.ndarray,
    ev_t: np.ndarray,
    amount: np.ndarray,
    q_group: np.ndarray,
    q_t: np.ndarray,
) -> np.ndarray:
    """Sum of ``amount`` over events of the query's group strictly before the query time.

    Events must be sorted by (group, time).
    """
    running = np.concatenate([[0.0], np.cumsum(amount)])
    upto = _count_before(_group_key(ev_group, ev_t), _group_key(q_group, q_t))
    return running[upto] - running[_first_of(ev_group, q_group)]


def decay_sum(
    ev_group: np.ndarray,
    ev_t: np.ndarray,
    amount: np.ndarray,
    q_group: np.ndarray,
    q_t: np.ndarray,
    *,
    half_life_s: float,
    horizon_ns: int,
) -> np.ndarray:
    """``sum amount·exp(-(t_q - t_e)/tau)`` over events of the group strictly before ``t_q``.

    Events must be sorted by (group, time); times are ns in [0, horizon_ns].
    Time is cut into windows of ``WINDOW_TAUS`` decay times: inside a window
    the sum is a cumulative sum of ``amount·exp((t_e - window start)/tau)``,
    and what earlier windows leave is carried by a first-order recursion
    (``lfilter``). Groups are spaced by empty windows so nothing leaks between
    them.
    """
    tau = half_life_s / np.log(2.0)
    window_ns = max(int(WINDOW_TAUS * tau * NS), 1)
    stride = horizon_ns // window_ns + 6
    n_groups = int(max(ev_group.max(initial=-1), q_group.max(initial=-1))) + 1
    ev_w = ev_group.astype(np.int64) * stride + ev_t // window_ns
    q_w = q_group.astype(np.int64) * stride + q_t // window_ns
    ev_x = (ev_t - (ev_t // window_ns) * window_ns) / NS / tau
    q_x = (q_t - (q_t // window_ns) * window_ns) / NS / tau
    scaled = amount * np.exp(ev_x)
    totals = np.bincount(ev_w, scaled, minlength=n_groups * stride)
    ratio = np.exp(-window_ns / NS / tau)
    carried = lfilter([1.0], [1.0, -ratio], totals)  # carried[w] = totals[w] + ratio·carried[w-1]
    entering = np.concatenate([[0.0], ratio * carried[:-1]])  # at each window's start
    running = np.concatenate([[0.0], np.cumsum(scaled)])
    upto = _count_before(_group_key(ev_group, ev_t), _group_key(q_group, q_t))
    inside = running[upto] - running[_first_of(ev_w, q_w)]
    return np.exp(-q_x) * (entering[q_w] + inside)


def ramp_sum(
    group: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    q_group: np.ndarray,
    q_t: np.ndarray,
    *,
    amount: np.ndarray,
) -> np.ndarray:
    """``sum amount·clip((t - start)/(stop - start), 0, 1)`` over the query's group.

    A ramp is the difference of two hinges ``max(t - a, 0)``; each hinge sum is
    a step sum of slopes and slope-weighted starts.
    """
    slope = amount / np.maximum(stop - start, 1)
    out = np.zeros(q_t.size)
    q_key = _group_key(q_group, q_t)
    for at, sign in ((start, 1.0), (stop, -1.0)):
        order = np.lexsort((at, group))
        g, a, s = group[order], at[order], slope[order]
        upto = _count_before(_group_key(g, a), q_key)
        begin = _first_of(g, q_group)
        for weights, factor in ((s, q_t), (s * a, -1.0)):
            running = np.concatenate([[0.0], np.cumsum(weights)])
            out += sign * factor * (running[upto] - running[begin])
    return out


def temporary_scale(
    level: np.ndarray,
    executed: np.ndarray,
    exposure: np.ndarray,
    peak: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-order kernel scale ``kappa`` and whether the peak cap bound it.

    ``level`` is the model's temporary impact in price units, ``exposure`` the
    quantity-weighted decayed own volume at the order's fills, ``peak`` the
    largest decayed own volume right after one of its fills.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.where(exposure > 0, level * executed / exposure, 0.0)
        cap = np.where(peak > 0, PEAK_CAP * level / peak, 0.0)
    capped = exact > cap
    return np.where(capped, cap, exact), capped


@dataclass(frozen=True)
class OrderImpact:
    """Per-order impact inputs and what each fill met in the book from its own order."""

    ref_price: np.ndarray  # efficient price at arrival
    level: np.ndarray  # model temporary impact, price units
    perm_per_share: np.ndarray  # gamma·sigma·P/V
    kappa: np.ndarray
    capped: np.ndarray
    xi_perm: np.ndarray
    xi_temp: np.ndarray
    drift: np.ndarray  # informed drift size, price units (0 when not informed)
    drift_start: np.ndarray
    drift_stop: np.ndarray
    duration_days: np.ndarray
    fill_quote: np.ndarray  # index of the quote each fill traded against
    own_exposure: np.ndarray  # per fill: decayed own volume before its quote
    own_volume: np.ndarray  # per fill: own volume before its quote


def _noise_factor(rng: np.random.Generator, sd: float, n: int) -> np.ndarray:
    return np.exp(rng.normal(-sd * sd / 2, sd, n)) if sd > 0 else np.ones(n)


def order_impact(
    market: Market,
    flow: Flow,
    rng: np.random.Generator,
    *,
    quote_key: np.ndarray,
    quote_t: np.ndarray,
    ref_price: np.ndarray,
) -> OrderImpact:
    """Impact parameters per order, and each fill's exposure to its own order's impact."""
    cfg, segs, tl = market.cfg, market.segs, market.tl
    orders, fills, outcome = flow.orders, flow.fills, flow.outcome
    sigma, volume = segs.sigma[orders.seg], segs.volume[orders.seg]
    executed = outcome.executed
    done = outcome.n_fills > 0
    duration = np.where(done, (outcome.last_fill - orders.arrival) / tl.session_ns, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(done, executed / (volume * duration), 0.0)
    level = cfg.eta * sigma * ref_price * np.abs(rate) ** cfg.beta
    perm = cfg.gamma * sigma * ref_price / volume
    sd = cfg.impact_noise * cfg.noise
    xi_perm = _noise_factor(rng, sd, orders.size)
    xi_temp = _noise_factor(rng, sd, orders.size)

    fill_seg = orders.seg[fills.order]
    fill_quote = asof_before(quote_key, make_key(fill_seg, fills.t))
    at = quote_t[fill_quote]
    o, q = fills.order, fills.quantity
    decay = {"half_life_s": cfg.half_life_s, "horizon_ns": tl.session_ns}
    exposure = decay_sum(o, fills.t, q, o, at, **decay)
    own_volume = step_sum(o, fills.t, q, o, at)
    after = decay_sum(o, fills.t, q, o, fills.t, **decay) + q
    peak = np.zeros(orders.size)
    np.maximum.at(peak, o, after)
    kappa, capped = temporary_scale(
        level, executed, np.bincount(o, q * exposure, minlength=orders.size), peak
    )
    drift = np.where(orders.informed, orders.alpha * sigma * ref_price, 0.0)
    stop = np.minimum(orders.plan_end + INFORMED_TAIL_NS, tl.session_ns)
    return OrderImpact(
        ref_price,
        level,
        perm,
        kappa,
        capped,
        xi_perm,
        xi_temp,
        drift,
        orders.arrival,
        stop,
        duration,
        fill_quote,
        exposure,
        own_volume,
    )


def _carry(per_segment: np.ndarray, n_days: int) -> np.ndarray:
    """What earlier days of the same instrument left behind (permanent moves persist)."""
    grid = per_segment.reshape(-1, n_days)
    return (np.cumsum(grid, axis=1) - grid).ravel()


def book_impact(
    market: Market, flow: Flow, imp: OrderImpact, seg: np.ndarray, t: np.ndarray
) -> np.ndarray:
    """Our permanent, temporary and informed moves at each quote; overlapping orders add."""
    cfg, segs, tl = market.cfg, market.segs, market.tl
    orders, fills = flow.orders, flow.fills
    n_seg = segs.symbol.size
    side = orders.side.astype(float)[fills.order]
    o = fills.order
    perm = side * imp.perm_per_share[o] * imp.xi_perm[o] * fills.quantity
    temp = side * imp.kappa[o] * imp.xi_temp[o] * fills.quantity
    fill_seg = orders.seg[o]
    by = np.lexsort((fills.t, fill_seg))
    fs, ft = fill_seg[by], fills.t[by]
    total = step_sum(fs, ft, perm[by], seg, t)
    total += _carry(np.bincount(fill_seg, perm, minlength=n_seg), tl.n_days)[seg]
    total += decay_sum(
        fs, ft, temp[by], seg, t, half_life_s=cfg.half_life_s, horizon_ns=tl.session_ns
    )
    informed = np.flatnonzero(orders.informed)
    amount = orders.side[informed] * imp.drift[informed]
    total += ramp_sum(
        orders.seg[informed],
        imp.drift_start[informed],
        imp.drift_stop[informed],
        seg,
        t,
        amount=amount,
    )
    total += _carry(np.bincount(orders.seg[informed], amount, minlength=n_seg), tl.n_days)[seg]
    return total
