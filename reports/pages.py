"""Assemble each page's context and figures from the selectors (no ORM here, no HTTP).

Views stay thin: they parse the request, call one of these, and render.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from tca.costs.models import COST_NAMES

from . import figures as fig
from .selectors import (
    GROUP_LOOKUPS,
    HORIZONS,
    Scope,
    accuracy,
    attribution_versions,
    cost_days,
    currencies,
    group_costs,
    group_values,
    has_models,
    impact_data,
    markout_curves,
    measurable,
    model_versions,
    order_prediction,
    order_sums,
    prediction_sample,
    summarise,
    version_days,
    worst_orders,
)
from .selectors.compare import TEST_SAMPLE
from .selectors.orders import OrderDetail, iso_ns
from .stats import mann_whitney, weighted_mean_ci

Page = tuple[dict[str, Any], dict[str, Any]]
MAX_GROUPS = 12
COMPONENT_ROWS = (
    "is",
    "delay",
    "execution",
    "spread",
    "temporary_impact",
    "permanent_impact",
    "adverse_selection",
    "opportunity",
    "fees",
)


def component_rows(amounts: dict[str, float | None], bps: dict[str, float | None]) -> list:
    return [
        {
            "name": n,
            "label": fig.LABELS[n],
            "amount": amounts.get(n),
            "bps": bps.get(n),
            "colour": fig.COLOURS.get(n, fig.COLOURS["is"]),
            "sub": n in _EXECUTION_PARTS,
        }
        for n in COMPONENT_ROWS
    ]


_EXECUTION_PARTS = {"spread", "temporary_impact", "permanent_impact", "adverse_selection"}


def overview(scope: Scope) -> Page:
    days, source = cost_days(scope)
    summary = summarise(days, source)
    figures = {
        "waterfall": fig.waterfall(
            summary.bps,
            summary.bps["is"],
            title="Where the shortfall came from (notional-weighted)",
        ),
        "timeline": fig.cost_over_time(
            [
                fig.Period(
                    d.trade_date.isoformat(),
                    d.sums.get("is_amount", 0.0),
                    d.sums.get("is_notional", 0.0),
                    d.n_orders,
                )
                for d in days
            ]
        ),
    }
    fill_rate = (
        summary.executed_notional / summary.paper_notional if summary.paper_notional else None
    )
    context = {
        "summary": summary,
        "fill_rate": fill_rate,
        "components": component_rows(summary.amount, summary.bps),
        "worst": worst_orders(scope),
        "currencies": currencies(),
        "attribution": attribution_versions(scope),
    }
    return context, figures


# --- comparisons -------------------------------------------------------------------


def _curve(name: str, curve: dict, n: int, unit: str, colour: str) -> fig.Curve:  # type: ignore[type-arg]
    points = [curve.get(h) for h in HORIZONS]
    return fig.Curve(
        name=name,
        horizons=list(HORIZONS),
        mean=[p.mean if p else None for p in points],
        low=[p.low if p else None for p in points],
        high=[p.high if p else None for p in points],
        n=n,
        unit=unit,
        colour=colour,
    )


def compare(scope: Scope, *, by: str, a: str = "", b: str = "") -> Page:
    by = by if by in GROUP_LOOKUPS else "broker"
    # A desk or a filter needs the per-order results: read them once for both uses.
    sums = order_sums(scope, by) if not scope.unconstrained and by != "venue" else None
    every_group = group_costs(scope, by, sums)
    n_orders = sum(g.n_orders for g in every_group) if by != "venue" else measurable(scope)
    groups = every_group[:MAX_GROUPS]
    keys = [g.key for g in groups]
    stats = [fig.GroupCost(g.key, g.ci.mean, g.ci.low, g.ci.high, g.n_orders) for g in groups]
    figures: dict[str, Any] = {
        "group_costs": fig.group_costs(stats, dimension=by),
        "components": fig.components_by_group(
            keys,
            {n: [g.bps.get(n) for g in groups] for n in fig.WATERFALL_ORDER},
            dimension=by,
        ),
    }
    context: dict[str, Any] = {
        "by": by,
        "n_orders": n_orders,
        "group_stats": stats,
        "choices": keys,
    }

    markouts = markout_curves(scope, by, sums)
    ranked = sorted(markouts.counts, key=lambda k: (-markouts.counts[k], k))[:MAX_GROUPS]
    colour = {k: fig.group_colour(i) for i, k in enumerate(keys)}
    figures["markouts"] = fig.markout_curves(
        [
            _curve(
                k,
                markouts.curves.get(k, {}),
                markouts.counts[k],
                markouts.unit,
                colour.get(k) or fig.group_colour(i),
            )
            for i, k in enumerate(ranked)
        ],
        title=f"Markout curves by {by} (notional-weighted, 95 % CI)",
    )
    context["markout_source"] = markouts.source

    labels = {
        "participation": ("Participation (% of market volume)", "participation"),
        "size_adv": ("Order size (% of 20-day ADV)", "size"),
    }
    for feature, data in impact_data(scope, n=n_orders).items():
        x_title, short = labels[feature]
        figures[f"scatter_{short}"] = fig.impact_scatter(
            x=data.x.tolist(),
            y=data.y.tolist(),
            n_total=data.n,
            fit=data.fit,
            bins=data.bins,
            x_title=x_title,
            title=f"Cost vs {short} with a square-root impact fit",
        )
        context[f"fit_{short}"] = data.fit

    test = None
    if len(keys) >= 2:
        a = a if a in keys else keys[0]
        b = b if b in keys and b != a else next(k for k in keys if k != a)
        values = group_values(scope, by, [a, b], {g.key: g.n_orders for g in groups})
        empty = np.zeros(0)
        test = mann_whitney(a, values.get(a, empty), b, values.get(b, empty))
        context.update(a=a, b=b, test_sample=TEST_SAMPLE)
    context["test"] = test
    return context, figures


# --- one order ---------------------------------------------------------------------


def order(detail: OrderDetail) -> Page:
    order, cost = detail.order, detail.cost
    figures: dict[str, Any] = {}
    prediction = order_prediction(order)
    currency = order.instrument.currency or order.currency or ""
    markers = [fig.Marker("arrival", iso_ns(order.arrival_ns))]
    if order.decision_ns and order.decision_ns != order.arrival_ns:
        markers.insert(0, fig.Marker("decision", iso_ns(order.decision_ns)))
    markers += [
        fig.Marker("end", iso_ns(detail.end_ns)),
        fig.Marker("end + post horizon", iso_ns(detail.post_ns)),
    ]
    quotes = detail.quotes
    figures["price"] = fig.price_path(
        times=quotes.times if quotes else [],
        bid=quotes.bid if quotes else [],
        ask=quotes.ask if quotes else [],
        fills=[
            fig.FillPoint(iso_ns(f.time_ns), f.price, f.quantity, f.liquidity, f.venue)
            for f in detail.fills
        ],
        levels={
            "Arrival mid": cost.arrival_price if cost else None,
            "VWAP": cost.vwap_price if cost else None,
            "TWAP": cost.twap_price if cost else None,
        },
        markers=markers,
        currency=currency or "price units",
        title=f"{order.instrument.symbol}: quotes and fills around the order",
    )
    context: dict[str, Any] = {
        "order": order,
        "cost": cost,
        "detail": detail,
        "prediction": prediction,
        "currency": currency,
        "markers": markers,
    }
    if cost is None:
        return context, figures
    bps = {n: getattr(cost, f"{n}_bps") for n in COST_NAMES}
    amounts = {n: getattr(cost, f"{n}_amount") for n in COST_NAMES}
    context["components"] = component_rows(amounts, bps)
    context["benchmarks"] = [
        (label, getattr(cost, f"{n}_price"), getattr(cost, f"{n}_slippage_bps"))
        for n, label in (
            ("arrival", "Arrival mid"),
            ("vwap", "Interval VWAP"),
            ("twap", "Interval TWAP"),
            ("open", "Open"),
            ("close", "Close"),
            ("previous_close", "Previous close"),
            ("pwp", "Participation-weighted price"),
        )
    ]
    figures["waterfall"] = fig.waterfall(bps, cost.is_bps, title="This order's shortfall")
    horizons = fig.sort_horizons(list(cost.markouts or {}))
    curves = [
        fig.Curve(
            "All fills",
            horizons,
            [cost.markouts.get(h) for h in horizons],
            colour=fig.COLOURS["is"],
        )
    ]
    for label, colour in (("passive", fig.PASSIVE), ("aggressive", fig.AGGRESSIVE)):
        curve = detail.fill_markouts.get(label)
        if curve:
            curves.append(
                fig.Curve(
                    f"{label.title()} fills",
                    horizons,
                    [curve.get(h) for h in horizons],
                    colour=colour,
                )
            )
    figures["markouts"] = fig.markout_curves(curves, title="Markouts of this order's fills")
    if prediction:
        figures["prediction"] = fig.predicted_vs_realised_order(
            realised=cost.execution_bps,
            predicted=prediction.predicted,
            low=prediction.low,
            high=prediction.high,
            version=prediction.version,
        )
    return context, figures


# --- pre/post ----------------------------------------------------------------------


def _period_start(day: dt.date, unit: str) -> str:
    if unit == "week":
        return (day - dt.timedelta(days=day.weekday())).isoformat()
    return day.isoformat()


def _residual_series(days: list, unit: str) -> list[fig.ResidualSeries]:  # type: ignore[type-arg]
    """Per version and day (or week): mean residual with its CI, from the day sums."""
    sums: dict[str, dict[str, list[float]]] = {}
    for d in days:
        bucket = sums.setdefault(d.version, {}).setdefault(
            _period_start(d.trade_date, unit), [0, 0.0, 0.0]
        )
        bucket[0] += d.n
        bucket[1] += d.r
        bucket[2] += d.rr
    out = []
    for version, periods in sorted(sums.items()):
        labels = sorted(periods)
        cis = [
            weighted_mean_ci(n=int(n), sw=n, swx=s, sww=n, swwx=s, swwxx=ss)
            for n, s, ss in (periods[p] for p in labels)
        ]
        out.append(
            fig.ResidualSeries(
                version,
                labels,
                [c.mean for c in cis],
                [c.low for c in cis],
                [c.high for c in cis],
                [c.n for c in cis],
            )
        )
    return out


def prepost(scope: Scope, *, version: str = "") -> Page:
    days = version_days(scope, version=version)
    stats = accuracy(days)
    context: dict[str, Any] = {
        "has_model": has_models(),
        "versions": model_versions(),
        "stats": stats,
        "n_predictions": sum(a.n for a in stats),
    }
    figures: dict[str, Any] = {}
    if not stats:
        return context, figures
    span = max(d.trade_date for d in days) - min(d.trade_date for d in days)
    unit = "week" if span.days > 92 else "day"
    n_total = {a.version: a.n for a in stats}
    samples = prediction_sample(scope, n_total, version=version)
    figures["scatter"] = fig.predicted_vs_realised(
        [
            fig.VersionPoints(
                s.version,
                s.predicted.tolist(),
                s.realised.tolist(),
                n_total.get(s.version, len(s.predicted)),
            )
            for s in samples
        ]
    )
    figures["residuals"] = fig.residuals_over_time(_residual_series(days, unit), unit=unit)
    figures["histogram"] = fig.residual_histogram(
        {s.version: (s.realised - s.predicted).tolist() for s in samples}
    )
    return context, figures
