"""Writing validated fills: checked against their orders, staged with COPY, inserted once."""

from __future__ import annotations

import polars as pl

from tca.parsing.errors import RowError

from . import bulk
from .rejection import reject_rows

STAGE_TYPES = {
    "line": "integer",
    "exec_id": "varchar(64)",
    "order_id": "varchar(64)",
    "side": "smallint",
    "quantity": "numeric(28,10)",
    "price": "numeric(28,10)",
    "time_ns": "bigint",
    "venue": "varchar(16)",
    "liquidity": "varchar(8)",
    "broker": "varchar(64)",
    "algo": "varchar(64)",
    "fee": "numeric(28,10)",
    "currency": "varchar(3)",
}
_TEXT = ("venue", "liquidity", "broker", "algo", "currency")

_ORDERS_SCHEMA = {
    "order_id": pl.String(),
    "symbol": pl.String(),
    "side": pl.Int8(),
    "quantity": pl.Float64(),
}
_EXISTING_SCHEMA = {
    "source": pl.String(),
    "exec_id": pl.String(),
    "order_id": pl.String(),
    "quantity": pl.Float64(),
}


def fills_stage_frame(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        "line",
        "exec_id",
        "order_id",
        pl.col("side").cast(pl.Int16),
        "quantity",
        "price",
        pl.col("time").dt.epoch("ns").alias("time_ns"),
        *[pl.col(c).fill_null("") if c in frame.columns else pl.lit("").alias(c) for c in _TEXT],
        pl.col("fee").fill_null(0) if "fee" in frame.columns else pl.lit(0).alias("fee"),
    )


def load_order_context(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The referenced orders and their stored live fills, for the consistency checks."""
    bulk.stage_frame(
        name="stage_fill_orders",
        frame=frame.select("order_id").unique(),
        sql_types={"order_id": "varchar(64)"},
    )
    try:
        orders = bulk.read_frame(
            """
            SELECT o.order_id, i.symbol, o.side, o.quantity
            FROM orders_parentorder o
            JOIN instruments_instrument i ON i.id = o.instrument_id
            JOIN stage_fill_orders s ON s.order_id = o.order_id
            """,
            [],
            _ORDERS_SCHEMA,
        )
        existing = bulk.read_frame(
            """
            SELECT f.source, f.exec_id, o.order_id, f.quantity
            FROM orders_fill f
            JOIN orders_parentorder o ON o.id = f.order_id
            JOIN stage_fill_orders s ON s.order_id = o.order_id
            WHERE NOT f.is_cancelled
            """,
            [],
            _EXISTING_SCHEMA,
        )
    finally:
        bulk.drop_stage("stage_fill_orders")
    return orders, existing


def check_against_orders(*, frame: pl.DataFrame, source: str) -> None:
    """Reject the file if a fill disagrees with its order or would overfill it."""
    from tca.parsing.consistency import validate_fills_against_orders

    orders, existing = load_order_context(frame)
    # Another source's exec id is a different fill even when the text is equal.
    existing = existing.with_columns(
        pl.when(pl.col("source") == source)
        .then(pl.col("exec_id"))
        .otherwise(pl.lit("\x00") + pl.col("source") + pl.lit("\x00") + pl.col("exec_id"))
        .alias("exec_id")
    ).drop("source")
    check = validate_fills_against_orders(frame, orders, existing)
    if check.error_count:
        reject_rows(check.errors, check.error_count)


def fills_insert(*, frame: pl.DataFrame, source: str) -> tuple[int, int, int]:
    """Insert new fills; (inserted, duplicates, orders marked for recompute).

    Must run inside a transaction. Rejects the whole file when a fill names an
    unknown order, disagrees with its order's side or symbol, would overfill it,
    or reuses a stored exec id with different terms.
    """
    check_against_orders(frame=frame, source=source)

    staged = fills_stage_frame(frame)
    bulk.stage_frame(name="stage_fills", frame=staged, sql_types=STAGE_TYPES)
    try:
        conflicts = bulk.fetch(
            """
            SELECT s.line, s.exec_id FROM stage_fills s
            JOIN orders_fill f ON f.source = %s AND f.exec_id = s.exec_id
            JOIN orders_parentorder o ON o.id = f.order_id
            WHERE o.order_id <> s.order_id OR f.quantity <> s.quantity OR f.price <> s.price
               OR f.time_ns <> s.time_ns OR f.side <> s.side
            ORDER BY s.line LIMIT 1000
            """,
            [source],
        )
        if conflicts:
            reject_rows(
                [
                    RowError(
                        int(line),  # type: ignore[arg-type]
                        "exec_id",
                        f"exec_id {exec_id} already exists for source {source!r} with a "
                        "different order, side, quantity, price or time",
                    )
                    for line, exec_id in conflicts
                ]
            )
        inserted_orders = bulk.fetch(
            """
            INSERT INTO orders_fill (
                source, exec_id, order_id, side, quantity, price, time_ns, venue, liquidity,
                broker, algo, fee, currency, is_cancelled, last_exec_id, applied_exec_ids,
                amendments, raw, created_at)
            SELECT %s, s.exec_id, o.id, s.side, s.quantity, s.price, s.time_ns, s.venue,
                s.liquidity, s.broker, s.algo, s.fee, s.currency, FALSE, s.exec_id, '[]', '[]',
                '', CURRENT_TIMESTAMP
            FROM stage_fills s JOIN orders_parentorder o ON o.order_id = s.order_id
            ON CONFLICT (source, exec_id) DO NOTHING
            RETURNING order_id
            """,
            [source],
        )
    finally:
        bulk.drop_stage("stage_fills")
    touched = {row[0] for row in inserted_orders}
    marked = mark_orders(touched)
    return len(inserted_orders), staged.height - len(inserted_orders), marked


def mark_orders(order_pks: set[object]) -> int:
    """Changed fills change their orders' costs: flag them for recomputation."""
    if not order_pks:
        return 0
    from tca.orders.models import ParentOrder

    return ParentOrder.objects.filter(pk__in=order_pks).update(needs_recompute=True)
