"""The simulated market has the statistics it was configured with.

Realised daily volatility comes from 5-minute mid returns and realised volume
from the tape (less our own fills); both are compared with the configured
per-instrument values (calm-only run, where the configured value is the
expectation of each day) and with the per-day truth (all regimes).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tca.sim import Dataset, SimConfig, simulate

from .measures import asof_mid, daily_market_volume, local_date, mids

GRID = pl.duration(minutes=5, time_unit="ns")


def realised_variance(ds: Dataset) -> pl.DataFrame:
    """Sum of squared 5-minute log returns of the quote mid, per symbol-day."""
    days = ds.market_truth.select("symbol", "date", "session_open", "session_close")
    grid = days.with_columns(
        time=pl.datetime_ranges(
            pl.col("session_open") + pl.duration(seconds=1, time_unit="ns"),
            pl.col("session_close"),
            interval="5m",
        )
    ).explode("time")
    sampled = asof_mid(grid.select("symbol", "date", "time"), "time", mids(ds), "mid")
    return (
        sampled.sort("symbol", "date", "time")
        .with_columns(r=pl.col("mid").log().diff().over("symbol", "date"))
        .group_by("symbol", "date")
        .agg(rv=(pl.col("r") ** 2).sum())
    )


@pytest.fixture(scope="module")
def calm() -> Dataset:
    cfg = SimConfig(
        seed=3,
        n_instruments=10,
        n_days=12,
        regime_probs=(1.0, 0.0, 0.0),
        quotes_per_day=2000.0,
        trades_per_day=1500.0,
        orders_per_day=2.0,
    )
    return simulate(cfg)


@pytest.fixture(scope="module")
def mixed() -> Dataset:
    # Few orders of ours: their own impact is real volatility the exogenous truth leaves out.
    cfg = SimConfig(seed=5, n_instruments=10, n_days=12, quotes_per_day=2000.0, orders_per_day=2.0)
    return simulate(cfg)


def test_volatility_and_adv_match_configuration(calm: Dataset) -> None:
    truth = calm.market_truth.select("symbol", "date", "adv", "daily_vol")
    got = (
        truth.join(realised_variance(calm), on=["symbol", "date"])
        .join(daily_market_volume(calm), on=["symbol", "date"])
        .group_by("symbol")
        .agg(
            vol_ratio=pl.col("rv").mean().sqrt() / pl.col("daily_vol").first(),
            adv_ratio=pl.col("volume").mean() / pl.col("adv").first(),
        )
    )
    assert got.height == 10
    assert got["vol_ratio"].mean() == pytest.approx(1.0, abs=0.10)
    assert got["adv_ratio"].mean() == pytest.approx(1.0, abs=0.10)
    assert got["vol_ratio"].is_between(0.75, 1.3).all()
    assert got["adv_ratio"].is_between(0.75, 1.3).all()


def test_daily_truth_matches_realised_values_in_every_regime(mixed: Dataset) -> None:
    days = mixed.market_truth.join(realised_variance(mixed), on=["symbol", "date"]).join(
        daily_market_volume(mixed), on=["symbol", "date"], suffix="_realised"
    )
    assert set(days["regime"]) == {"calm", "volatile", "news"}
    vol = np.sqrt(days["rv"].sum() / (days["sigma"] ** 2).sum())
    assert vol == pytest.approx(1.0, abs=0.10)
    volume = (days["volume_realised"] / days["volume"]).mean()
    assert volume == pytest.approx(1.0, abs=0.05)
    by_regime = days.group_by("regime").agg(
        realised=pl.col("rv").mean().sqrt(), true=(pl.col("sigma") ** 2).mean().sqrt()
    )
    realised = dict(zip(by_regime["regime"], by_regime["realised"], strict=True))
    assert realised["volatile"] > 1.3 * realised["calm"]
    for row in by_regime.iter_rows(named=True):
        assert row["realised"] == pytest.approx(row["true"], rel=0.2), row["regime"]


def test_news_days_surge_and_thin_the_book(mixed: Dataset) -> None:
    news = mixed.market_truth.filter(pl.col("regime") == "news").select(
        "symbol", "date", "news_time"
    )
    assert news.height > 0 and news["news_time"].null_count() == 0
    q = mixed.quotes.with_columns(date=local_date("time")).join(news, on=["symbol", "date"])
    q = q.with_columns(
        after=(pl.col("time") - pl.col("news_time")).dt.total_seconds(),
        spread=(pl.col("ask") - pl.col("bid")) / (pl.col("ask") + pl.col("bid")),
    )
    surge = q.filter(pl.col("after").is_between(0, 300))
    before = q.filter(pl.col("after").is_between(-3600, -600))
    assert surge["spread"].mean() > 1.5 * before["spread"].mean()
    assert surge["bid_size"].mean() < 0.7 * before["bid_size"].mean()


def test_intraday_volume_is_u_shaped(mixed: Dataset) -> None:
    local = pl.col("time").dt.convert_time_zone("America/New_York")
    minute = local.dt.hour().cast(pl.Int32) * 60 + local.dt.minute().cast(pl.Int32)
    continuous = mixed.trades.filter(pl.col("condition").is_null()).with_columns(m=minute)

    def volume(start: int) -> float:
        return continuous.filter(pl.col("m").is_between(start, start + 29))["size"].sum()

    first, midday, last = volume(9 * 60 + 30), volume(12 * 60 + 30), volume(15 * 60 + 30)
    assert first > 1.5 * midday
    assert last > 1.2 * midday
