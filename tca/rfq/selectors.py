"""The dealer scorecard: how each dealer's quotes compared, with intervals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from reports.stats import MeanCI, weighted_mean_ci_arrays, wilson_ci
from tca.analytics.rfq import MARKOUT_HORIZONS_S

from .models import RfqQuote


def _mean_ci(values: list[float | None]) -> MeanCI:
    x = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    return weighted_mean_ci_arrays(np.ones_like(x), x)


@dataclass(frozen=True)
class DealerScore:
    dealer: str
    quotes: int
    wins: int
    hit_rate: MeanCI  # Wilson interval
    markup_bps: MeanCI  # against the mid, every quote
    markup_vs_lit_bps: MeanCI  # against the lit-market cost model
    markouts_bps: dict[int, MeanCI]  # won trades, by horizon (s)
    response_s_median: float | None
    response_s_p90: float | None
    flagged: int  # quotes beyond the model's distribution


def dealer_scorecard(
    *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> list[DealerScore]:
    """One row per dealer over the period (by quote time, UTC), most quotes first."""
    qs = RfqQuote.objects.all()
    if date_from:
        qs = qs.filter(quote_ns__gte=_ns(date_from))
    if date_to:
        qs = qs.filter(quote_ns__lt=_ns(date_to + dt.timedelta(days=1)))
    rows: dict[str, list[tuple]] = {}  # type: ignore[type-arg]
    for r in qs.values_list(
        "dealer", "status", "markup_bps", "markup_vs_lit_bps", "markouts", "quote_ns",
        "request_ns", "beyond_model",
    ):  # fmt: skip
        rows.setdefault(r[0], []).append(r)
    out = []
    for dealer, quotes in rows.items():
        won = [q for q in quotes if q[1] == RfqQuote.Status.FILLED]
        response = np.array([(q[5] - q[6]) / 1e9 for q in quotes])
        score = DealerScore(
            dealer=dealer,
            quotes=len(quotes),
            wins=len(won),
            hit_rate=wilson_ci(len(won), len(quotes)),
            markup_bps=_mean_ci([q[2] for q in quotes]),
            markup_vs_lit_bps=_mean_ci([q[3] for q in quotes]),
            markouts_bps={
                h: _mean_ci([q[4].get(str(h)) for q in won]) for h in MARKOUT_HORIZONS_S
            },
            response_s_median=float(np.median(response)),
            response_s_p90=float(np.quantile(response, 0.9)),
            flagged=sum(1 for q in quotes if q[7]),
        )
        out.append(score)
    return sorted(out, key=lambda d: (-d.quotes, d.dealer))


def _ns(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp()) * 1_000_000_000
