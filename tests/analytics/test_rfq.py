"""RFQ fairness by hand: markups, the lit-market comparison, the flag and markouts."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from tca.analytics.rfq import mids_before, quote_fairness

T0 = dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC)
S = 1_000_000_000
NS0 = int(T0.timestamp()) * S


def _quotes(rows: list[tuple[float, float, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {"symbol": ["AAA"] * len(rows), "time": [T0 + dt.timedelta(seconds=t) for t, _, _ in rows],
         "bid": [b for _, b, _ in rows], "ask": [a for _, _, a in rows]}
    ).with_columns(pl.col("time").dt.cast_time_unit("ns"))  # fmt: skip


def test_the_mid_is_strictly_before_and_missing_when_stale() -> None:
    quotes = _quotes([(0, 99.0, 101.0), (10, 100.0, 102.0)])
    times = [NS0 + 10 * S, NS0 + 11 * S, NS0 + 400 * S]
    points = pl.DataFrame({"symbol": ["AAA"] * 3, "t": times})
    mids = mids_before(points, quotes, time="t", staleness_ns=300 * S)
    assert mids.to_list() == [100.0, 101.0, None]  # at 10 s the 10 s quote is not yet known


def test_markups_flag_and_the_winners_markouts() -> None:
    quotes = _quotes([(0, 99.9, 100.1), (59, 100.4, 100.6), (299, 99.4, 99.6), (1799, 99.9, 100.1)])
    rfq = pl.DataFrame({
        "symbol": ["AAA", "AAA"], "dealer": ["FAIR", "WIDE"], "side": [1, 1],
        "quote_price": [100.05, 100.40], "quote_ns": [NS0 + 2 * S, NS0 + 2 * S],
        "status": ["FILLED", "PASSED"], "lit_cost_bps": [8.0, 8.0],
        "lit_cost_std_bps": [10.0, 10.0],
    })  # fmt: skip
    out = quote_fairness(rfq, quotes, staleness_ns=300 * S, flag_quantile=0.95)
    fair, wide = out.row(0, named=True), out.row(1, named=True)
    assert fair["mid"] == pytest.approx(100.0)
    assert fair["markup_bps"] == pytest.approx(5.0)  # 0.05 over 100
    assert wide["markup_bps"] == pytest.approx(40.0)
    assert fair["markup_vs_lit_bps"] == pytest.approx(-3.0)
    assert (fair["beyond_model"], wide["beyond_model"]) == (False, True)  # 8 + 1.645·10 = 24.4
    # Bought at 100.05; mids 100.5 after 60 s, 99.5 after 300 s, 100.0 after 1800 s.
    assert fair["markout_60"] == pytest.approx((100.05 - 100.5) / 100 * 1e4)
    assert fair["markout_300"] == pytest.approx((100.05 - 99.5) / 100 * 1e4)
    assert fair["markout_1800"] == pytest.approx(5.0)
    assert wide["markout_60"] is None  # only the winner traded
