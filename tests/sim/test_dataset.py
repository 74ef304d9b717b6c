"""Shape and consistency of a simulated data set: what ingestion and the TCA rely on."""

from __future__ import annotations

import polars as pl

from tca.frames import LIQUIDITY_FLAGS, REQUIRED_COLUMNS, SCHEMAS
from tca.sim import Dataset
from tca.sim.rfq import simulate_rfqs
from tca.sim.signals import INFORMATIVE, NOISE, simulate_signals
from tca.sim.warmup import warmup_history

from .measures import asof_mid, mids

TRUTH_ONLY = {"adv", "daily_vol", "regime", "sigma", "informed", "strategy", "temporary_bps"}


def test_frames_have_canonical_schemas(small: Dataset) -> None:
    for kind, schema in SCHEMAS.items():
        if kind == "daily":  # written from the truth by tca.sim.warmup, not a Dataset frame
            bars = warmup_history(small.market_truth, seed=small.config.seed)
            assert set(bars.columns) == set(REQUIRED_COLUMNS["daily"])
            assert bars.height > 0
            continue
        if kind == "rfq":  # written by tca.sim.rfq from the market, not a Dataset frame
            rfq = simulate_rfqs(small, seed=small.config.seed)
            assert dict(rfq.schema) == schema
            assert rfq.height > 0
            continue
        if kind == "signals":  # written by tca.sim.signals from the orders' truth
            signals = simulate_signals(small, seed=small.config.seed)
            assert dict(signals.schema) == schema
            assert set(signals["name"].unique()) == {INFORMATIVE, NOISE}
            continue
        frame = getattr(small, kind)
        assert dict(frame.schema) == schema, kind
        assert not TRUTH_ONLY & set(frame.columns), kind
        assert frame.height > 0
    assert small.truth.height == small.orders.height
    assert small.truth["order_id"].to_list() == small.orders["order_id"].to_list()
    n_segments = small.config.n_days * small.config.n_instruments
    assert small.market_truth.height == n_segments


def test_small_preset_size(small: Dataset) -> None:
    assert small.instruments.height == 5
    assert 120 <= small.orders.height <= 300
    assert small.market_truth["date"].n_unique() == 5


def test_references_and_quantities(small: Dataset) -> None:
    orders, fills = small.orders, small.fills
    assert orders["order_id"].is_unique().all()
    assert set(orders["symbol"]) <= set(small.instruments["symbol"])
    assert set(small.quotes["symbol"]) <= set(small.instruments["symbol"])
    assert fills["exec_id"].is_unique().all()
    joined = fills.join(orders, on="order_id", how="left", suffix="_o")
    assert joined["symbol_o"].null_count() == 0
    assert (joined["side"] == joined["side_o"]).all()
    assert (joined["symbol"] == joined["symbol_o"]).all()
    assert (joined["time"] > joined["arrival_time"]).all()
    assert (joined["end_time"].is_null() | (joined["time"] <= joined["end_time"])).all()
    assert (fills["quantity"] > 0).all()
    lots = fills.join(small.instruments.select("symbol", "lot_size"), on="symbol")
    assert (
        (lots["quantity"] / lots["lot_size"]).round(0) * lots["lot_size"] == lots["quantity"]
    ).all()
    executed = fills.group_by("order_id").agg(pl.col("quantity").sum().alias("x"))
    per_order = orders.join(executed, on="order_id", how="left").with_columns(
        pl.col("x").fill_null(0.0)
    )
    assert (per_order["x"] <= per_order["quantity"]).all()
    partial = per_order.filter(pl.col("x") < pl.col("quantity"))
    assert partial.height > 0 and partial["end_time"].null_count() == 0
    assert (
        per_order["decision_time"].is_null()
        | (per_order["decision_time"] < per_order["arrival_time"])
    ).all()
    assert per_order["decision_time"].null_count() < per_order.height


