"""Daily bars in local session dates, and daily features without look-ahead."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from tca.analytics import TcaConfig, daily_bars, daily_features

from .builders import frame

NY = frame(
    "instruments",
    [{"symbol": "NYC", "timezone": "America/New_York", "session_open": "09:30",
      "session_close": "16:00:00"}],
)  # fmt: skip


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_bars_use_local_dates_and_session_hours() -> None:
    trades = frame(
        "trades",
        [
            # 2024-03-08 (EST, UTC−5): session 14:30-21:00 UTC
            {"symbol": "NYC", "time": _utc(2024, 3, 8, 14, 0), "price": 9.0, "size": 5.0},
            {"symbol": "NYC", "time": _utc(2024, 3, 8, 14, 30), "price": 10.0, "size": 100.0},
            {"symbol": "NYC", "time": _utc(2024, 3, 8, 21, 0), "price": 11.0, "size": 200.0},
            # 01:00 UTC on the 9th is still the 8th in New York (after-hours: dropped)
            {"symbol": "NYC", "time": _utc(2024, 3, 9, 1, 0), "price": 12.0, "size": 7.0},
            # 2024-03-11 (EDT, UTC−4 after the DST change): session 13:30-20:00 UTC
            {"symbol": "NYC", "time": _utc(2024, 3, 11, 13, 30), "price": 20.0, "size": 10.0},
            {"symbol": "NYC", "time": _utc(2024, 3, 11, 19, 0), "price": 21.0, "size": 10.0},
            {"symbol": "NYC", "time": _utc(2024, 3, 11, 19, 0), "price": 22.0, "size": 10.0},
            {"symbol": "NYC", "time": _utc(2024, 3, 11, 20, 30), "price": 23.0, "size": 10.0},
            # no instrument row: UTC dates, every print counts
            {"symbol": "UTC", "time": _utc(2024, 3, 8, 23, 59), "price": 1.0, "size": 1.0},
            {"symbol": "UTC", "time": _utc(2024, 3, 9, 0, 1), "price": 2.0, "size": 1.0},
        ],
    )
    # symbols out of order (forces the sort), same-instant prints keep feed order
    by_symbol = [trades.filter(pl.col("symbol") == s) for s in ("UTC", "NYC")]
    bars = daily_bars(pl.concat(by_symbol), NY)
    # realised variance: 5-minute buckets' last prints (22.0 closes the 19:00 bucket);
    # a session with one sampled interval has no return
    rv = bars["rv"].to_list()
    assert rv[0] == pytest.approx(math.log(11 / 10) ** 2)
    assert rv[1] == pytest.approx(math.log(22 / 20) ** 2)
    assert all(math.isnan(v) for v in rv[2:])
    assert bars.drop("rv").to_dicts() == [
        {"symbol": "NYC", "date": date(2024, 3, 8), "open": 10.0, "close": 11.0,
         "volume": 300.0, "n_trades": 2},
        # 20:30 UTC is after the 16:00 EDT close and dropped; of the two prints at
        # 19:00 the later in feed order (22.0) is the close
        {"symbol": "NYC", "date": date(2024, 3, 11), "open": 20.0, "close": 22.0,
         "volume": 30.0, "n_trades": 3},
        {"symbol": "UTC", "date": date(2024, 3, 8), "open": 1.0, "close": 1.0,
         "volume": 1.0, "n_trades": 1},
        {"symbol": "UTC", "date": date(2024, 3, 9), "open": 2.0, "close": 2.0,
         "volume": 1.0, "n_trades": 1},
    ]  # fmt: skip


def _bars(closes: list[float], volumes: list[float] | None = None) -> pl.DataFrame:
    n = len(closes)
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(n)]
    return pl.DataFrame(
        {
            "symbol": ["A"] * n,
            "date": days,
            "open": closes,
            "close": closes,
            "volume": volumes or [float(1000 + i) for i in range(n)],
        }
    )


def test_features_use_only_prior_days() -> None:
    rng = np.random.default_rng(0)
    closes = list(100 * np.exp(np.cumsum(rng.normal(0, 0.02, 40))))
    bars = _bars(closes)
    f = daily_features(bars)
    day = 30
    r = f.row(day, named=True)
    prior = np.array(closes[:day])
    rets = np.diff(np.log(prior))[-20:]
    assert r["sigma20"] == pytest.approx(np.std(rets, ddof=1), rel=1e-12)
    assert r["adv20"] == pytest.approx(np.mean([1000 + i for i in range(day - 20, day)]))
    assert r["prev_close"] == closes[day - 1]
    assert r["history_days"] == 20 and r["history_returns"] == 20
    # changing the day itself and every later day changes nothing for that day
    later = pl.int_range(pl.len()) >= day
    changed = bars.with_columns(
        pl.when(later).then(pl.col("close") * 3).otherwise(pl.col("close")).alias("close"),
        pl.when(later).then(1e9).otherwise(pl.col("volume")).alias("volume"),
    )
    assert daily_features(changed).row(day, named=True) == r


def test_short_history_fallback() -> None:
    f = daily_features(_bars([100.0, 101.0, 99.0, 100.0, 102.0, 103.0, 101.0, 104.0]))
    first = f.row(0, named=True)
    assert first["adv20"] is None and first["prev_close"] is None and first["sigma20"] is None
    assert first["history_days"] == 0
    # day 5 has 5 prior bars -> 4 returns < min_sigma_returns (5): σ missing, ADV present
    assert f["sigma20"][5] is None and f["adv20"][5] == pytest.approx(1002.0)
    # day 6 has 5 returns: σ from what there is
    rets = np.diff(np.log([100.0, 101.0, 99.0, 100.0, 102.0, 103.0]))
    assert f["sigma20"][6] == pytest.approx(np.std(rets, ddof=1))
    assert f["history_returns"][6] == 5
    loose = daily_features(_bars([100.0, 101.0, 99.0, 100.0]), TcaConfig(min_sigma_returns=2))
    assert loose["sigma20"][3] == pytest.approx(np.std(np.diff(np.log([100, 101, 99])), ddof=1))
    assert not math.isnan(loose["sigma20"][3])


def test_sigma_falls_back_to_realised_variance_when_daily_returns_are_few() -> None:
    """3 prior sessions (2 returns < 5): σ is √(mean rv) of those sessions, flagged."""
    bars = pl.DataFrame(
        {
            "symbol": ["A"] * 4,
            "date": [date(2024, 3, d) for d in (4, 5, 6, 7)],
            "open": [10.0] * 4,
            "close": [10.0, 10.1, 10.0, 10.2],
            "volume": [100.0, 200.0, 300.0, 400.0],
            "rv": [1e-4, 4e-4, 7e-4, 1.0],  # the 7th's own rv must not leak into the 7th
        }
    )
    feats = daily_features(bars, TcaConfig()).filter(pl.col("date") == date(2024, 3, 7))
    row = feats.row(0, named=True)
    assert row["sigma_source"] == "intraday"
    assert row["sigma20"] == pytest.approx(math.sqrt((1e-4 + 4e-4 + 7e-4) / 3))
    assert row["adv20"] == pytest.approx(200.0)
    # with enough daily returns the close-to-close estimate wins
    long = pl.DataFrame(
        {
            "symbol": ["A"] * 8,
            "date": [date(2024, 3, d) for d in range(1, 9)],
            "close": [10.0, 10.1, 10.0, 10.2, 10.1, 10.3, 10.2, 10.4],
            "volume": [1.0] * 8,
            "rv": [1.0] * 8,
        }
    )
    last = daily_features(long, TcaConfig()).row(-1, named=True)
    assert last["sigma_source"] == "daily"
    closes = np.array([10.0, 10.1, 10.0, 10.2, 10.1, 10.3, 10.2])
    assert last["sigma20"] == pytest.approx(float(np.std(np.diff(np.log(closes)), ddof=1)))
