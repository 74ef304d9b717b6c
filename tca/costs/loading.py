"""Loading one chunk's orders and fills from SQL into the analytics' frames."""

from __future__ import annotations

import datetime as dt

import polars as pl

from tca.frames import FILLS_SCHEMA, ORDERS_SCHEMA
from tca.ingestion.bulk import is_postgresql, read_frame

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
    "order_pk": pl.Int64(),
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


def chunk_fills(*, orders: pl.DataFrame) -> pl.DataFrame:
    """The live fills of ``orders`` (a :func:`chunk_orders` frame).

    Fills are looked up by their orders' keys (one array parameter, the order
    index) and converted to floats by the server; the order's id and symbol
    come from ``orders``, not from a join on the server.
    """
    if orders.height == 0:
        return pl.DataFrame(schema=FILLS_SCHEMA)
    pks = orders["order_pk"].to_list()
    if is_postgresql():
        keys, params = "= ANY(%s)", [pks]
    else:
        keys, params = f"IN ({', '.join(['%s'] * len(pks))})", pks
    frame = read_frame(
        f"""
        SELECT f.exec_id, f.order_id, f.side, CAST(f.quantity AS double precision),
               CAST(f.price AS double precision), f.time_ns, f.venue, f.liquidity, f.broker,
               f.algo, CAST(f.fee AS double precision), f.currency
        FROM orders_fill f
        WHERE f.order_id {keys} AND NOT f.is_cancelled
        """,  # noqa: S608 (placeholders only)
        params,
        _FILL_SQL_SCHEMA,
    )
    return (
        frame.join(orders.select("order_pk", "order_id", "symbol"), on="order_pk", how="inner")
        .with_columns(_ns_to_time("time_ns", "time"), pl.col("liquidity").replace("", None))
        .select(list(FILLS_SCHEMA))
    )


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
