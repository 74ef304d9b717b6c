"""Plotly figure specs (plain dicts) for the dashboards. No Django imports: unit-testable.

Every figure follows the same rules: units in every axis title, thousands
separators, values written on bars (readable without hovering), and the
component colours of ``static/css/footprint.css`` so a component looks the same
on every page. A builder returns ``None`` when there is nothing to draw; the
page then shows an empty state instead of a blank chart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .stats import Bin, SqrtFit

Figure = dict[str, Any]

# Same hex values as the --c-* variables in static/css/footprint.css.
COLOURS: dict[str, str] = {
    "delay": "#7f56d9",
    "spread": "#2e90fa",
    "temporary_impact": "#f79009",
    "permanent_impact": "#d92d20",
    "adverse_selection": "#6941c6",
    "opportunity": "#667085",
    "fees": "#12b76a",
    "is": "#0f2747",
    "unattributed": "#98a2b3",
}
LABELS: dict[str, str] = {
    "is": "Total IS",
    "delay": "Delay",
    "execution": "Execution",
    "spread": "Spread",
    "temporary_impact": "Temporary impact",
    "permanent_impact": "Permanent impact",
    "adverse_selection": "Adverse selection",
    "opportunity": "Opportunity",
    "fees": "Fees",
    "unattributed": "Unattributed",
}
# The exact decomposition of SPEC §2, in the order costs accrue.
WATERFALL_ORDER: tuple[str, ...] = (
    "delay",
    "spread",
    "temporary_impact",
    "permanent_impact",
    "adverse_selection",
    "opportunity",
    "fees",
)
# Colours for groups (brokers, algos, venues, model versions): distinct from the components.
GROUP_COLOURS: tuple[str, ...] = (
    "#1f5fa8",
    "#c11574",
    "#0e9384",
    "#b54708",
    "#4e5ba6",
    "#3b7c0f",
    "#9e165f",
    "#026aa2",
    "#854a0e",
    "#5925dc",
)
INK, MUTED, GRID, LINE = "#1b1f24", "#5b6470", "#eef0f3", "#d9dee4"
PASSIVE, AGGRESSIVE, OTHER = "#067647", "#b42318", "#667085"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
UNATTRIBUTED_TOLERANCE_BPS = 0.05


def esc(text: object) -> str:
    """Data-supplied text (a broker, venue or version name) for plotly, which reads a
    small HTML subset in labels: escaped, a name cannot become a tag or a link."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def group_colour(i: int) -> str:
    return GROUP_COLOURS[i % len(GROUP_COLOURS)]


