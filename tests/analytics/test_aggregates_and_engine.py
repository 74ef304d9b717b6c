"""Additive aggregates and the run_tca entry point."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from tca.analytics import COST_NAMES, aggregate_costs, aggregate_markouts, run_tca

from .builders import frame
from .test_order_costs_examples import (
    ABC_FILLS,
    ABC_ORDER,
    ABC_QUOTES,
    XYZ_DAILY,
    XYZ_FILLS,
    XYZ_IMPACT,
    XYZ_INSTRUMENT,
    XYZ_ORDER,
    XYZ_QUOTES,
    XYZ_TRADES,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def result():
    return run_tca(
        orders=pl.concat([XYZ_ORDER, ABC_ORDER]),
        fills=pl.concat([XYZ_FILLS, ABC_FILLS]),
        quotes=pl.concat([XYZ_QUOTES, ABC_QUOTES]),
        trades=XYZ_TRADES,
        instruments=XYZ_INSTRUMENT,
        daily=XYZ_DAILY,
        permanent_impact=XYZ_IMPACT,
    )


def test_run_tca_shapes(result) -> None:
    assert result.order_costs["order_id"].to_list() == ["A", "B"]
    assert result.fill_markouts.height == 5
    # order attributes travel to the fills; per-order markout curve on the order
    a = result.fill_markouts.filter(pl.col("order_id") == "A")
    assert a["broker"].to_list() == ["BRK"] * 3 and a["algo"].to_list() == ["VWAP"] * 3
    costs = result.order_costs.filter(pl.col("order_id") == "A").row(0, named=True)
    w = a["notional"]
    assert costs["markout_0s"] == pytest.approx((a["markout_0s"] * w).sum() / w.sum())
    assert result.order_costs.filter(pl.col("order_id") == "B")["is_amount"][0] == pytest.approx(
        30.8
    )


def test_cost_aggregates_add_up(result) -> None:
    agg = result.cost_aggregates
    costs = result.order_costs
    assert set(agg["dimension"]) == {
        "broker", "algo", "trader", "desk", "symbol", "side", "trade_date", "regime",
        "size_bucket",
    }  # fmt: skip
    side = agg.filter(pl.col("dimension") == "side").sort("key")
    assert side["key"].to_list() == ["buy", "sell"]
    broker = agg.filter(pl.col("dimension") == "broker").sort("key")
    assert broker["key"].to_list() == ["BRK", "unknown"]
    # every dimension partitions the same orders: the totals agree
    for dim, part in agg.group_by("dimension"):
        assert part["n_orders"].sum() == 2, dim
        for name in COST_NAMES:
            assert part[f"{name}_amount"].sum() == pytest.approx(costs[f"{name}_amount"].sum()), (
                dim,
                name,
            )
    # notional-weighted bps of a key = Σ amount / Σ notional · 1e4 = the order's bps
    buy = side.row(0, named=True)
    a = costs.row(0, named=True)
    assert buy["is_amount"] / buy["is_notional"] * 1e4 == pytest.approx(a["is_bps"])
    assert buy["trade_date"] == date(2024, 1, 15)


def test_markout_aggregates_split_passive_and_aggressive(result) -> None:
    agg = aggregate_markouts(result.fill_markouts)
    venue = agg.filter(pl.col("dimension") == "liquidity")
    assert set(venue["key"]) == {"ADD", "REMOVE"}
    everything = agg.filter((pl.col("dimension") == "desk") & (pl.col("liquidity") == "all"))
    assert everything["n_fills"].sum() == 5
    m = result.fill_markouts
    assert everything["notional"].sum() == pytest.approx(m["notional"].sum())
    assert everything["markout_0s_wsum"].sum() == pytest.approx(
        (m["markout_0s"] * m["notional"]).sum()
    )
    split = agg.filter((pl.col("dimension") == "desk") & (pl.col("liquidity") != "all"))
    assert split["n_fills"].sum() == 5  # every fill is ADD or REMOVE here
    passive = agg.filter((pl.col("dimension") == "symbol") & (pl.col("liquidity") == "passive"))
    assert passive["n_fills"].sum() == 2


def test_aggregates_are_additive_over_chunks(result) -> None:
    costs = result.order_costs
    whole = aggregate_costs(costs)
    parts = pl.concat([aggregate_costs(costs.slice(0, 1)), aggregate_costs(costs.slice(1, 1))])
    summed = parts.group_by("dimension", "key", "trade_date").agg(
        pl.exclude("dimension", "key", "trade_date").sum()
    )
    joined = whole.join(summed, on=["dimension", "key", "trade_date"], suffix="_p")
    assert joined.height == whole.height
    for c in ("n_orders", "paper_notional", "is_amount", "spread_notional"):
        assert (joined[c] - joined[f"{c}_p"]).abs().max() < 1e-9


def test_chunk_without_quotes_or_fills_is_graceful() -> None:
    empty = run_tca(
        orders=XYZ_ORDER,
        fills=frame("fills", []),
        quotes=frame("quotes", []),
        trades=frame("trades", []),
        instruments=None,
        daily=None,
    )
    row = empty.order_costs.row(0, named=True)
    assert row["is_amount"] is None and row["delay_amount"] == 0.0
    assert {"no_fills", "missing_decision_quote", "missing_arrival_quote"} <= set(row["flags"])
    assert empty.fill_markouts.height == 0


def test_no_django_in_the_engine() -> None:
    code = (
        "import sys, tca.analytics; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    imports = re.compile(r"^\s*(from|import)\s+(django|tca\.(?!analytics|frames))", re.M)
    for path in (ROOT / "tca" / "analytics").glob("*.py"):
        assert not imports.search(path.read_text()), path.name
