"""Fill markouts: hand-computed values, session clipping and no look-ahead."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tca.analytics import TcaConfig, compute_fill_markouts, markout_column

from .builders import at, frame, quotes
from .test_order_costs_examples import XYZ_FILLS, XYZ_INSTRUMENT, XYZ_QUOTES

approx = pytest.approx


def test_hand_computed_markouts() -> None:
    m = compute_fill_markouts(fills=XYZ_FILLS, quotes=XYZ_QUOTES, instruments=XYZ_INSTRUMENT)
    assert [c for c in m.columns if c.startswith("markout_")] == [
        "markout_m60s",
        "markout_0s",
        "markout_1s",
        "markout_10s",
        "markout_60s",
        "markout_300s",
        "markout_1800s",
    ]
    a1 = m.filter(pl.col("exec_id") == "a1").row(0, named=True)
    # BUY 200 @ 100.04 at 10:00:30; mid(t) = quote 10:00:00 = 100.02
    #   −60 s: mid(09:59:30) = 100.00 -> (100.04 − 100.00)/100.02·1e4 =  3.9992…
    #     0 s: mid(10:00:30) = 100.02 -> 0.02/100.02·1e4               =  1.9996…
    #    60 s: mid(10:01:30) = 100.08 -> −0.04/100.02·1e4              = −3.9992…
    #   300 s: mid(10:05:30) = 100.12 -> −0.08/100.02·1e4              = −7.9984…
    #  1800 s: mid(10:30:30): last quote 10:20:00 is 10.5 min old      -> stale, null
    assert a1["mid"] == approx(100.02)
    assert a1["markout_m60s"] == approx(0.04 / 100.02 * 1e4)
    assert a1["markout_0s"] == approx(0.02 / 100.02 * 1e4)
    assert a1["markout_1s"] == approx(0.02 / 100.02 * 1e4)
    assert a1["markout_60s"] == approx(-0.04 / 100.02 * 1e4)
    assert a1["markout_300s"] == approx(-0.08 / 100.02 * 1e4)
    assert a1["markout_1800s"] is None
    assert a1["passive"] is False and a1["notional"] == approx(200 * 100.04)
    a2 = m.filter(pl.col("exec_id") == "a2").row(0, named=True)
    # passive BUY 300 @ 100.07 at 10:02:00, mid 100.08: earned the spread (negative at 0)
    assert a2["markout_0s"] == approx(-0.01 / 100.08 * 1e4)
    assert a2["passive"] is True


def test_sell_markout_sign() -> None:
    q = quotes("S", [("10:00:00", 49.99, 50.01), ("10:00:05", 49.89, 49.91)])
    fills = frame(
        "fills",
        [{"exec_id": "x", "order_id": "o", "symbol": "S", "side": -1, "quantity": 10.0,
          "price": 49.99, "time": at("10:00:01")}],
    )  # fmt: skip
    m = compute_fill_markouts(fills=fills, quotes=q).row(0, named=True)
    # SELL @ 49.99 with mid 50.00: paid half the spread, −(49.99 − 50)/50·1e4 = 2 bps
    assert m["markout_0s"] == approx(-(49.99 - 50.00) / 50.00 * 1e4)
    # 10 s later the mid is 49.90: the market fell after our sale -> negative (good for us)
    assert m["markout_10s"] == approx(-(49.99 - 49.90) / 50.00 * 1e4)


def test_positive_horizons_stop_at_the_session_close() -> None:
    # London session closes 16:30; a fill at 16:20 looks at mid(16:30) for h = 30 min
    q = quotes("XYZ", [("16:19:00", 99.0, 101.0), ("16:29:00", 101.0, 103.0),
                       ("16:45:00", 120.0, 122.0)])  # fmt: skip
    fills = frame(
        "fills",
        [{"exec_id": "x", "order_id": "o", "symbol": "XYZ", "side": 1, "quantity": 1.0,
          "price": 100.0, "time": at("16:20:00")}],
    )  # fmt: skip
    clipped = compute_fill_markouts(fills=fills, quotes=q, instruments=XYZ_INSTRUMENT)
    assert clipped["markout_1800s"][0] == approx((100.0 - 102.0) / 100.0 * 1e4)
    raw = compute_fill_markouts(
        fills=fills, quotes=q, instruments=XYZ_INSTRUMENT,
        config=TcaConfig(clip_markouts_to_close=False),
    )  # fmt: skip
    assert raw["markout_1800s"][0] == approx((100.0 - 121.0) / 100.0 * 1e4)


def test_custom_horizons() -> None:
    cfg = TcaConfig(markout_horizons=(timedelta(milliseconds=500), timedelta(hours=1)))
    m = compute_fill_markouts(fills=XYZ_FILLS, quotes=XYZ_QUOTES, config=cfg)
    assert [c for c in m.columns if c.startswith("markout_")] == [
        "markout_500ms",
        "markout_3600s",
    ]
    assert markout_column(timedelta(seconds=-60)) == "markout_m60s"


@settings(max_examples=8, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3000), st.integers(-20, 20)), min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 2000), st.sampled_from([1, -1])), min_size=1, max_size=4),
)
def test_markouts_never_look_ahead(qrows, frows) -> None:
    # Fill i trades its own symbol S{i} (same quote path for all), so one call per
    # horizon can cut every fill's quotes at its own probe time.
    t0 = at("10:00:00")
    q = frame(
        "quotes",
        [{"symbol": f"S{i}", "time": t0 + timedelta(seconds=s), "bid": 100 + d / 100 - 0.01,
          "ask": 100 + d / 100 + 0.01} for i in range(len(frows)) for s, d in qrows],
    ).sort("symbol", "time")  # fmt: skip
    fills = frame(
        "fills",
        [{"exec_id": f"f{i}", "order_id": "o", "symbol": f"S{i}", "side": side, "quantity": 1.0,
          "price": 100.0, "time": t0 + timedelta(seconds=s)} for i, (s, side) in enumerate(frows)],
    )  # fmt: skip
    cfg = TcaConfig(staleness=timedelta(hours=2))
    full = compute_fill_markouts(fills=fills, quotes=q, config=cfg)
    fill_time = pl.col("symbol").replace_strict(fills["symbol"], fills["time"])
    for h in cfg.markout_horizons:
        # Drop every quote at or after max(t, t + h): mid(t + h) and the denominator
        # mid(t) only ever see quotes strictly before their own time.
        cut = q.filter(pl.col("time") < pl.max_horizontal(fill_time, fill_time + h))
        col = markout_column(h)
        only_past = compute_fill_markouts(fills=fills, quotes=cut, config=cfg)
        assert only_past[col].to_list() == full[col].to_list()
