"""Writing validated fills: checked against their orders, staged with COPY, inserted once."""

from __future__ import annotations

import polars as pl
from django.db import IntegrityError, transaction

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
    "order_pk": pl.Int64(),
    "order_id": pl.String(),
    "symbol": pl.String(),
    "side": pl.Int8(),
    "quantity": pl.Float64(),
}
_EXISTING_SCHEMA = {
    "source": pl.String(),
    "exec_id": pl.String(),
    "order_id": pl.String(),
    "side": pl.Int8(),
    "quantity": pl.String(),  # exact decimal text, compared as decimals
    "price": pl.String(),
    "time_ns": pl.Int64(),
}
# Terms that make two fills with one exec id the same fill (else: a conflict).
_TERMS = ("order_id", "side", "quantity", "price", "time_ns")


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


def load_order_context(
    frame: pl.DataFrame, *, desk: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The referenced orders and their stored live fills, for the consistency checks.

    For a desk-locked uploader only that desk's orders are loaded: another desk's
    order is then unknown, with the same message as an order that does not exist,
    so a row error never discloses its symbol, side or quantity.
    """
    params = [desk is None, desk or ""]  # (every desk) OR o.desk = the uploader's
    bulk.stage_frame(
        name="stage_fill_orders",
        frame=frame.select("order_id").unique(),
        sql_types={"order_id": "varchar(64)"},
    )
    try:
        orders = bulk.read_frame(
            """
            SELECT o.id, o.order_id, i.symbol, o.side, o.quantity
            FROM orders_parentorder o
            JOIN instruments_instrument i ON i.id = o.instrument_id
            JOIN stage_fill_orders s ON s.order_id = o.order_id
            WHERE (%s OR o.desk = %s)
            """,
            params,
            _ORDERS_SCHEMA,
        )
        existing = bulk.read_frame(
            """
            SELECT f.source, f.exec_id, o.order_id, f.side, CAST(f.quantity AS text),
                   CAST(f.price AS text), f.time_ns
            FROM orders_fill f
            JOIN orders_parentorder o ON o.id = f.order_id
            JOIN stage_fill_orders s ON s.order_id = o.order_id
            WHERE NOT f.is_cancelled AND (%s OR o.desk = %s)
            """,
            params,
            _EXISTING_SCHEMA,
        )
    finally:
        bulk.drop_stage("stage_fill_orders")
    decimal = pl.Decimal(38, 10)
    return orders, existing.with_columns(pl.col("quantity", "price").cast(decimal))


def check_against_orders(
    *,
    frame: pl.DataFrame,
    source: str,
    context: tuple[pl.DataFrame, pl.DataFrame] | None = None,
    desk: str | None = None,
) -> None:
    """Reject the file if a fill disagrees with its order or would overfill it."""
    from tca.parsing.consistency import validate_fills_against_orders

    orders, existing = context or load_order_context(frame, desk=desk)
    # Another source's exec id is a different fill even when the text is equal.
    existing = existing.with_columns(
        pl.when(pl.col("source") == source)
        .then(pl.col("exec_id"))
        .otherwise(pl.lit("\x00") + pl.col("source") + pl.lit("\x00") + pl.col("exec_id"))
        .alias("exec_id")
    ).select("exec_id", "order_id", "quantity")
    check = validate_fills_against_orders(frame, orders, existing)
    if check.error_count:
        reject_rows(check.errors, check.error_count)


def _conflict_errors(rows: list[tuple[object, object]], source: str) -> list[RowError]:
    return [
        RowError(
            int(line),  # type: ignore[call-overload]
            "exec_id",
            f"exec_id {exec_id} already exists for source {source!r} with a "
            "different order, side, quantity, price or time",
        )
        for line, exec_id in rows
    ]


def fills_insert(
    *, frame: pl.DataFrame, source: str, desk: str | None = None
) -> tuple[int, int, int]:
    """Insert new fills; (inserted, duplicates, orders marked for recompute).

    Must run inside a transaction. Rejects the whole file when a fill names an
    unknown order, disagrees with its order's side or symbol, would overfill it,
    or reuses a stored exec id with different terms.

    Duplicates of the orders' stored fills are found in memory and the new rows
    are COPY'd straight into the table. An exec id this source already used for
    some other order makes the COPY fail on the unique constraint; that rare file
    is redone through a staging table, which names the conflicting rows. A
    file at least as large as the stored fills is loaded with the table's
    indexes rebuilt afterwards (see :func:`bulk.indexes_rebuilt_after`). A
    desk-locked uploader (``desk``) can only name that desk's orders.
    """
    bulk.serialize_writers("orders_fill")  # before reading: see serialize_writers
    context = load_order_context(frame, desk=desk)
    check_against_orders(frame=frame, source=source, context=context)
    orders, existing = context
    staged = fills_stage_frame(frame)
    stored = existing.filter(pl.col("source") == source).drop("source")
    matched = staged.join(stored, on="exec_id", how="inner", suffix="_stored")
    same = pl.all_horizontal(pl.col(t) == pl.col(f"{t}_stored") for t in _TERMS)
    conflicts = matched.filter(~same).sort("line")
    if conflicts.height:
        reject_rows(
            _conflict_errors(conflicts.select("line", "exec_id").head(1000).rows(), source),
            conflicts.height,
        )
    new = staged.join(stored.select("exec_id"), on="exec_id", how="anti").join(
        orders.select("order_id", "order_pk"), on="order_id", how="left"
    )
    try:
        # The FIX columns (cancelled flag, amendments, raw message) and created_at
        # take the table's defaults.
        with transaction.atomic(), bulk.indexes_rebuilt_after(
            table="orders_fill", incoming=new.height
        ):
            bulk.copy_rows(
                table="orders_fill",
                frame=new.select(
                    pl.lit(source).alias("source"),
                    "exec_id",
                    pl.col("order_pk").alias("order_id"),
                    *_COPIED,
                ),
            )
    except IntegrityError:
        return _fills_insert_staged(staged=staged, source=source)
    marked = mark_orders(set(new["order_pk"].unique().to_list()))
    return new.height, staged.height - new.height, marked


_COPIED = (
    "side", "quantity", "price", "time_ns", "venue", "liquidity", "broker", "algo", "fee",
    "currency",
)


def _fills_insert_staged(*, staged: pl.DataFrame, source: str) -> tuple[int, int, int]:
    """Insert through a staging table, naming rows whose exec id is stored with other terms."""
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
            reject_rows(_conflict_errors(conflicts, source))  # type: ignore[arg-type]
        inserted_orders = bulk.fetch(
            """
            INSERT INTO orders_fill (
                source, exec_id, order_id, side, quantity, price, time_ns, venue, liquidity,
                broker, algo, fee, currency, is_cancelled, last_exec_id, applied_exec_ids,
                amendments, raw, created_at)
            SELECT %s, s.exec_id, o.id, s.side, s.quantity, s.price, s.time_ns, s.venue,
                s.liquidity, s.broker, s.algo, s.fee, s.currency, FALSE, '', '[]', '[]',
                '', CURRENT_TIMESTAMP
            FROM stage_fills s JOIN orders_parentorder o ON o.order_id = s.order_id
            ON CONFLICT (source, exec_id) DO NOTHING
            RETURNING order_id
            """,
            [source],
        )
    finally:
        bulk.drop_stage("stage_fills")
    marked = mark_orders({row[0] for row in inserted_orders})
    return len(inserted_orders), staged.height - len(inserted_orders), marked


def mark_orders(order_pks: set[object]) -> int:
    """Changed fills change their orders' costs: flag them for recomputation.

    Returns how many orders have changed fills; only those not flagged yet are
    written (a first load's orders are all flagged already).
    """
    if not order_pks:
        return 0
    pks = sorted(int(pk) for pk in order_pks)  # type: ignore[call-overload]
    if bulk.is_postgresql():  # one array parameter, not one placeholder per order
        bulk.execute(
            "UPDATE orders_parentorder SET needs_recompute = TRUE"
            " WHERE id = ANY(%s) AND NOT needs_recompute",
            [pks],
        )
    else:
        from tca.orders.models import ParentOrder

        ParentOrder.objects.filter(pk__in=pks, needs_recompute=False).update(
            needs_recompute=True
        )
    return len(pks)
