"""Hand-computed order costs: every component, benchmark and flag worked out below."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tca.analytics import COST_NAMES, TcaConfig, compute_order_costs

from .builders import at, frame, quotes, row, trades

approx = pytest.approx

# ---------------------------------------------------------------------------
# Example A: BUY 1000 XYZ (London, session 08:00-16:30, winter so local = UTC),
# partially filled, decided before arrival, with a fee, a rebate and a null fee,
# and a permanent-impact model estimate.
# ---------------------------------------------------------------------------
XYZ_QUOTES = quotes(
    "XYZ",
    [
        ("09:58:00", 99.94, 99.98),  # mid 99.96  -> P_d (decision 09:58:30)
        ("09:59:00", 99.98, 100.02),  # mid 100.00 -> P_a (arrival 10:00:00, strictly before)
        ("10:00:00", 100.00, 100.04),  # mid 100.02 -> m1; NOT P_a (at, not before, arrival)
        ("10:01:00", 100.06, 100.10),  # mid 100.08 -> m2
        ("10:03:00", 100.10, 100.14),  # mid 100.12 -> m3 and P_e (end 10:06)
        ("10:20:00", 100.16, 100.20),  # mid 100.18
        ("10:33:00", 100.06, 100.10),  # mid 100.08 -> P_post (10:06 + 30 min = 10:36)
        ("10:40:00", 100.30, 100.34),  # after the post time: never used
    ],
)
XYZ_TRADES = trades(
    "XYZ",
    [
        ("07:30:00", 100.50, 900.0),  # pre-market: not the open
        ("08:00:00", 99.50, 100.0),  # first in-session print: open
        ("09:59:30", 99.99, 500.0),  # before the window
        ("10:00:00", 100.02, 200.0),  # window [10:00, 10:06] includes both ends
        ("10:02:30", 100.10, 600.0),
        ("10:06:00", 100.13, 200.0),
        ("10:07:00", 100.20, 1000.0),  # after the window (used by PWP)
        ("11:00:00", 100.00, 5000.0),
        ("16:30:00", 100.30, 100.0),  # last in-session print: close
        ("16:45:00", 101.00, 100.0),  # after-market: not the close
    ],
)
XYZ_ORDER = frame(
    "orders",
    [
        {
            "order_id": "A",
            "symbol": "XYZ",
            "side": 1,
            "quantity": 1000.0,
            "decision_time": at("09:58:30"),
            "arrival_time": at("10:00:00"),
            "end_time": at("10:06:00"),
            "broker": "BRK",
            "algo": "VWAP",
        }
    ],
)
XYZ_FILLS = frame(
    "fills",
    [
        {"exec_id": "a1", "order_id": "A", "symbol": "XYZ", "side": 1, "quantity": 200.0,
         "price": 100.04, "time": at("10:00:30"), "fee": 2.00, "liquidity": "REMOVE"},
        {"exec_id": "a2", "order_id": "A", "symbol": "XYZ", "side": 1, "quantity": 300.0,
         "price": 100.07, "time": at("10:02:00"), "fee": -0.90, "liquidity": "ADD"},
        {"exec_id": "a3", "order_id": "A", "symbol": "XYZ", "side": 1, "quantity": 100.0,
         "price": 100.15, "time": at("10:05:00"), "fee": None, "liquidity": "REMOVE"},
    ],
)  # fmt: skip
XYZ_INSTRUMENT = frame(
    "instruments",
    [{"symbol": "XYZ", "timezone": "Europe/London", "session_open": "08:00",
      "session_close": "16:30"}],
)  # fmt: skip
XYZ_DAILY = pl.DataFrame(
    {
        "symbol": ["XYZ"] * 3,
        "date": [date(2024, 1, 10), date(2024, 1, 11), date(2024, 1, 12)],
        "open": [97.5, 98.5, 99.5],
        "close": [98.0, 99.0, 99.8],
        "volume": [1e6, 2e6, 3e6],
    }
)
XYZ_IMPACT = pl.DataFrame(
    {"order_id": ["A"], "permanent_impact_frac": [0.0002], "model_version": ["pi-v3"]}
)


@pytest.fixture(scope="module")
def buy() -> dict:
    costs = compute_order_costs(
        orders=XYZ_ORDER,
        fills=XYZ_FILLS,
        quotes=XYZ_QUOTES,
        trades=XYZ_TRADES,
        instruments=XYZ_INSTRUMENT,
        daily=XYZ_DAILY,
        permanent_impact=XYZ_IMPACT,
    )
    assert costs.height == 1
    return row(costs, "A")


def test_buy_reference_prices(buy: dict) -> None:
    assert buy["decision_mid"] == approx(99.96)
    assert buy["arrival_mid"] == approx(100.00)
    assert buy["end_mid"] == approx(100.12)
    assert buy["post_mid"] == approx(100.08)
    assert buy["post_time"] == at("10:36:00")
    assert buy["trade_date"] == date(2024, 1, 15)
    # X = 600, Σq·p = 200·100.04 + 300·100.07 + 100·100.15 = 20008 + 30021 + 10015 = 60044
    assert buy["executed_qty"] == 600.0
    assert buy["executed_notional"] == approx(60044.0)
    assert buy["avg_price"] == approx(60044.0 / 600.0)
    assert buy["paper_notional"] == approx(1000 * 99.96)  # Q·P_d = 99960


def test_buy_cost_amounts(buy: dict) -> None:
    # delay        = X·(P_a − P_d)            = 600·(100.00 − 99.96)        = 24
    # execution    = Σq(p − P_a)              = 60044 − 600·100             = 44
    # opportunity  = (Q − X)(P_e − P_d)       = 400·(100.12 − 99.96)        = 64
    # fees         = 2.00 − 0.90 + 0 (null)                                  = 1.10
    # IS           = Σq(p − P_d) + 64 + 1.10  = (60044 − 59976) + 64 + 1.10 = 133.10
    # spread       = Σq(p − m) = 200·0.02 + 300·(−0.01) + 100·0.03          = 4
    # temporary    = Σq(m − P_post) = 200·(−0.06) + 300·0 + 100·0.04        = −8
    # permanent    = X·P_a·frac = 600·100·0.0002                            = 12
    # adverse      = X(P_post − P_a) − Î = 600·0.08 − 12                    = 36
    expected = {
        "is": 133.10,
        "delay": 24.0,
        "execution": 44.0,
        "opportunity": 64.0,
        "fees": 1.10,
        "spread": 4.0,
        "temporary_impact": -8.0,
        "permanent_impact": 12.0,
        "adverse_selection": 36.0,
    }
    for name, amount in expected.items():
        assert buy[f"{name}_amount"] == approx(amount, abs=1e-9), name
        assert buy[f"{name}_bps"] == approx(amount / 99960.0 * 1e4, abs=1e-9), name
    assert buy["model_version"] == "pi-v3"


def test_buy_benchmarks(buy: dict) -> None:
    avg = 60044.0 / 600.0  # 100.073333…
    # VWAP over [10:00, 10:06]: (200·100.02 + 600·100.10 + 200·100.13) / 1000 = 100.09
    # TWAP over the 360 s: the 10:00:00 quote replaces the arrival mid at once, so
    #   60 s @ 100.02 + 120 s @ 100.08 + 180 s @ 100.12 = 36032.4 / 360 = 100.09
    # PWP at 10 %: 6000 shares from 10:00: 200 + 600 + 200 + 1000 + 4000 of the 5000
    #   at 11:00 -> (20004 + 60060 + 20026 + 100200 + 400000) / 6000 = 100.048333…
    expected = {
        "arrival": 100.00,
        "vwap": 100.09,
        "twap": 100.09,
        "open": 99.50,
        "close": 100.30,
        "previous_close": 99.8,
        "pwp": 600290.0 / 6000.0,
    }
    for name, price in expected.items():
        assert buy[f"{name}_price"] == approx(price, rel=1e-12), name
        assert buy[f"{name}_slippage_bps"] == approx((avg - price) / price * 1e4, rel=1e-9), name


def test_buy_features_and_flags(buy: dict) -> None:
    assert buy["fill_rate"] == approx(0.6)
    assert buy["participation"] == approx(600 / 1000)
    assert buy["adv20"] == approx(2e6)  # mean of the 3 prior days
    assert buy["size_adv"] == approx(600 / 2e6)
    assert buy["size_bucket"] == "<0.5%"
    assert buy["volatility"] is None  # 2 prior returns < min_sigma_returns (5)
    assert buy["arrival_spread_bps"] == approx(0.04 / 100.0 * 1e4)
    assert buy["duration_s"] == approx(360.0)
    assert buy["passive_share"] == approx(300 / 600)
    assert buy["time_of_day"] == approx(2.0 / 8.5)  # 10:00 in an 08:00-16:30 session
    assert buy["minutes_since_open"] == approx(120.0)
    assert buy["n_fills"] == 3
    assert buy["flags"] == ["short_history"]
    assert buy["history_days"] == 3
    assert buy["history_returns"] == 2
    assert buy["prev_close_date"] == date(2024, 1, 12)


# ---------------------------------------------------------------------------
# Example B: SELL 500 ABC, fully filled, decision = arrival, a rebate and a fee,
# no instrument data (UTC, unknown session), no prints, no daily history.
# ---------------------------------------------------------------------------
ABC_QUOTES = quotes(
    "ABC",
    [
        ("14:00:00", 50.00, 50.02),  # mid 50.01 -> P_d = P_a (arrival 14:00:30)
        ("14:00:40", 49.96, 49.98),  # mid 49.97 -> m1
        ("14:02:00", 49.90, 49.92),  # mid 49.91 -> m2 and P_e (last fill 14:03)
        ("14:31:00", 49.80, 49.84),  # mid 49.82 -> P_post (14:33, not clipped)
    ],
)
ABC_ORDER = frame(
    "orders",
    [{"order_id": "B", "symbol": "ABC", "side": -1, "quantity": 500.0,
      "arrival_time": at("14:00:30")}],
)  # fmt: skip
ABC_FILLS = frame(
    "fills",
    [
        {"exec_id": "b1", "order_id": "B", "symbol": "ABC", "side": -1, "quantity": 300.0,
         "price": 49.98, "time": at("14:01:00"), "fee": -0.60, "liquidity": "ADD"},
        {"exec_id": "b2", "order_id": "B", "symbol": "ABC", "side": -1, "quantity": 200.0,
         "price": 49.90, "time": at("14:03:00"), "fee": 0.40, "liquidity": "REMOVE"},
    ],
)  # fmt: skip


@pytest.fixture(scope="module")
def sell() -> dict:
    costs = compute_order_costs(
        orders=ABC_ORDER,
        fills=ABC_FILLS,
        quotes=ABC_QUOTES,
        trades=frame("trades", []),
        instruments=None,
        daily=None,
    )
    return row(costs, "B")


def test_sell_full_fill(sell: dict) -> None:
    # s = −1, X = Q = 500, Σq·p = 300·49.98 + 200·49.90 = 14994 + 9980 = 24974
    # execution   = −(24974 − 500·50.01) = −(24974 − 25005)                = 31
    # delay       = 0 (P_d = P_a), opportunity = 0 (full fill)
    # fees        = −0.60 + 0.40                                            = −0.20
    # IS          = 31 − 0.20                                               = 30.80
    # spread      = −[300(49.98 − 49.97) + 200(49.90 − 49.91)] = −(3 − 2)   = −1
    # temporary   = −[300(49.97 − 49.82) + 200(49.91 − 49.82)] = −(45 + 18) = −63
    # permanent   = 0 (no model)
    # adverse     = −500(49.82 − 50.01)                                     = 95
    expected = {
        "is": 30.80,
        "delay": 0.0,
        "execution": 31.0,
        "opportunity": 0.0,
        "fees": -0.20,
        "spread": -1.0,
        "temporary_impact": -63.0,
        "permanent_impact": 0.0,
        "adverse_selection": 95.0,
    }
    paper = 500 * 50.01
    for name, amount in expected.items():
        assert sell[f"{name}_amount"] == approx(amount, abs=1e-9), name
        assert sell[f"{name}_bps"] == approx(amount / paper * 1e4, abs=1e-9), name
    assert sell["opportunity_amount"] == 0.0
    assert sell["delay_amount"] == 0.0
    assert sell["end_time"] == at("14:03:00")  # last fill
    assert sell["post_time"] == at("14:33:00")


def test_sell_benchmarks_and_flags(sell: dict) -> None:
    avg = 24974.0 / 500.0  # 49.948
    assert sell["arrival_slippage_bps"] == approx(-(avg - 50.01) / 50.01 * 1e4)
    # TWAP over [14:00:30, 14:03:00] = (10·50.01 + 80·49.97 + 60·49.91) / 150
    twap = (10 * 50.01 + 80 * 49.97 + 60 * 49.91) / 150
    assert sell["twap_price"] == approx(twap, rel=1e-12)
    assert sell["twap_slippage_bps"] == approx(-(avg - twap) / twap * 1e4, rel=1e-9)
    for name in ("vwap", "open", "close", "previous_close", "pwp"):
        assert sell[f"{name}_price"] is None, name
        assert sell[f"{name}_slippage_bps"] is None, name
    assert sell["participation"] is None
    assert sell["adv20"] is None and sell["size_adv"] is None and sell["size_bucket"] is None
    assert sell["time_of_day"] is None
    assert sell["passive_share"] == approx(0.6)
    assert sell["trade_date"] == date(2024, 1, 15)
    assert sell["flags"] == [
        "missing_trades",
        "pwp_insufficient_volume",
        "missing_daily_bar",
        "no_history",
        "unknown_session",
    ]


# ---------------------------------------------------------------------------
# Example C: orders with missing data give nulls and flags, never numbers.
# ---------------------------------------------------------------------------
def test_unfilled_order_is_all_opportunity() -> None:
    # BUY 100 ABC, no fills, cancelled at 14:02:30: P_d = P_a = 50.01,
    # P_e = mid before 14:02:30 = 49.91 -> opportunity = 100·(49.91 − 50.01) = −10
    orders = frame(
        "orders",
        [{"order_id": "C", "symbol": "ABC", "side": 1, "quantity": 100.0,
          "arrival_time": at("14:00:30"), "end_time": at("14:02:30")}],
    )  # fmt: skip
    c = row(
        compute_order_costs(
            orders=orders, fills=frame("fills", []), quotes=ABC_QUOTES,
            trades=frame("trades", []),
        ),
        "C",
    )  # fmt: skip
    assert c["opportunity_amount"] == approx(-10.0)
    assert c["is_amount"] == approx(-10.0)
    for name in ("delay", "execution", "fees", "spread", "temporary_impact"):
        assert c[f"{name}_amount"] == 0.0, name
    assert c["adverse_selection_amount"] == 0.0
    assert c["avg_price"] is None and c["arrival_slippage_bps"] is None
    assert "no_fills" in c["flags"]


def test_stale_and_missing_quotes_give_nulls_and_flags() -> None:
    # Arrival 14:10:00: last quote 14:02:00 is 8 min old (> 5 min) -> P_a missing;
    # the fill at 14:10:30 has the same stale quote -> m missing.
    orders = frame(
        "orders",
        [
            {"order_id": "S", "symbol": "ABC", "side": 1, "quantity": 100.0,
             "arrival_time": at("14:10:00")},
            {"order_id": "N", "symbol": "NOQ", "side": -1, "quantity": 100.0,
             "arrival_time": at("14:10:00")},
        ],
    )  # fmt: skip
    fills = frame(
        "fills",
        [{"exec_id": "s1", "order_id": "S", "symbol": "ABC", "side": 1, "quantity": 100.0,
          "price": 50.0, "time": at("14:10:30")}],
    )  # fmt: skip
    costs = compute_order_costs(
        orders=orders, fills=fills, quotes=ABC_QUOTES, trades=frame("trades", [])
    )
    s = row(costs, "S")
    assert s["arrival_mid"] is None and s["decision_mid"] is None
    assert s["is_amount"] is None and s["is_bps"] is None
    assert s["execution_amount"] is None and s["spread_amount"] is None
    assert s["fees_amount"] == 0.0
    assert {"missing_arrival_quote", "missing_fill_quote", "stale_quote"} <= set(s["flags"])
    n = row(costs, "N")  # a symbol without any quote: missing, not stale
    assert "missing_arrival_quote" in n["flags"] and "stale_quote" not in n["flags"]
    assert all(n[f"{c}_bps"] is None for c in ("is", "opportunity"))


def test_staleness_limit_is_configurable() -> None:
    orders = frame(
        "orders",
        [{"order_id": "S", "symbol": "ABC", "side": 1, "quantity": 100.0,
          "arrival_time": at("14:10:00"), "end_time": at("14:10:00")}],
    )  # fmt: skip
    from datetime import timedelta

    costs = compute_order_costs(
        orders=orders,
        fills=frame("fills", []),
        quotes=ABC_QUOTES,
        trades=frame("trades", []),
        config=TcaConfig(staleness=timedelta(minutes=10)),
    )
    assert row(costs, "S")["arrival_mid"] == approx(49.91)


def test_output_has_every_cost_column() -> None:
    costs = compute_order_costs(
        orders=ABC_ORDER, fills=ABC_FILLS, quotes=ABC_QUOTES, trades=frame("trades", [])
    )
    for name in COST_NAMES:
        assert costs.schema[f"{name}_amount"] == pl.Float64
        assert costs.schema[f"{name}_bps"] == pl.Float64
    assert costs.schema["flags"] == pl.List(pl.String)
