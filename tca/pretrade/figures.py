"""Plotly specs of the pre-trade page (plain dicts, no Django imports).

Same conventions as the dashboards (``reports.figures``): units in the axis
titles, values on the bars, the component colours of the stylesheet.
"""

from __future__ import annotations

from typing import Any

from reports.figures import COLOURS, GROUP_COLOURS, MUTED, Figure, base_layout

HOUR = 3600.0


def strategy_costs(strategies: list[dict[str, Any]]) -> Figure | None:
    """Temporary and permanent cost per strategy, with the 5–95 % band of the total."""
    rows = [s for s in strategies if s.get("total_bps") is not None]
    if not rows:
        return None
    names = [s["strategy"] for s in rows]
    data: list[dict[str, Any]] = [
        {"type": "bar", "name": label, "x": names, "y": [s[key] for s in rows],
         "marker": {"color": COLOURS[colour]}, "texttemplate": "%{y:.1f}",
         "hovertemplate": f"{label}: %{{y:.2f}} bps<extra>%{{x}}</extra>"}
        for key, label, colour in (
            ("temporary_bps", "Temporary", "temporary_impact"),
            ("permanent_bps", "Permanent", "permanent_impact"),
        )
    ]  # fmt: skip
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": "Total (5–95 %)",
            "x": names,
            "y": [s["total_bps"] for s in rows],
            "marker": {"color": "#0f2747", "size": 10, "symbol": "diamond"},
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": [s["q95_bps"] - s["total_bps"] for s in rows],
                "arrayminus": [s["total_bps"] - s["q05_bps"] for s in rows],
                "color": MUTED,
            },
            "hovertemplate": "total %{y:.2f} bps<extra>%{x}</extra>",
        }
    )
    layout = base_layout(
        title="Expected cost by strategy", x_title="Strategy", y_title="Cost (bps)",
        barmode="relative",
    )  # fmt: skip
    return {"data": data, "layout": layout}


def schedule(optimal: dict[str, Any], start_label: str) -> Figure:
    """Holdings of the optimal trajectory and of TWAP, and the shares traded per slice."""
    sched = optimal["schedule"]
    minutes = [t / 60 for t in sched["offset_s"]]
    x0 = sched["holdings"][0]
    twap = [x0 * (1 - i / (len(minutes) - 1)) for i in range(len(minutes))]
    data = [
        {"type": "bar", "name": "Shares per slice", "x": minutes[1:], "y": sched["trades"][1:],
         "marker": {"color": GROUP_COLOURS[0]}, "yaxis": "y2", "opacity": 0.55,
         "hovertemplate": "%{y:,.0f} shares by +%{x:.0f} min<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "name": "Optimal holdings", "x": minutes,
         "y": sched["holdings"], "line": {"color": COLOURS["permanent_impact"], "width": 3},
         "hovertemplate": "%{y:,.0f} shares left at +%{x:.0f} min<extra></extra>"},
        {"type": "scatter", "mode": "lines", "name": "TWAP holdings", "x": minutes, "y": twap,
         "line": {"color": MUTED, "dash": "dash"}},
    ]  # fmt: skip
    layout = base_layout(
        title="Optimal schedule (Almgren-Chriss)",
        x_title=f"Minutes after the start ({start_label})",
        y_title="Shares still to trade",
        yaxis2={"title": {"text": "Shares per slice"}, "overlaying": "y", "side": "right",
                "showgrid": False, "tickformat": ",.0f", "rangemode": "tozero"},
    )  # fmt: skip
    layout["yaxis"]["tickformat"] = ",.0f"
    layout["yaxis"]["rangemode"] = "tozero"
    return {"data": data, "layout": layout}


def frontier(optimal: dict[str, Any]) -> Figure:
    """E against the standard deviation √V (bps) over λ, with the chosen point."""
    f = optimal["frontier"]
    std = [v**0.5 for v in f["variance_bps2"]]
    points = [
        ("Chosen λ", optimal["variance_bps2"] ** 0.5, optimal["expected_bps"],
         COLOURS["permanent_impact"], "star"),
        ("TWAP", optimal["twap"]["std_bps"], optimal["twap"]["expected_bps"], MUTED, "square"),
        ("Immediate", optimal["immediate"]["std_bps"], optimal["immediate"]["expected_bps"],
         COLOURS["temporary_impact"], "triangle-up"),
    ]  # fmt: skip
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines", "name": "Efficient frontier", "x": std,
         "y": f["expected_bps"], "customdata": f["risk_aversion"],
         "line": {"color": GROUP_COLOURS[0], "width": 2},
         "hovertemplate": "λ %{customdata:.2e}/bps: E %{y:.2f} bps, σ %{x:.2f} bps"
                          "<extra></extra>"},
    ]  # fmt: skip
    for name, x, y, colour, symbol in points:
        data.append(
            {"type": "scatter", "mode": "markers", "name": name, "x": [x], "y": [y],
             "marker": {"color": colour, "size": 13, "symbol": symbol},
             "hovertemplate": f"{name}: E %{{y:.2f}} bps, σ %{{x:.2f}} bps<extra></extra>"}
        )  # fmt: skip
    layout = base_layout(
        title="Efficient frontier: expected cost against risk",
        x_title="Standard deviation of cost √V (bps)",
        y_title="Expected cost E (bps)",
    )
    return {"data": data, "layout": layout}


def page_figures(result: dict[str, Any]) -> dict[str, Figure | None]:
    start = result["start"][11:16] + " UTC"
    return {
        "costs": strategy_costs(result["strategies"]),
        "schedule": schedule(result["optimal"], start),
        "frontier": frontier(result["optimal"]),
    }
