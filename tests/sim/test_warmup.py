"""The simulator's warm-up history: ingestible, and consistent with its own truth."""

import datetime as dt

import numpy as np
import polars as pl

from tca.analytics.daily import daily_features
from tca.parsing import parse_file
from tca.sim import SimConfig, simulate, write_dataset
from tca.sim.warmup import WARMUP_DAYS, warmup_dates, warmup_history


def test_warmup_dates_are_the_weekdays_before_the_start():
    days = warmup_dates(dt.date(2026, 3, 2), 5)  # a Monday
    assert days == [dt.date(2026, 2, d) for d in (23, 24, 25, 26, 27)]


def test_warmup_recovers_the_simulated_volatility_and_volume(tmp_path):
    ds = simulate(SimConfig.preset("small", seed=3))
    bars = warmup_history(ds.market_truth, seed=3, n_days=250)
    truth = ds.market_truth.group_by("symbol").agg(
        pl.col("adv").first(),
        pl.col("daily_vol").first(),
        pl.col("open_price").sort_by("date").first(),
    )
    returns = (
        bars.sort("symbol", "date")
        .with_columns((pl.col("close") / pl.col("close").shift(1)).log().over("symbol").alias("r"))
        .group_by("symbol")
        .agg(pl.col("r").std().alias("sigma"), pl.col("volume").mean(), pl.col("close").last())
        .join(truth, on="symbol")
    )
    # 249 returns: the sample sigma is within ~15 % of the truth; volume's mean within ~10 %.
    assert np.allclose(returns["sigma"], returns["daily_vol"], rtol=0.2)
    assert np.allclose(returns["volume"], returns["adv"], rtol=0.15)
    # The last warm-up close leads into the first simulated open (one day's move).
    gap = np.abs(np.log(returns["close"] / returns["open_price"])) / returns["daily_vol"]
    assert (gap < 5).all()

    paths = write_dataset(ds, tmp_path)
    result = parse_file("daily", paths["daily.csv"], filename="daily.csv")
    assert result.ok, result.errors[:3]
    assert result.row_count == WARMUP_DAYS * ds.instruments.height
    features = daily_features(result.frame.with_columns(pl.col("close", "volume").cast(pl.Float64)))
    last = features.sort("date").group_by("symbol").last()
    assert last["adv20"].is_not_null().all()
    assert last["sigma20"].is_not_null().all()
