"""Figure builders and statistics are pure: checked without a database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from reports import figures as fig
from reports.stats import (
    even_sample,
    mann_whitney,
    quantile_bins,
    sqrt_fit,
    weighted_mean_ci,
    weighted_mean_ci_arrays,
)

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "footprint.css"


def test_component_colours_match_the_stylesheet() -> None:
    css = CSS.read_text()
    variables = dict(re.findall(r"--c-([a-z]+):\s*(#[0-9a-f]{6})", css))
    for name, var in (
        ("delay", "delay"),
        ("spread", "spread"),
        ("temporary_impact", "temporary"),
        ("permanent_impact", "permanent"),
        ("adverse_selection", "adverse"),
        ("opportunity", "opportunity"),
        ("fees", "fees"),
        ("is", "is"),
    ):
        assert fig.COLOURS[name] == variables[var], name


def test_waterfall_floats_each_component_on_the_previous_ones() -> None:
    figure = fig.waterfall(
        {"delay": 1.0, "spread": 2.0, "temporary_impact": -0.5, "fees": 0.5}, 3.0, title="t"
    )
    bar = figure["data"][0]
    assert bar["y"] == [1.0, 2.0, -0.5, 0.5, 3.0]
    assert bar["base"] == [0.0, 1.0, 3.0, 2.5, 0.0]
    assert bar["text"] == ["+1.0", "+2.0", "-0.5", "+0.5", "+3.0"]  # labelled, signed
    assert bar["marker"]["color"][0] == fig.COLOURS["delay"]
    assert "(bps)" in figure["layout"]["yaxis"]["title"]["text"]
    json.dumps(figure, allow_nan=False)


def test_waterfall_shows_what_the_components_do_not_explain() -> None:
    bar = fig.waterfall({"delay": 1.0, "spread": None}, 4.0, title="t")["data"][0]
    assert bar["customdata"] == ["Delay", "Unattributed", "Total IS"]
    assert bar["y"] == [1.0, 3.0, 4.0]


def test_waterfall_without_data_is_none() -> None:
    assert fig.waterfall({}, None, title="t") is None
    assert fig.waterfall({"delay": float("nan")}, None, title="t") is None


def test_cost_over_time_weights_by_notional_and_buckets_long_ranges() -> None:
    days = [
        fig.Period(f"2026-01-{d:02d}", amount=100.0 * d, notional=1e5, n_orders=1)
        for d in range(5, 10)
    ]
    figure = fig.cost_over_time(days)
    assert figure["data"][0]["y"] == pytest.approx([50.0, 60.0, 70.0, 80.0, 90.0])
    assert figure["layout"]["xaxis"]["rangebreaks"]  # weekdays only: hide weekends
    import datetime as dt

    many = [
        fig.Period((dt.date(2025, 1, 6) + dt.timedelta(days=i)).isoformat(), 1.0, 1e4, 1)
        for i in range(400)
    ]
    figure = fig.cost_over_time(many, max_bars=90)
    assert len(figure["data"][0]["x"]) <= 90
    assert (
        "week" in figure["layout"]["meta"]["title"] or "month" in figure["layout"]["meta"]["title"]
    )
    assert figure["data"][0]["y"][0] == pytest.approx(1.0)


def test_horizon_labels() -> None:
    assert [fig.horizon_seconds(h) for h in ("m60s", "0s", "500ms", "1800s")] == [
        -60.0,
        0.0,
        0.5,
        1800.0,
    ]
    assert [fig.horizon_display(h) for h in ("m60s", "0s", "1s", "300s")] == [
        "−1 min",
        "0",
        "+1 s",
        "+5 min",
    ]
    assert fig.sort_horizons(["60s", "m60s", "0s", "junk"]) == ["m60s", "0s", "60s"]


def test_markout_curves_carry_intervals_and_counts() -> None:
    curve = fig.Curve("BRKA", ["0s", "60s"], [1.0, 2.0], [0.5, 1.0], [1.5, 3.5], n=1234)
    trace = fig.markout_curves([curve], title="t")["data"][0]
    assert trace["name"] == "BRKA (n = 1,234 orders)"
    assert trace["error_y"]["array"] == [0.5, 1.5]
    assert trace["error_y"]["arrayminus"] == [0.5, 1.0]
    assert fig.markout_curves([fig.Curve("x", ["0s"], [None])], title="t") is None


def test_price_path_splits_fills_by_liquidity_and_draws_levels() -> None:
    figure = fig.price_path(
        times=["2026-03-02T14:30:00", "2026-03-02T14:31:00"],
        bid=[9.9, 10.0],
        ask=[10.1, 10.2],
        fills=[
            fig.FillPoint("2026-03-02T14:30:30", 10.1, 100, "REMOVE"),
            fig.FillPoint("2026-03-02T14:30:40", 10.0, 400, "ADD"),
        ],
        levels={"Arrival mid": 10.0, "VWAP": 10.05, "TWAP": None},
        markers=[fig.Marker("arrival", "2026-03-02T14:30:00")],
        currency="USD",
        title="t",
    )
    names = [t["name"] for t in figure["data"]]
    assert names == [
        "Bid",
        "Ask",
        "Mid",
        "Passive fills (ADD)",
        "Aggressive fills (REMOVE)",
        "Arrival mid 10.0000",
        "VWAP 10.0500",
    ]
    assert figure["data"][2]["y"] == [10.0, 10.1]
    passive = figure["data"][3]["marker"]["size"][0]
    aggressive = figure["data"][4]["marker"]["size"][0]
    assert passive > aggressive  # marker grows with fill size
    assert figure["layout"]["yaxis"]["title"]["text"] == "Price (USD)"


def test_impact_scatter_shows_percent_and_the_fit() -> None:
    x = np.linspace(0.01, 0.3, 50)
    fit = sqrt_fit(x, 2 + 10 * np.sqrt(x))
    figure = fig.impact_scatter(
        x=x.tolist(),
        y=(2 + 10 * np.sqrt(x)).tolist(),
        n_total=50,
        fit=fit,
        bins=quantile_bins(x, 2 + 10 * np.sqrt(x)),
        x_title="Participation (%)",
        title="t",
    )
    assert [t["name"].split(" ")[0] for t in figure["data"]] == ["Orders", "Mean", "Fit:"]
    assert figure["data"][0]["x"][0] == pytest.approx(1.0)  # percent on the axis


def test_weighted_ci_matches_the_textbook_case() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(5.0, 2.0, 400)
    ci = weighted_mean_ci_arrays(np.ones(400), x)
    se = x.std(ddof=1) / np.sqrt(400)
    assert ci.mean == pytest.approx(x.mean())
    assert (ci.high - ci.mean) == pytest.approx(1.966 * se, rel=0.01)
    assert weighted_mean_ci(n=1, sw=1, swx=3, sww=1, swwx=3, swwxx=9).low is None
    assert weighted_mean_ci(n=0, sw=0, swx=0, sww=0, swwx=0, swwxx=0).mean is None


def test_sqrt_fit_recovers_known_coefficients() -> None:
    x = np.linspace(0.0, 0.25, 100)
    fit = sqrt_fit(x, 1.5 + 20 * np.sqrt(x))
    assert fit.a == pytest.approx(1.5) and fit.b == pytest.approx(20.0)
    assert fit.r2 == pytest.approx(1.0)
    assert sqrt_fit(np.array([0.1, 0.1, 0.1]), np.array([1.0, 2.0, 3.0])) is None


def test_mann_whitney_states_the_result_in_words() -> None:
    rng = np.random.default_rng(3)
    cheap, dear = rng.normal(2, 3, 200), rng.normal(6, 3, 200)
    test = mann_whitney("BRKA", cheap, "BRKB", dear)
    assert test.p_value < 0.001
    assert "statistically significant at the 5 % level (p = < 0.001)" not in test.sentence
    assert "is statistically significant" in test.sentence and "BRKA tended to cost less" in (
        test.sentence
    )
    same = mann_whitney("A", rng.normal(0, 1, 50), "B", rng.normal(0, 1, 50))
    assert "not statistically significant" in same.sentence
    assert mann_whitney("A", np.array([1.0]), "B", np.array([2.0, 3.0, 4.0])) is None


def test_even_sample_is_bounded_and_deterministic() -> None:
    assert len(even_sample(10, 50)) == 10
    pick = even_sample(100_000, 1_500)
    assert len(pick) == 1_500 and pick[0] == 0 and pick[-1] == 99_999


def test_names_from_data_cannot_inject_markup() -> None:
    evil = '<a href="javascript:alert(1)">x</a>'
    figure = fig.group_costs([fig.GroupCost(evil, 1.0, 0.5, 1.5, 10)], dimension="broker")
    assert figure["data"][0]["x"] == ['&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;']
    curve = fig.markout_curves([fig.Curve(evil, ["0s"], [1.0], n=1)], title="t")
    assert "<a" not in curve["data"][0]["name"]


def test_wilson_interval_by_hand() -> None:
    from reports.stats import wilson_ci

    # p = 0.5: centre 0.5, half-width z·√(0.25/100 + z²/40000)/(1 + z²/100)
    half = wilson_ci(50, 100)
    assert (half.mean, round(half.low, 4), round(half.high, 4)) == (0.5, 0.4038, 0.5962)
    none = wilson_ci(0, 10)
    assert none.mean == 0.0 and abs(none.low) < 1e-12 and 0.27 < none.high < 0.28
    assert wilson_ci(0, 0).mean is None