def finite(value: float | None) -> float | None:
    """JSON has no NaN: missing or non-finite numbers become null."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def fmt_signed(value: float, digits: int = 1) -> str:
    return f"{value:+,.{digits}f}"


def base_layout(
    *, title: str, x_title: str, y_title: str, height: int = 340, **extra: Any
) -> Figure:
    """Common styling. The title goes in ``meta.title``: the page prints it as a heading
    above the chart (accessible, and it never collides with the legend)."""
    axis = {"gridcolor": GRID, "zerolinecolor": LINE, "linecolor": LINE, "automargin": True}
    layout: Figure = {
        "meta": {"title": title},
        "font": {"family": FONT, "size": 12, "color": INK},
        "separators": ".,",
        "height": height,
        "margin": {"l": 64, "r": 24, "t": 16, "b": 56},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "xaxis": {**axis, "title": {"text": x_title}},
        "yaxis": {**axis, "title": {"text": y_title}, "tickformat": ",.1f"},
        "legend": {
            "orientation": "h",
            "y": 1.02,
            "yanchor": "bottom",
            "x": 0,
            "xanchor": "left",
            "traceorder": "normal",
        },
        "hoverlabel": {"font": {"family": FONT}},
    }
    layout.update(extra)
    return layout


# --- cost decomposition ------------------------------------------------------------


def waterfall(
    components: Mapping[str, float | None], total: float | None, *, title: str, unit: str = "bps"
) -> Figure | None:
    """Floating bars from 0 to the total IS, one colour per component.

    Plotly's own waterfall trace has only increasing/decreasing colours, so the
    bars are drawn as one bar trace with explicit bases. When the components do
    not add up to the total (a component was not measurable for some orders) the
    gap is shown as an "Unattributed" bar rather than hidden.
    """
    steps = [(n, v) for n in WATERFALL_ORDER if (v := finite(components.get(n))) is not None]
    total = finite(total)
    if total is None and not steps:
        return None
    names, y, base = [], [], []
    running = 0.0
    for name, value in steps:
        names.append(name)
        base.append(running)
        y.append(value)
        running += value
    if total is not None:
        gap = total - running
        if abs(gap) > UNATTRIBUTED_TOLERANCE_BPS:
            names.append("unattributed")
            base.append(running)
            y.append(gap)
        names.append("is")
        base.append(0.0)
        y.append(total)
    trace = {
        "type": "bar",
        "name": "Cost components",
        "x": [LABELS[n].replace(" ", "<br>", 1) for n in names],
        "y": y,
        "base": base,
        "marker": {"color": [COLOURS[n] for n in names]},
        "text": [fmt_signed(v) for v in y],
        "textposition": "outside",
        "cliponaxis": False,
        "customdata": [LABELS[n] for n in names],
        "hovertemplate": f"%{{customdata}}: %{{y:+,.2f}} {unit}<extra></extra>",
        "showlegend": False,
    }
    layout = base_layout(title=title, x_title="Cost component", y_title=f"Cost ({unit})")
    layout["xaxis"]["type"] = "category"
    layout["yaxis"]["zeroline"] = True
    return {"data": [trace], "layout": layout}


@dataclass(frozen=True)
class Period:
    start: str  # ISO date of the period's first day
    amount: float
    notional: float
    n_orders: int


def _bucket(days: Sequence[Period], max_bars: int) -> tuple[list[Period], str]:
    """Daily periods, or weekly/monthly sums when there are too many days to read."""
    if len(days) <= max_bars:
        return list(days), "day"
    for unit, key in (("week", _week_start), ("month", lambda d: d[:7] + "-01")):
        merged: dict[str, Period] = {}
        for p in days:
            k = key(p.start)
            old = merged.get(k)
            merged[k] = (
                Period(k, p.amount, p.notional, p.n_orders)
                if old is None
                else Period(
                    k, old.amount + p.amount, old.notional + p.notional, old.n_orders + p.n_orders
                )
            )
        out = [merged[k] for k in sorted(merged)]
        if len(out) <= max_bars or unit == "month":
            return out, unit
    raise AssertionError("unreachable")


def _week_start(iso: str) -> str:
    import datetime as dt

    day = dt.date.fromisoformat(iso)
    return (day - dt.timedelta(days=day.weekday())).isoformat()


def cost_over_time(days: Sequence[Period], *, max_bars: int = 90) -> Figure | None:
    """Notional-weighted IS per day (or week/month on long ranges) with the period average."""
    periods = [p for p in days if p.notional > 0]
    if not periods:
        return None
    periods, unit = _bucket(periods, max_bars)
    y = [p.amount / p.notional * 1e4 for p in periods]
    x = [p.start for p in periods]
    average = sum(p.amount for p in periods) / sum(p.notional for p in periods) * 1e4
    show_text = len(periods) <= 31
    bars = {
        "type": "bar",
        "name": f"IS per {unit}",
        "x": x,
        "y": y,
        "marker": {"color": COLOURS["is"]},
        "text": [f"{v:,.1f}" for v in y] if show_text else None,
        "textposition": "outside" if show_text else "none",
        "cliponaxis": False,
        "customdata": [p.n_orders for p in periods],
        "hovertemplate": f"{unit.title()} of %{{x}}: %{{y:,.2f}} bps over "
        "%{customdata:,} orders<extra></extra>",
    }
    mean_line = {
        "type": "scatter",
        "mode": "lines",
        "name": f"Period average {average:,.1f} bps",
        "x": [x[0], x[-1]],
        "y": [average, average],
        "line": {"color": COLOURS["temporary_impact"], "dash": "dash", "width": 2},
        "hoverinfo": "skip",
    }
    layout = base_layout(
        title=f"Implementation shortfall per {unit} (notional-weighted)",
        x_title=f"Trade date ({unit} starting, UTC)",
        y_title="IS (bps)",
    )
    layout["xaxis"]["type"] = "date"
    if unit == "day":
        layout["xaxis"].update(weekday_breaks(x))
    return {"data": [bars, mean_line], "layout": layout}


def weekday_breaks(days: Sequence[str]) -> dict[str, Any]:
    """Hide weekends on a daily axis when no period falls on one (no empty gaps)."""
    import datetime as dt

    if any(dt.date.fromisoformat(d[:10]).weekday() >= 5 for d in days):
        return {}
    return {"rangebreaks": [{"bounds": ["sat", "mon"]}]}


# --- markouts ----------------------------------------------------------------------

_HORIZON = re.compile(r"^(m?)(\d+)(s|ms|ns)$")
_SCALE = {"s": 1.0, "ms": 1e-3, "ns": 1e-9}


def horizon_seconds(label: str) -> float:
    """'m60s' -> -60.0, '300s' -> 300.0, '500ms' -> 0.5 (labels of tca.analytics.config)."""
    match = _HORIZON.match(label)
    if not match:
        raise ValueError(f"not a markout horizon label: {label!r}")
    sign, number, unit = match.groups()
    return (-1 if sign else 1) * int(number) * _SCALE[unit]


def horizon_display(label: str) -> str:
    seconds = horizon_seconds(label)
    if seconds == 0:
        return "0"
    sign = "−" if seconds < 0 else "+"
    size = abs(seconds)
    if size >= 60 and size % 60 == 0:
        return f"{sign}{size / 60:g} min"
    return f"{sign}{size:g} s"


def sort_horizons(labels: Sequence[str]) -> list[str]:
    return sorted((h for h in labels if _HORIZON.match(h)), key=horizon_seconds)


@dataclass(frozen=True)
class Curve:
    name: str
    horizons: list[str]
    mean: list[float | None]
    low: list[float | None] = field(default_factory=list)
    high: list[float | None] = field(default_factory=list)
    n: int = 0
    unit: str = "orders"
    colour: str = ""


def markout_curves(curves: Sequence[Curve], *, title: str) -> Figure | None:
    """Markout (bps) against horizon, one line per group with its 95 % CI as error bars."""
    curves = [c for c in curves if any(finite(v) is not None for v in c.mean)]
    if not curves:
        return None
    traces = []
    for i, c in enumerate(curves):
        mean = [finite(v) for v in c.mean]
        trace: Figure = {
            "type": "scatter",
            "mode": "lines+markers",
            "name": f"{esc(c.name)} (n = {c.n:,} {c.unit})" if c.n else esc(c.name),
            "x": [horizon_display(h) for h in c.horizons],
            "y": mean,
            "line": {"color": c.colour or group_colour(i), "width": 2},
            "marker": {"size": 6},
            "hovertemplate": "%{x}: %{y:,.2f} bps<extra>" + esc(c.name) + "</extra>",
        }
        if c.low and c.high:
            trace["error_y"] = {
                "type": "data",
                "symmetric": False,
                "array": [_gap(h, m) for h, m in zip(c.high, mean, strict=True)],
                "arrayminus": [_gap(m, lo) for lo, m in zip(c.low, mean, strict=True)],
                "thickness": 1,
                "width": 3,
            }
        traces.append(trace)
    layout = base_layout(
        title=title,
        x_title="Horizon from the fill (time, log-spaced)",
        y_title="Markout (bps, positive = cost)",
    )
    layout["xaxis"]["type"] = "category"
    layout["yaxis"]["zeroline"] = True
    return {"data": traces, "layout": layout}


def _gap(a: float | None, b: float | None) -> float | None:
    a, b = finite(a), finite(b)
    return None if a is None or b is None else max(a - b, 0.0)


# --- comparisons -------------------------------------------------------------------


@dataclass(frozen=True)
class GroupCost:
    key: str
    mean: float | None
    low: float | None
    high: float | None
    n: int


def group_costs(groups: Sequence[GroupCost], *, dimension: str) -> Figure | None:
    """Notional-weighted IS per group with its 95 % CI and order count written on the bar."""
    groups = [g for g in groups if finite(g.mean) is not None]
    if not groups:
        return None
    means = [float(g.mean or 0.0) for g in groups]
    trace = {
        "type": "bar",
        "name": "IS",
        "x": [esc(g.key) for g in groups],
        "y": means,
        "marker": {"color": [group_colour(i) for i in range(len(groups))]},
        "error_y": {
            "type": "data",
            "symmetric": False,
            "array": [_gap(g.high, g.mean) for g in groups],
            "arrayminus": [_gap(g.mean, g.low) for g in groups],
            "color": INK,
            "thickness": 1.2,
        },
        "text": [f"{m:,.1f} bps · n = {g.n:,}" for m, g in zip(means, groups, strict=True)],
        "textposition": "inside",
        "insidetextanchor": "start",
        "textfont": {"color": "#ffffff"},
        "hovertemplate": "%{x}: %{y:,.2f} bps<extra></extra>",
        "showlegend": False,
    }
    layout = base_layout(
        title=f"Implementation shortfall by {dimension} (notional-weighted, 95 % CI)",
        x_title=dimension.title(),
        y_title="IS (bps)",
    )
    layout["xaxis"]["type"] = "category"
    layout["uniformtext"] = {"minsize": 9, "mode": "hide"}
    return {"data": [trace], "layout": layout}


def components_by_group(
    keys: Sequence[str], bps: Mapping[str, Sequence[float | None]], *, dimension: str
) -> Figure | None:
    """Stacked components per group (relative bars: costs up, gains down)."""
    if not keys:
        return None
    traces = []
    for name in WATERFALL_ORDER:
        values = [finite(v) for v in bps.get(name, [])]
        if not any(v is not None for v in values):
            continue
        traces.append(
            {
                "type": "bar",
                "name": LABELS[name],
                "x": [esc(k) for k in keys],
                "y": values,
                "marker": {"color": COLOURS[name]},
                "text": [None if v is None else f"{v:,.1f}" for v in values],
                "textposition": "inside",
                "hovertemplate": "%{x}: %{y:+,.2f} bps<extra>" + LABELS[name] + "</extra>",
            }
        )
    if not traces:
        return None
    layout = base_layout(
        title=f"Cost components by {dimension} (notional-weighted)",
        x_title=dimension.title(),
        y_title="Cost (bps)",
        barmode="relative",
    )
    layout["xaxis"]["type"] = "category"
    layout["uniformtext"] = {"minsize": 9, "mode": "hide"}
    return {"data": traces, "layout": layout}


def impact_scatter(
    *,
    x: Sequence[float],
    y: Sequence[float],
    n_total: int,
    fit: SqrtFit | None,
    bins: Sequence[Bin],
    x_title: str,
    title: str,
) -> Figure | None:
    """Orders (a sample), binned means with CI, and the least-squares √ impact curve.

    ``x`` is a fraction (participation, size / ADV); the axis shows percent.
    """
    if not x:
        return None
    traces: list[Figure] = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": f"Orders ({len(x):,} shown of {n_total:,})",
            "x": [v * 100 for v in x],
            "y": list(y),
            "marker": {"color": "#98a2b3", "size": 4, "opacity": 0.45},
            "hovertemplate": "%{x:,.2f} %: %{y:,.1f} bps<extra></extra>",
        }
    ]
    if bins:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Mean per decile (95 % CI)",
                "x": [b.x * 100 for b in bins],
                "y": [b.mean for b in bins],
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": [_gap(b.high, b.mean) for b in bins],
                    "arrayminus": [_gap(b.mean, b.low) for b in bins],
                },
                "marker": {"color": COLOURS["is"], "size": 8, "symbol": "diamond"},
                "hovertemplate": "%{x:,.2f} %: mean %{y:,.1f} bps<extra></extra>",
            }
        )
    if fit is not None:
        top = max(x)
        grid = [top * (i / 60) ** 2 for i in range(61)]
        r2 = "" if fit.r2 is None else f", R² = {fit.r2:.2f}"
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"Fit: {fit.a:,.1f} + {fit.b:,.1f}·√x bps{r2}",
                "x": [g * 100 for g in grid],
                "y": fit.predict(grid),
                "line": {"color": COLOURS["temporary_impact"], "width": 3},
                "hoverinfo": "skip",
            }
        )
    layout = base_layout(title=title, x_title=x_title, y_title="IS (bps)")
    layout["xaxis"]["ticksuffix"] = " %"
    return {"data": traces, "layout": layout}


# --- one order ---------------------------------------------------------------------


@dataclass(frozen=True)
class FillPoint:
    time: str
    price: float
    quantity: float
    liquidity: str  # ADD, REMOVE, AUCTION, OTHER or ""
    venue: str = ""


@dataclass(frozen=True)
class Marker:
    label: str
    time: str


def price_path(
    *,
    times: Sequence[str],
    bid: Sequence[float | None],
    ask: Sequence[float | None],
    fills: Sequence[FillPoint],
    levels: Mapping[str, float | None],
    markers: Sequence[Marker],
    currency: str,
    title: str,
) -> Figure | None:
    """Bid/ask band, mid, each fill sized by quantity and coloured passive/aggressive,
    horizontal benchmark levels (arrival, VWAP, TWAP) and vertical event markers."""
    if not times and not fills:
        return None
    mid = [None if b is None or a is None else (b + a) / 2 for b, a in zip(bid, ask, strict=True)]
    traces: list[Figure] = []
    if times:
        quote_line = {"shape": "hv", "width": 0.6, "color": "#84adea"}
        traces += [
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Bid",
                "x": list(times),
                "y": list(bid),
                "line": quote_line,
                "hovertemplate": "bid %{y:,.4f}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Ask",
                "x": list(times),
                "y": list(ask),
                "line": quote_line,
                "fill": "tonexty",
                "fillcolor": "rgba(46,144,250,0.12)",
                "hovertemplate": "ask %{y:,.4f}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "Mid",
                "x": list(times),
                "y": mid,
                "line": {"shape": "hv", "width": 1.4, "color": "#1f5fa8"},
                "hovertemplate": "mid %{y:,.4f}<extra></extra>",
            },
        ]
    largest = max((f.quantity for f in fills), default=1.0) or 1.0
    groups = (
        ("Passive fills (ADD)", {"ADD"}, PASSIVE, "circle"),
        ("Aggressive fills (REMOVE)", {"REMOVE"}, AGGRESSIVE, "diamond"),
        ("Other fills (auction, unknown)", {"AUCTION", "OTHER", ""}, OTHER, "square"),
    )
    for name, kinds, colour, symbol in groups:
        chosen = [f for f in fills if f.liquidity in kinds]
        if not chosen:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [f.time for f in chosen],
                "y": [f.price for f in chosen],
                "marker": {
                    "color": colour,
                    "symbol": symbol,
                    "size": [5 + 15 * math.sqrt(f.quantity / largest) for f in chosen],
                    "line": {"color": "#ffffff", "width": 0.5},
                    "opacity": 0.85,
                },
                "customdata": [[f.quantity, esc(f.venue or "–")] for f in chosen],
                "hovertemplate": "%{customdata[0]:,} @ %{y:,.4f} on %{customdata[1]}"
                "<extra>" + name + "</extra>",
            }
        )
    span = list(times) + [f.time for f in fills] + [m.time for m in markers]
    x0, x1 = min(span), max(span)
    styles = {
        "Arrival mid": ("#0f2747", "dash"),
        "VWAP": ("#c11574", "dot"),
        "TWAP": ("#0e9384", "dashdot"),
    }
    for label, price in levels.items():
        value = finite(price)
        if value is None:
            continue
        colour, dash = styles.get(label, (MUTED, "dash"))
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{label} {value:,.4f}",
                "x": [x0, x1],
                "y": [value, value],
                "line": {"color": colour, "dash": dash, "width": 1.6},
                "hoverinfo": "skip",
            }
        )
    layout = base_layout(
        title=title, x_title="Time (UTC)", y_title=f"Price ({currency})", height=420
    )
    layout["xaxis"]["type"] = "date"
    layout["yaxis"]["tickformat"] = ",.2f"
    layout["shapes"] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": m.time,
            "x1": m.time,
            "y0": 0,
            "y1": 1,
            "line": {"color": MUTED, "width": 1, "dash": "dot"},
        }
        for m in markers
    ]
    layout["annotations"] = [
        {
            "x": m.time,
            "xref": "x",
            "y": 1,
            "yref": "paper",
            "text": m.label,
            "showarrow": False,
            "xanchor": "left",
            "yanchor": "top",
            "font": {"size": 11, "color": MUTED},
        }
        for m in markers
    ]
    return {"data": traces, "layout": layout}


def predicted_vs_realised_order(
    *,
    realised: float | None,
    predicted: float | None,
    low: float | None,
    high: float | None,
    version: str,
) -> Figure | None:
    """One order: the model's expected cost with its interval next to the realised cost."""
    if finite(predicted) is None or finite(realised) is None:
        return None
    pred = float(predicted or 0.0)
    interval = low is not None and high is not None
    trace_pred: Figure = {
        "type": "scatter",
        "mode": "markers+text",
        "name": f"Predicted (model {esc(version)})",
        "y": ["Predicted"],
        "x": [pred],
        "text": [f"{pred:,.1f}"],
        "textposition": "top center",
        "marker": {"color": GROUP_COLOURS[0], "size": 12},
    }
    if interval:
        trace_pred["error_x"] = {
            "type": "data",
            "symmetric": False,
            "array": [_gap(high, pred)],
            "arrayminus": [_gap(pred, low)],
            "thickness": 2,
        }
        trace_pred["name"] += f", interval {low:,.1f} to {high:,.1f}"
    trace_real = {
        "type": "scatter",
        "mode": "markers+text",
        "name": "Realised",
        "y": ["Realised"],
        "x": [realised],
        "text": [f"{realised:,.1f}"],
        "textposition": "top center",
        "marker": {"color": COLOURS["is"], "size": 12, "symbol": "diamond"},
    }
    layout = base_layout(
        title="Predicted vs realised execution cost",
        x_title="Execution cost (bps vs arrival mid)",
        y_title="",
        height=220,
    )
    layout["yaxis"]["type"] = "category"
    return {"data": [trace_pred, trace_real], "layout": layout}


