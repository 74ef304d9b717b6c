"""The order table (``impact.table``) from stored TCA results and the tick store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from tca.ingestion.bulk import read_frame
from tca.instruments.services import instrument_frame
from tca.marketdata.store import tick_store

from .conf import models_conf
from .impact.market_state import market_state
from .impact.signals import signals_asof
from .impact.table import INPUT_COLUMNS, POST_CLIPPED_FLAG, conform_table

# The order table's inputs as stored (arrival as integer ns), then the realised costs.
_SQL_SCHEMA: dict[str, pl.DataType] = {
    "order_pk": pl.Int64(),
    **{
        ("arrival_ns" if name == "arrival_time" else name): (
            pl.Int64() if name == "arrival_time" else dtype
        )
        for name, dtype in INPUT_COLUMNS.items()
    },
    **dict.fromkeys(
        (
            "temporary_impact_bps",
            "permanent_impact_bps",
            "adverse_selection_bps",
            "execution_bps",
            "spread_bps",
        ),
        pl.Float64(),
    ),
    "post_clipped": pl.Boolean(),
}


def _stored_results(*, order_pks: list[int] | None) -> pl.DataFrame:
    where, params = "", []
    if order_pks is not None:
        if not order_pks:
            return pl.DataFrame(schema=_SQL_SCHEMA)
        where = f"WHERE o.id IN ({', '.join(['%s'] * len(order_pks))})"
        params = list(order_pks)
    return read_frame(
        f"""
        SELECT o.id, o.order_id, i.symbol, c.trade_date, o.arrival_ns, o.side, o.broker, o.algo,
               c.executed_qty, c.fill_rate, c.participation, c.size_adv, c.volatility, c.adv20,
               c.arrival_spread_bps, c.duration_s, c.passive_share, c.time_of_day, c.size_bucket,
               c.temporary_impact_bps, c.permanent_impact_bps, c.adverse_selection_bps,
               c.execution_bps, c.spread_bps,
               CAST(c.flags AS text) LIKE '%%"{POST_CLIPPED_FLAG}"%%'
        FROM costs_costresult c
        JOIN orders_parentorder o ON o.id = c.order_id
        JOIN instruments_instrument i ON i.id = o.instrument_id
        {where}
        ORDER BY o.arrival_ns, o.order_id
        """,  # noqa: S608 (placeholders and fixed column names only)
        params,
        _SQL_SCHEMA,
    )


def _state(orders: pl.DataFrame) -> pl.DataFrame:
    """Market state at arrival, one trade date at a time (bounded memory)."""
    store = tick_store()
    instruments = instrument_frame(symbols=orders["symbol"].unique().to_list())
    parts = []
    for (day,), frame in orders.group_by("trade_date"):
        symbols = frame["symbol"].unique().to_list()
        quotes = store.read("quotes", symbols=symbols, dates=[day])
        trades = store.read("trades", symbols=symbols, dates=[day])
        parts.append(market_state(frame, quotes, trades, instruments))
    return (
        pl.concat(parts)
        if parts
        else pl.DataFrame({"order_id": []}, schema={"order_id": pl.String})
    )


def order_table(*, order_pks: Iterable[int] | None = None) -> pl.DataFrame:
    """The order table of every stored result (or of ``order_pks``) plus ``order_pk``."""
    raw = _stored_results(order_pks=list(order_pks) if order_pks is not None else None)
    raw = raw.with_columns(
        pl.col("arrival_ns")
        .cast(pl.Datetime("ns"))
        .dt.replace_time_zone("UTC")
        .alias("arrival_time"),
        *(pl.col(c).replace("", None) for c in ("broker", "algo", "size_bucket")),
        (pl.col("permanent_impact_bps").fill_null(0.0) + pl.col("adverse_selection_bps")).alias(
            "permanent_bps"
        ),
        pl.col("temporary_impact_bps").alias("temporary_bps"),
        pl.col("execution_bps").alias("total_bps"),
        pl.col("spread_bps").alias("spread_cost_bps"),
    )
    if raw.height == 0:
        return conform_table(raw).with_columns(pl.lit(None, pl.Int64).alias("order_pk"))
    state = _state(raw)
    joined = raw.join(state, on="order_id", how="left")
    names = models_conf().signal_names()
    if names:
        joined = joined.join(_signals(raw, names), on="order_id", how="left")
    table = conform_table(joined)
    return table.join(raw.select("order_id", "order_pk"), on="order_id", how="left")


def _signals(orders: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """The configured signals as of each order's arrival (``impact.signals``)."""
    max_age = dt.timedelta(days=models_conf().signal_max_age_days)
    first, last = orders["arrival_time"].min(), orders["arrival_time"].max()
    days = pl.date_range(
        (first - max_age).date(), last.date(), eager=True  # type: ignore[operator, union-attr]
    ).to_list()
    published = tick_store().read(
        "signals", symbols=orders["symbol"].unique().to_list(), dates=days
    ).filter(pl.col("name").is_in(names))
    return signals_asof(orders, published, names, max_age=max_age)


def trade_dates(table: pl.DataFrame) -> list[dt.date]:
    return sorted(table["trade_date"].unique().to_list())