def test_variety_of_flow(small: Dataset) -> None:
    fills = small.fills
    assert set(fills["liquidity"]) == set(LIQUIDITY_FLAGS)
    assert set(fills["venue"]) == {"XNYS", "XNAS", "ARCX", "BATS", "IEXG"}
    assert (fills.filter(pl.col("liquidity") == "ADD")["fee"] < 0).any()
    assert (fills.filter(pl.col("liquidity") == "REMOVE")["fee"] > 0).all()
    assert small.orders["algo"].n_unique() == 8
    assert small.orders["broker"].n_unique() >= 4
    assert small.orders["trader"].n_unique() >= 6
    assert small.truth["informed"].any()
    assert set(small.market_truth["regime"]) <= {"calm", "volatile", "news"}


def test_quotes_on_the_tick_grid(small: Dataset) -> None:
    q = small.quotes.join(small.instruments.select("symbol", "tick_size"), on="symbol")
    assert q.select(pl.col("ask") > pl.col("bid")).to_series().all()
    assert (q["bid"] > 0).all()
    for col in ("bid", "ask"):
        ticks = q[col] / q["tick_size"]
        assert ((ticks - ticks.round(0)).abs() < 1e-6).all(), col
    assert ((q["bid_size"] > 0) & (q["ask_size"] > 0)).all()
    assert q.select(pl.struct("symbol", "time").is_unique()).to_series().all()
    assert small.quotes.equals(small.quotes.sort("symbol", "time"))
    assert small.trades.equals(small.trades.sort("symbol", "time", maintain_order=True))


def _local_minute(col: str) -> pl.Expr:
    local = pl.col(col).dt.convert_time_zone("America/New_York")
    return local.dt.hour().cast(pl.Int32) * 60 + local.dt.minute().cast(pl.Int32)


def test_spreads_wider_at_the_open(small: Dataset) -> None:
    q = small.quotes.with_columns(
        spread=(pl.col("ask") - pl.col("bid")) / (pl.col("ask") + pl.col("bid")) * 2e4,
        minute=_local_minute("time"),
    )
    opening = q.filter(pl.col("minute") < 9 * 60 + 40)["spread"].mean()
    midday = q.filter(pl.col("minute").is_between(12 * 60, 14 * 60))["spread"].mean()
    assert opening > 1.3 * midday


def test_fills_inside_the_book_strictly_before_them(small: Dataset) -> None:
    quotes = small.quotes.sort("symbol", "time")
    book = quotes.select("symbol", "time", "bid", "ask", quote_time="time")
    f = small.fills.sort("symbol", "time").join_asof(
        book.drop("time")
        .rename({"quote_time": "time_q"})
        .with_columns(pl.col("time_q").alias("time_b")),
        left_on="time",
        right_on="time_b",
        by="symbol",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    assert f["bid"].null_count() == 0
    assert (f["time_q"] < f["time"]).all()
    inside = (f["price"] >= f["bid"] - 1e-9) & (f["price"] <= f["ask"] + 1e-9)
    assert inside.all()
    buys = f["side"] > 0
    remove, add = f["liquidity"] == "REMOVE", f["liquidity"] == "ADD"
    assert (f.filter(remove & buys)["price"] == f.filter(remove & buys)["ask"]).all()
    assert (f.filter(add & buys)["price"] == f.filter(add & buys)["bid"]).all()
    assert (f.filter(remove & ~buys)["price"] == f.filter(remove & ~buys)["bid"]).all()


def test_our_fills_move_the_quotes(noiseless: Dataset) -> None:
    """With no exogenous noise, the mid right after buys is above the mid before them."""
    q = mids(noiseless)
    fills = noiseless.fills.filter(pl.col("liquidity") != "AUCTION")
    before = asof_mid(fills, "time", q, "m0")
    after = asof_mid(
        before.with_columns(later=pl.col("time") + pl.duration(milliseconds=5, time_unit="ns")),
        "later",
        q,
        "m1",
    )
    move = (after["side"].cast(pl.Float64) * (after["m1"] - after["m0"])).mean()
    assert move is not None and move > 0


def test_prints_inside_the_book(small: Dataset) -> None:
    t = small.trades.join_asof(
        small.quotes.select("symbol", "bid", "ask", qt="time"),
        left_on="time",
        right_on="qt",
        by="symbol",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    assert t["bid"].null_count() == 0
    assert ((t["price"] >= t["bid"] - 1e-9) & (t["price"] <= t["ask"] + 1e-9)).all()
    conditions = set(t["condition"].drop_nulls())
    assert conditions == {"O", "6"}