# --- pre/post ----------------------------------------------------------------------


@dataclass(frozen=True)
class VersionPoints:
    version: str
    predicted: list[float]
    realised: list[float]
    n_total: int


def predicted_vs_realised(groups: Sequence[VersionPoints]) -> Figure | None:
    groups = [g for g in groups if g.predicted]
    if not groups:
        return None
    values = [v for g in groups for v in (*g.predicted, *g.realised)]
    lo, hi = min(values), max(values)
    traces: list[Figure] = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": f"Model {esc(g.version)} ({len(g.predicted):,} shown of {g.n_total:,})",
            "x": g.predicted,
            "y": g.realised,
            "marker": {"color": group_colour(i), "size": 5, "opacity": 0.6},
            "hovertemplate": "predicted %{x:,.1f}, realised %{y:,.1f} bps<extra></extra>",
        }
        for i, g in enumerate(groups)
    ]
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Perfect prediction (y = x)",
            "x": [lo, hi],
            "y": [lo, hi],
            "line": {"color": MUTED, "dash": "dash"},
            "hoverinfo": "skip",
        }
    )
    layout = base_layout(
        title="Predicted vs realised execution cost per order",
        x_title="Predicted (bps vs arrival mid)",
        y_title="Realised (bps vs arrival mid)",
        height=380,
    )
    return {"data": traces, "layout": layout}


