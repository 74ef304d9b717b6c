"""Pre-trade estimation without the database: volume profile, fallback, simulator agreement."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models_app.impact.market_state import STATE_COLUMNS, market_state
from models_app.impact.model import ImpactModel
from models_app.impact.pretrade import (
    Candidate,
    MarketInputs,
    Plan,
    Request,
    estimate_with_fallback,
    execution_problem,
    optimal_schedule,
    plan_duration,
    range_violations,
    strategy_rows,
)
from models_app.impact.table import order_table_from_tca
from tca.analytics import daily_bars, run_tca
from tca.analytics.volume_profile import (
    flat_profile,
    intraday_profile,
    session_time_for_volume,
    volume_fraction,
)
from tca.sim import SimConfig, simulate

START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
MARKET = MarketInputs(
    price=50.0, adv20=1e6, sigma20=0.02, spread_bps=4.0, session_seconds=23_400.0,
    start_fraction=0.25, profile=flat_profile(), state={},
)  # fmt: skip
REQUEST = Request(symbol="AAA", side=1, quantity=50_000, start=START, horizon_s=7200.0)
PLANS = [Plan("aggressive", 0.3, 0.1), Plan("balanced", 0.1, 0.4), Plan("passive", 0.03, 0.7)]


def test_intraday_profile_weights_sessions_equally() -> None:
    open_ = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)
    sessions = pl.DataFrame(
        {"symbol": ["A", "A"], "trade_date": [dt.date(2026, 3, 2), dt.date(2026, 3, 3)],
         "_open": [open_, open_ + dt.timedelta(days=1)],
         "_close": [open_ + dt.timedelta(hours=2), open_ + dt.timedelta(days=1, hours=2)]},
    )  # fmt: skip
    # Day 1: all 100 shares in the first hour; day 2: 1,000 shares, all in the second.
    trades = pl.DataFrame(
        {"symbol": ["A"] * 3, "time": [open_ + dt.timedelta(minutes=10),
                                       open_ + dt.timedelta(minutes=50),
                                       open_ + dt.timedelta(days=1, minutes=90)],
         "size": [40.0, 60.0, 1000.0], "condition": [None, None, None]},
    ).with_columns(pl.col("time").cast(pl.Datetime("ns", "UTC")))  # fmt: skip
    sessions = sessions.with_columns(pl.col("_open", "_close").cast(pl.Datetime("ns", "UTC")))
    profile = intraday_profile(trades, sessions, slots=2)
    assert profile is not None
    assert profile == pytest.approx([0.5, 0.5], abs=1e-3)  # not 100/1100


def test_time_for_volume_on_a_flat_and_a_shaped_profile() -> None:
    flat = flat_profile(4)
    assert session_time_for_volume(flat, 0.25, 0.5) == pytest.approx(0.5)
    assert session_time_for_volume(flat, 0.5, 1.0) == pytest.approx(1.0)  # into the next day
    shaped = np.array([0.4, 0.1, 0.1, 0.4])
    # From the open, 45 % of the day's volume: the first slot (40 %) and half the second.
    assert session_time_for_volume(shaped, 0.0, 0.45) == pytest.approx(0.375)
    assert volume_fraction(shaped, 0.0, 0.375) == pytest.approx(0.45)


def test_plan_durations_follow_the_participation_targets() -> None:
    d = [plan_duration(p, REQUEST, MARKET) for p in PLANS]
    # 50,000 shares at 30 % of a 1M-share day on a flat profile: 1/6 of a day of volume.
    assert d[0] == pytest.approx(23_400 * 50_000 / (0.3 * 1e6))
    assert d[0] < d[1] < d[2]


class _Fixed:
    def __init__(self, value: float) -> None:
        self.value = value

    def predict(self, table: pl.DataFrame, threshold: float) -> pl.DataFrame:
        n = table.height
        return pl.DataFrame({"order_id": table["order_id"], **{
            c: [self.value] * n for c in ("temporary_bps", "permanent_bps", "total_bps",
                                          "q05_bps", "q50_bps", "q95_bps", "std_bps", "p_exceed")
        }})  # fmt: skip


def _raise() -> object:
    raise OSError("artifact missing")


def test_fallback_order_and_reasons() -> None:
    rows = strategy_rows(REQUEST, MARKET, PLANS, [600.0, 1800.0, 5400.0])
    broken = Candidate("xgb-1", "xgboost", _raise)
    nan = Candidate("mlp-1", "mlp", lambda: _Fixed(float("nan")))
    narrow = Candidate("rf-1", "random_forest", lambda: _Fixed(1.0), {"size_adv": [0.0, 0.01]})
    sqrt = Candidate("sqrt-1", "sqrt", lambda: _Fixed(2.0), {"size_adv": [0.0, 0.01]})
    answer = estimate_with_fallback(rows, [broken, nan, narrow, sqrt], 10.0)
    assert answer.used is sqrt  # parametric laws are not range-checked
    assert answer.reasons[0] == "xgb-1: could not be loaded (artifact missing)"
    assert answer.reasons[1] == "mlp-1: returned a non-finite or missing value"
    assert answer.reasons[2].startswith("rf-1: size_adv 0.05 outside the training range")
    assert answer.predictions["total_bps"].to_list() == [2.0, 2.0, 2.0]
    assert estimate_with_fallback(rows, [broken], 10.0).used is None
    assert range_violations(rows, {"duration_s": [0.0, 2000.0]}) == [
        "duration_s 5400 outside the training range [0, 2000]"
    ]


def test_per_share_conversion_and_optimal_row() -> None:
    params = {"gamma": 0.314, "eta": 0.142, "beta": 1.0, "adverse": 0.0, "spread_aggressive": 0.5}
    p = execution_problem(REQUEST, MARKET, params)
    days = 7200 / 23_400
    assert p.horizon == pytest.approx(days) and p.periods == 24  # 5-minute slices
    assert p.sigma == pytest.approx(0.02 * 50)
    assert p.gamma == pytest.approx(0.314 * 0.02 * 50 / 1e6)
    assert p.eta == pytest.approx(0.142 * 0.02 * 50 / 1e6)  # β = 1: exact, rate-free
    assert p.epsilon == pytest.approx(0.5 * 4e-4 * 50)
    out = optimal_schedule(REQUEST, MARKET, params)
    row = out["row"]
    spread = 0.5 * 4.0  # half the spread on every share, in bps
    assert row["temporary_bps"] + row["permanent_bps"] + spread == pytest.approx(row["total_bps"])
    assert row["permanent_bps"] == pytest.approx(0.314 * 0.02 * 0.05 * 1e4)  # γσX/V
    assert row["total_bps"] == pytest.approx(row["q50_bps"])
    assert row["q05_bps"] < row["q50_bps"] < row["q95_bps"]
    assert out["twap"]["std_bps"] > row["std_bps"] > out["immediate"]["std_bps"] == 0.0


@pytest.mark.slow
def test_estimates_agree_with_the_simulators_truth() -> None:
    """Held-out simulated orders, estimated pre-trade by a model fitted on earlier days."""
    ds = simulate(SimConfig.preset("small", seed=4, n_days=16, orders_per_day=40.0))
    costs = run_tca(
        orders=ds.orders, fills=ds.fills, quotes=ds.quotes, trades=ds.trades,
        instruments=ds.instruments, daily=daily_bars(ds.trades, ds.instruments),
    ).order_costs  # fmt: skip
    state = market_state(costs, ds.quotes, ds.trades, ds.instruments)
    table = order_table_from_tca(costs, state).join(
        ds.truth.select("order_id", "expected_bps"), on="order_id"
    )
    days = sorted(table["trade_date"].unique().to_list())
    train = table.filter(pl.col("trade_date") < days[-4])
    model = ImpactModel("bayes_linear").fit(train)
    sqrt = ImpactModel("sqrt").fit(train)
    held = table.filter(
        (pl.col("trade_date") >= days[-4]) & (pl.col("executed_qty") > 0)
        & pl.col("volatility").is_not_null() & pl.col("expected_bps").is_not_null()
        & pl.col("participation").is_not_null() & (pl.col("fill_rate") > 0.99)
    )  # fmt: skip
    rows, fast, slow = [], [], []
    for o in held.iter_rows(named=True):
        market = MarketInputs(
            price=1.0, adv20=o["adv20"], sigma20=o["volatility"],
            spread_bps=o["arrival_spread_bps"], session_seconds=o["session_minutes"] * 60,
            start_fraction=o["time_of_day"], profile=flat_profile(),
            state={k: o[k] for k in STATE_COLUMNS},
        )  # fmt: skip
        req = Request(o["symbol"], o["side"], o["executed_qty"], o["arrival_time"], 3600.0)
        plan = Plan("as_worked", o["participation"], o["passive_share"] or 0.0)
        rows.append(strategy_rows(req, market, [plan], [o["duration_s"]]))
        ends = [Plan("aggressive", 0.3, 0.1), Plan("passive", 0.03, 0.7)]
        pair = strategy_rows(req, market, ends, [plan_duration(p, req, market) for p in ends])
        fast.append(pair.head(1))
        slow.append(pair.tail(1))
    candidates = [
        Candidate("bl", "bayes_linear", lambda: model),
        Candidate("sq", "sqrt", lambda: sqrt),
    ]
    answer = estimate_with_fallback(pl.concat(rows), candidates, 10.0)
    assert answer.used is not None
    truth = held["expected_bps"].to_numpy()
    inside = (answer.predictions["q05_bps"].to_numpy() <= truth) & (
        truth <= answer.predictions["q95_bps"].to_numpy()
    )
    print(f"\npre-trade interval holds the true expected cost for {inside.mean():.1%} "
          f"of {truth.size} held-out orders (model {answer.used.label})")  # fmt: skip
    assert truth.size >= 100
    assert inside.mean() >= 0.85
    # Not an interval wide enough to hold anything: the point estimate tracks the truth
    # better than the training mean does.
    point = answer.predictions["total_bps"].to_numpy()
    constant = train["total_bps"].drop_nulls().mean()
    print(f"MAE vs truth {np.abs(point - truth).mean():.2f} bps, "
          f"constant {np.abs(constant - truth).mean():.2f} bps")  # fmt: skip
    assert np.abs(point - truth).mean() < np.abs(constant - truth).mean()
    # The simulator's temporary cost η·σ·rate^β is higher for the faster schedule; the
    # estimates must order the strategies the same way.
    a = estimate_with_fallback(pl.concat(fast), candidates, 10.0).predictions
    p = estimate_with_fallback(pl.concat(slow), candidates, 10.0).predictions
    faster = (a["temporary_bps"] > p["temporary_bps"]).to_numpy()
    print(f"aggressive above passive in temporary cost for {faster.mean():.1%} of orders")
    assert faster.mean() >= 0.95
