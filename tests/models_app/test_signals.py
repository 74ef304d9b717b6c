"""Alternative-data signals as features: as of arrival, informative vs noise, no look-ahead."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import polars as pl
import pytest
from scipy import stats

from models_app.impact.market_state import market_state
from models_app.impact.model import ImpactModel
from models_app.impact.signals import signal_column, signals_asof
from models_app.impact.table import conform_table, order_table_from_tca
from models_app.impact.walkforward import walk_forward
from tca.analytics import daily_bars, run_tca
from tca.sim import SimConfig, simulate
from tca.sim.signals import INFORMATIVE, NOISE, simulate_signals

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
MAX_AGE = dt.timedelta(days=1)
XGB = {"n_estimators": 200}


def _times(*offsets_s: float) -> list[dt.datetime]:
    return [T0 + dt.timedelta(seconds=s) for s in offsets_s]


def test_an_order_sees_the_last_value_strictly_before_its_arrival() -> None:
    orders = pl.DataFrame(
        {"order_id": ["a", "b", "c"], "symbol": ["AAA", "AAA", "BBB"],
         "arrival_time": _times(0, 600, 0)},
    )  # fmt: skip
    signals = pl.DataFrame(
        {
            "symbol": ["AAA", "AAA", "AAA", "AAA", "BBB"],
            "time": _times(-7200, -120, 0, 300, -90_000),
            "name": ["s", "s", "s", "other", "s"],
            "value": [1.0, 2.0, 99.0, 5.0, 7.0],
        }
    )
    got = signals_asof(orders, signals, ["s", "other"], max_age=MAX_AGE).sort("order_id")
    # a: 2.0 (the value at its arrival is not yet known); b: 99.0 and "other" 5.0;
    # c: BBB's only value is older than a day, AAA's values never reach it.
    assert got.rows() == [("a", 2.0, None), ("b", 99.0, 5.0), ("c", None, None)]
    assert got.columns == ["order_id", signal_column("s"), signal_column("other")]


@pytest.fixture(scope="module")
def book() -> tuple[pl.DataFrame, pl.DataFrame]:
    """A market whose informed flow is strong enough to matter: 30 % of orders, 0.3 σ."""
    cfg = SimConfig.preset("small", seed=5, n_days=20, orders_per_day=40.0)
    ds = simulate(dataclasses.replace(cfg, informed_alpha=0.3, informed_share=0.3))
    costs = run_tca(
        orders=ds.orders, fills=ds.fills, quotes=ds.quotes, trades=ds.trades,
        instruments=ds.instruments, daily=daily_bars(ds.trades, ds.instruments),
    ).order_costs  # fmt: skip
    table = order_table_from_tca(costs, market_state(costs, ds.quotes, ds.trades, ds.instruments))
    return table, simulate_signals(ds, seed=1)


def _with_signals(table: pl.DataFrame, signals: pl.DataFrame) -> pl.DataFrame:
    joined = signals_asof(table, signals, [INFORMATIVE, NOISE], max_age=MAX_AGE)
    return conform_table(table.join(joined, on="order_id", how="left"))


def test_the_informative_signal_improves_held_out_mae_and_noise_does_not(
    book: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    table = _with_signals(*book)
    assert table[signal_column(INFORMATIVE)].null_count() < 0.05 * table.height
    days = sorted(table["trade_date"].unique().to_list())
    cut = days[12]
    train = table.filter(pl.col("trade_date") < cut)
    test = table.filter(pl.col("trade_date") >= cut)

    def abs_errors(signals: list[str]) -> np.ndarray:
        model = ImpactModel("xgboost", {**XGB, "signals": signals}).fit(train)
        preds = model.predict(test).join(test.select("order_id", "total_bps"), on="order_id")
        return (preds["total_bps_right"] - preds["total_bps"]).abs().to_numpy()

    base, informative, noise = abs_errors([]), abs_errors([INFORMATIVE]), abs_errors([NOISE])
    assert base.size > 1000
    better = stats.ttest_rel(base, informative, alternative="greater")
    assert informative.mean() < base.mean() - 0.3
    assert better.pvalue < 0.01
    from_noise = stats.ttest_rel(base, noise, alternative="greater")
    assert from_noise.pvalue > 0.05
    assert abs(noise.mean() - base.mean()) < 0.2


def test_walk_forward_never_sees_a_signal_from_its_future(
    book: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    """Scrambling every value published after a cutoff leaves every earlier prediction as it
    was: neither the features of the predicted orders nor the models fitted on earlier
    orders can have read them. Later predictions do change, so the test can fail."""
    table, signals = book
    days = sorted(table["trade_date"].unique().to_list())[:10]
    table = table.filter(pl.col("trade_date").is_in(days))
    cutoff = table.filter(pl.col("trade_date") == days[6])["arrival_time"].median()
    rng = np.random.default_rng(9)
    scrambled = signals.with_columns(
        pl.when(pl.col("time") >= cutoff)
        .then(pl.Series(rng.normal(0, 50, signals.height)))
        .otherwise(pl.col("value"))
        .alias("value")
    )
    hp = {"n_estimators": 60, "signals": [INFORMATIVE, NOISE]}

    def predictions(published: pl.DataFrame) -> pl.DataFrame:
        full = _with_signals(table, published)
        out = walk_forward(full, "xgboost", hp, min_train_days=3, test_days=2)
        return out.join(full.select("order_id", "arrival_time"), on="order_id").sort("order_id")

    before, after = predictions(signals), predictions(scrambled)
    early = pl.col("arrival_time") < cutoff
    assert before.filter(early).height > 100
    np.testing.assert_array_equal(
        before.filter(early)["total_bps"].to_numpy(), after.filter(early)["total_bps"].to_numpy()
    )
    late = (before.filter(~early)["total_bps"] - after.filter(~early)["total_bps"]).abs()
    assert late.max() > 1.0  # type: ignore[operator]
