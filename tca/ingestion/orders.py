"""Writing validated parent orders: staged with COPY, inserted in one statement."""

from __future__ import annotations

import polars as pl

from tca.instruments.models import Instrument
from tca.parsing.errors import RowError

from . import bulk
from .rejection import reject_rows

STAGE_TYPES = {
    "line": "integer",
    "order_id": "varchar(64)",
    "symbol": "varchar(32)",
    "side": "smallint",
    "quantity": "numeric(28,10)",
    "arrival_ns": "bigint",
    "decision_ns": "bigint",
    "end_ns": "bigint",
    "trade_date": "date",
    "limit_price": "numeric(28,10)",
    "broker": "varchar(64)",
    "algo": "varchar(64)",
    "trader": "varchar(64)",
    "desk": "varchar(64)",
    "portfolio": "varchar(64)",
    "currency": "varchar(3)",
}
_TEXT = ("broker", "algo", "trader", "desk", "portfolio", "currency")

NO_DESK = "your account has no desk, so it may not load orders; ask an administrator"
OTHER_DESK = "desk {} is not your desk ({}); you may only load orders for your own desk"
ID_IN_USE = "order_id {} is already in use; choose another id"


def _ns(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit(None, dtype=pl.Int64).alias(column.replace("_time", "_ns"))
    return pl.col(column).dt.epoch("ns").alias(column.replace("_time", "_ns"))


def _trade_dates(frame: pl.DataFrame) -> pl.Series:
    """The arrival's calendar date in the instrument's own time zone."""
    zones = dict(
        Instrument.objects.filter(symbol__in=frame["symbol"].unique().to_list()).values_list(
            "symbol", "timezone"
        )
    )
    tz_col = frame["symbol"].replace_strict(zones, default="UTC", return_dtype=pl.String)
    out = pl.Series("trade_date", [None] * frame.height, dtype=pl.Date)
    for zone in tz_col.unique().to_list():
        mask = tz_col == zone
        local = frame.filter(mask)["arrival_time"].dt.convert_time_zone(zone).dt.date()
        out = out.scatter(mask.arg_true(), local)
    return out


def orders_stage_frame(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(_trade_dates(frame)).select(
        "line",
        "order_id",
        "symbol",
        pl.col("side").cast(pl.Int16),
        "quantity",
        _ns(frame, "arrival_time"),
        _ns(frame, "decision_time"),
        _ns(frame, "end_time"),
        "trade_date",
        pl.col("limit_price")
        if "limit_price" in frame.columns
        else pl.lit(None).alias("limit_price"),
        *[
            pl.col(c).fill_null("") if c in frame.columns else pl.lit("").alias(c)
            for c in _TEXT
        ],
    )


def orders_for_desk(*, frame: pl.DataFrame, desk: str | None) -> pl.DataFrame:
    """Orders a desk-locked uploader may load: their desk filled in, any other refused.

    ``desk=None`` (compliance, quants, the CLI) loads every desk as written.
    """
    if desk is None:
        return frame
    if not desk:
        reject_rows([RowError(None, None, NO_DESK)])
    if "desk" not in frame.columns:
        return frame.with_columns(pl.lit(desk).alias("desk"))
    foreign = frame.filter(pl.col("desk").is_not_null() & (pl.col("desk") != desk))
    if foreign.height:
        reject_rows(
            [
                RowError(line, "desk", OTHER_DESK.format(repr(value), repr(desk)))
                for line, value in foreign.select("line", "desk").head(1000).iter_rows()
            ],
            foreign.height,
        )
    return frame.with_columns(pl.col("desk").fill_null(desk))


def orders_insert(
    *, frame: pl.DataFrame, source: str, desk: str | None = None
) -> tuple[int, int]:
    """Insert new orders; (inserted, duplicates). Must run inside a transaction.

    An order id already stored with different terms is a conflict and rejects
    the whole file; one stored with the same terms is a duplicate. For a
    desk-locked uploader (``desk``), an id held by another desk is refused with
    a message that says nothing about that order.
    """
    staged = orders_stage_frame(frame)
    bulk.stage_frame(name="stage_orders", frame=staged, sql_types=STAGE_TYPES)
    try:
        conflicts = bulk.fetch(
            """
            SELECT s.line, s.order_id, CASE WHEN %s AND o.desk <> %s THEN 1 ELSE 0 END
            FROM stage_orders s
            JOIN orders_parentorder o ON o.order_id = s.order_id
            JOIN instruments_instrument i ON i.id = o.instrument_id
            WHERE i.symbol <> s.symbol OR o.side <> s.side OR o.quantity <> s.quantity
               OR o.arrival_ns <> s.arrival_ns OR (%s AND o.desk <> %s)
            ORDER BY s.line LIMIT 1000
            """,
            [desk is not None, desk or "", desk is not None, desk or ""],
        )
        if conflicts:
            reject_rows(
                [
                    RowError(
                        int(line),  # type: ignore[arg-type]
                        "order_id",
                        ID_IN_USE.format(oid)
                        if foreign
                        else f"order {oid} already exists with a different symbol, side, "
                        "quantity or arrival time",
                    )
                    for line, oid, foreign in conflicts
                ]
            )
        inserted = bulk.execute(
            """
            INSERT INTO orders_parentorder (
                order_id, instrument_id, side, quantity, arrival_ns, decision_ns, end_ns,
                trade_date, limit_price, broker, algo, trader, desk, portfolio, currency,
                source, needs_recompute, created_at, updated_at)
            SELECT s.order_id, i.id, s.side, s.quantity, s.arrival_ns, s.decision_ns, s.end_ns,
                s.trade_date, s.limit_price, s.broker, s.algo, s.trader, s.desk, s.portfolio,
                s.currency, %s, TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
            FROM stage_orders s JOIN instruments_instrument i ON i.symbol = s.symbol
            ON CONFLICT (order_id) DO NOTHING
            """,
            [source],
        )
    finally:
        bulk.drop_stage("stage_orders")
    return inserted, staged.height - inserted
