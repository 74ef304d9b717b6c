"""Loading one chunk's orders and fills from SQL into the analytics' frames."""

from __future__ import annotations

import datetime as dt

import polars as pl

from tca.frames import FILLS_SCHEMA, ORDERS_SCHEMA
from tca.ingestion.bulk import read_frame

_ORDER_SQL_SCHEMA: dict[str, pl.DataType] = {
    "order_pk": pl.Int64(),
    "order_id": pl.String(),
    "symbol": pl.String(),
    "side": pl.Int8(),
    "quantity": pl.Float64(),
    "arrival_ns": pl.Int64(),
    "decision_ns": pl.Int64(),
    "end_ns": pl.Int64(),
    "limit_price": pl.Float64(),
    "broker": pl.String(),
    "algo": pl.String(),
    "trader": pl.String(),
    "desk": pl.String(),
    "portfolio": pl.String(),
    "currency": pl.String(),
    "trade_date": pl.Date(),
}

_FILL_SQL_SCHEMA: dict[str, pl.DataType] = {
    "exec_id": pl.String(),
    "order_id": pl.String(),
    "symbol": pl.String(),
    "side": pl.Int8(),
    "quantity": pl.Float64(),
    "price": pl.Float64(),
    "time_ns": pl.Int64(),
    "venue": pl.String(),
    "liquidity": pl.String(),
    "broker": pl.String(),
    "algo": pl.String(),
    "fee": pl.Float64(),
    "currency": pl.String(),
}


def _ns_to_time(column: str, alias: str) -> pl.Expr:
    return pl.col(column).cast(pl.Datetime("ns")).dt.replace_time_zone("UTC").alias(alias)


def _in_list(values: list[str]) -> tuple[str, list[object]]:
    return ", ".join(["%s"] * len(values)), list(values)


def chunk_orders(*, trade_date: dt.date, symbols: list[str]) -> pl.DataFrame:
    marks, params = _in_list(symbols)
    frame = read_frame(
        f"""
        SELECT o.id, o.order_id, i.symbol, o.side, o.quantity, o.arrival_ns, o.decision_ns,
               o.end_ns, o.limit_price, o.broker, o.algo, o.trader, o.desk, o.portfolio,
               o.currency, o.trade_date
        FROM orders_parentorder o JOIN instruments_instrument i ON i.id = o.instrument_id
        WHERE o.trade_date = %s AND i.symbol IN ({marks})
        """,  # noqa: S608 (placeholders only)
        [trade_date, *params],
        _ORDER_SQL_SCHEMA,
    )
    return frame.with_columns(
        _ns_to_time("arrival_ns", "arrival_time"),
        _ns_to_time("decision_ns", "decision_time"),
        _ns_to_time("end_ns", "end_time"),
    ).select(*ORDERS_SCHEMA, "order_pk", "trade_date")


def chunk_fills(*, trade_date: dt.date, symbols: list[str]) -> pl.DataFrame:
    marks, params = _in_list(symbols)
    frame = read_frame(
        f"""
        SELECT f.exec_id, o.order_id, i.symbol, f.side, f.quantity, f.price, f.time_ns,
               f.venue, f.liquidity, f.broker, f.algo, f.fee, f.currency
        FROM orders_fill f
        JOIN orders_parentorder o ON o.id = f.order_id
        JOIN instruments_instrument i ON i.id = o.instrument_id
        WHERE o.trade_date = %s AND i.symbol IN ({marks}) AND NOT f.is_cancelled
        """,  # noqa: S608 (placeholders only)
        [trade_date, *params],
        _FILL_SQL_SCHEMA,
    )
    return frame.with_columns(
        _ns_to_time("time_ns", "time"),
        pl.col("liquidity").replace("", None),
    ).select(list(FILLS_SCHEMA))


def stored_costs(*, dates: list[dt.date]) -> pl.DataFrame:
    """Stored results of ``dates`` with the order attributes the aggregates group by."""
    from tca.analytics import COST_NAMES

    if not dates:
        return pl.DataFrame()
    marks = ", ".join(["%s"] * len(dates))
    amounts = ", ".join(f"c.{n}_amount" for n in COST_NAMES)
    schema: dict[str, pl.DataType] = {
        "order_id": pl.String(),
        "symbol": pl.String(),
        "side": pl.Int8(),
        "trade_date": pl.Date(),
        "broker": pl.String(),
        "algo": pl.String(),
        "trader": pl.String(),
        "desk": pl.String(),
        "regime": pl.String(),
        "size_bucket": pl.String(),
        "paper_notional": pl.Float64(),
        "executed_notional": pl.Float64(),
        **{f"{n}_amount": pl.Float64() for n in COST_NAMES},
    }
    frame = read_frame(
        f"""
        SELECT o.order_id, i.symbol, o.side, c.trade_date, o.broker, o.algo, o.trader, o.desk,
               c.regime, c.size_bucket, c.paper_notional, c.executed_notional, {amounts}
        FROM costs_costresult c
        JOIN orders_parentorder o ON o.id = c.order_id
        JOIN instruments_instrument i ON i.id = o.instrument_id
        WHERE c.trade_date IN ({marks})
        """,  # noqa: S608 (placeholders and fixed column names only)
        list(dates),
        schema,
    )
    return frame.with_columns(
        pl.col(c).replace("", None) for c in ("broker", "algo", "trader", "desk", "regime",
                                               "size_bucket")
    )