@dataclass(frozen=True)
class ResidualSeries:
    version: str
    periods: list[str]
    mean: list[float | None]
    low: list[float | None]
    high: list[float | None]
    n: list[int]


def residuals_over_time(series: Sequence[ResidualSeries], *, unit: str) -> Figure | None:
    """Mean residual (realised − predicted) per period and version, with its 95 % CI."""
    series = [s for s in series if s.periods]
    if not series:
        return None
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": f"Model {esc(s.version)}",
            "x": s.periods,
            "y": s.mean,
            "customdata": s.n,
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": [_gap(h, m) for h, m in zip(s.high, s.mean, strict=True)],
                "arrayminus": [_gap(m, lo) for lo, m in zip(s.low, s.mean, strict=True)],
                "thickness": 1,
            },
            "line": {"color": group_colour(i)},
            "hovertemplate": "%{x}: %{y:+,.2f} bps over %{customdata:,} orders<extra></extra>",
        }
        for i, s in enumerate(series)
    ]
    layout = base_layout(
        title=f"Mean residual per {unit} (realised − predicted, 95 % CI)",
        x_title=f"Trade date ({unit} starting, UTC)",
        y_title="Residual (bps)",
    )
    layout["xaxis"]["type"] = "date"
    if unit == "day":
        layout["xaxis"].update(weekday_breaks([p for s in series for p in s.periods]))
    layout["yaxis"]["zeroline"] = True
    layout["yaxis"]["zerolinewidth"] = 2
    return {"data": traces, "layout": layout}


def residual_histogram(residuals: Mapping[str, Sequence[float]]) -> Figure | None:
    """Distribution of residuals per model version (overlaid, same bins)."""
    residuals = {k: v for k, v in residuals.items() if v}
    if not residuals:
        return None
    traces = [
        {
            "type": "histogram",
            "name": f"Model {esc(version)} (n = {len(values):,})",
            "x": list(values),
            "opacity": 0.6,
            "marker": {"color": group_colour(i)},
            "nbinsx": 40,
            "bingroup": "residuals",  # same bins for every version, so bars line up
            "hovertemplate": "%{x} bps: %{y:,} orders<extra></extra>",
        }
        for i, (version, values) in enumerate(residuals.items())
    ]
    layout = base_layout(
        title="Distribution of residuals",
        x_title="Residual, realised − predicted (bps)",
        y_title="Orders (count)",
        barmode="overlay",
    )
    layout["yaxis"]["tickformat"] = ",d"
    return {"data": traces, "layout": layout}
