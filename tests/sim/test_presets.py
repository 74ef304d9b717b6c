"""Preset sizes: `demo` for the demo command, `large` for benchmarks (slow)."""

from __future__ import annotations

import time

import polars as pl
import pytest

from tca.sim import SimConfig, simulate


def test_demo_preset() -> None:
    ds = simulate(SimConfig.preset("demo", seed=1))
    assert ds.instruments.height == 20
    assert ds.market_truth["date"].n_unique() == 20
    assert 2000 <= ds.orders.height <= 5000
    assert ds.fills.height > 50_000


@pytest.mark.slow
def test_large_preset_is_one_day_of_millions_of_events() -> None:
    started = time.perf_counter()
    ds = simulate(SimConfig.preset("large", seed=1))
    elapsed = time.perf_counter() - started
    assert ds.market_truth["date"].n_unique() == 1
    assert 1_700_000 <= ds.fills.height <= 2_400_000
    assert 18_000_000 <= ds.quotes.height <= 22_000_000
    assert elapsed < 300  # about 25 s on an idle 2-core machine; generous for busy CI
    sample = ds.fills.gather_every(97)
    f = sample.sort("symbol", "time").join_asof(
        ds.quotes.select("symbol", "bid", "ask", quote_time="time"),
        left_on="time",
        right_on="quote_time",
        by="symbol",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    assert f.select(
        (
            (pl.col("price") >= pl.col("bid") - 1e-9) & (pl.col("price") <= pl.col("ask") + 1e-9)
        ).all()
    ).item()
