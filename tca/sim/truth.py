"""True cost components of every order, in currency (positive = cost).

They are computed from the same quantities that built the book, so they are
what the data shows: with ``noise=0`` the execution cost measured from the
files equals ``expected`` up to tick rounding of the quoted mid.
"""

from __future__ import annotations

import numpy as np

from .execution import Flow
from .impact import OrderImpact
from .market import Market
from .pricing import Book
from .timeline import NS, asof_before, make_key

POST_HORIZON_NS = 30 * 60 * NS  # the SPEC's default post-trade horizon H


def order_truth(
    market: Market, flow: Flow, imp: OrderImpact, quotes: Book, *, fill_price: np.ndarray
) -> dict[str, np.ndarray]:
    """True cost components per order, in currency (positive = cost)."""
    cfg, segs, tl = market.cfg, market.segs, market.tl
    orders, fills, outcome = flow.orders, flow.fills, flow.outcome
    n = orders.size
    o, q = fills.order, fills.quantity
    side = orders.side.astype(float)
    mids = quotes.mid
    spread = np.bincount(o, side[o] * q * (fill_price - mids[imp.fill_quote]), minlength=n)
    temporary = np.bincount(o, q * imp.kappa[o] * imp.xi_temp[o] * imp.own_exposure, minlength=n)
    paid = np.bincount(o, q * imp.perm_per_share[o] * imp.xi_perm[o] * imp.own_volume, minlength=n)
    executed = outcome.executed
    permanent = imp.perm_per_share * imp.xi_perm * executed * executed
    span = np.maximum(imp.drift_stop - imp.drift_start, 1)
    at = quotes.t[imp.fill_quote]
    progress = np.clip((at - imp.drift_start[o]) / span[o], 0.0, 1.0)
    informed_paid = np.bincount(o, q * imp.drift[o] * progress, minlength=n)
    end = np.where(outcome.end >= 0, outcome.end, outcome.last_fill)
    post = np.minimum(end + POST_HORIZON_NS, tl.session_ns)
    post_quote = asof_before(quotes.key, make_key(orders.seg, post))
    post_progress = np.clip((quotes.t[post_quote] - imp.drift_start) / span, 0.0, 1.0)
    informed = executed * imp.drift * post_progress
    decided = np.where(orders.decision >= 0, orders.decision, orders.arrival)
    decision_mid = mids[asof_before(quotes.key, make_key(orders.seg, decided))]
    arrival_mid = mids[asof_before(quotes.key, make_key(orders.seg, orders.arrival))]
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = (
            spread
            + np.where(imp.xi_temp > 0, temporary / imp.xi_temp, 0.0)
            + np.where(imp.xi_perm > 0, paid / imp.xi_perm, 0.0)
            + informed_paid
        )
        volume, sigma = segs.volume[orders.seg], segs.sigma[orders.seg]
        participation_rate = executed / (volume * imp.duration_days)
        temp_model = cfg.eta * sigma * participation_rate**cfg.beta * 1e4
        perm_model = cfg.gamma * sigma * executed / volume * 1e4
    return {
        "decision_mid": decision_mid,
        "arrival_mid": arrival_mid,
        "fundamental_arrival": imp.ref_price,
        "duration_days": imp.duration_days,
        "perm_model_bps": np.where(executed > 0, perm_model, np.nan),
        "temp_model_bps": np.where(executed > 0, temp_model, np.nan),
        "perm_noise": imp.xi_perm,
        "temp_noise": imp.xi_temp,
        "temp_capped": imp.capped,
        "spread": spread,
        "temporary": temporary,
        "permanent": permanent,
        "permanent_paid": paid,
        "informed": informed,
        "informed_paid": informed_paid,
        "fees": np.bincount(o, fills.fee, minlength=n),
        "expected": expected,
    }
