"""Applying FIX execution reports: new fills, trade cancels and corrections.

The state machine is pure (``tca.parsing.fix_apply``); this module loads what
it needs (stored fills the events may name, amendments still held from earlier
logs), checks the outcome against the orders like any fills file, and stores
the final fills with one insert-or-update from a COPY'd staging table.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import polars as pl

from tca.orders.models import PendingFixAmendment
from tca.parsing.errors import RowError
from tca.parsing.fix import EVENT_SCHEMA
from tca.parsing.fix_apply import FILL_STATE_SCHEMA, apply_fix_events

from . import bulk
from .fills import STAGE_TYPES as FILL_STAGE_TYPES
from .fills import check_against_orders, fills_stage_frame, mark_orders
from .rejection import reject_rows

_STAGE_TYPES = {
    **FILL_STAGE_TYPES,
    "is_cancelled": "boolean",
    "last_exec_id": "varchar(64)",
    "applied_exec_ids": "text",
    "amendments": "text",
    "raw": "text",
}
_STORED_SCHEMA = {
    "exec_id": pl.String(),
    "order_id": pl.String(),
    "symbol": pl.String(),
    "side": pl.Int8(),
    "quantity": pl.String(),
    "price": pl.String(),
    "time_ns": pl.Int64(),
    "venue": pl.String(),
    "liquidity": pl.String(),
    "fee": pl.String(),
    "currency": pl.String(),
    "is_cancelled": pl.Boolean(),
    "last_exec_id": pl.String(),
    "applied_exec_ids": pl.String(),
    "raw": pl.String(),
    "amendments": pl.String(),
    "desk": pl.String(),
}


FOREIGN_EXEC = (
    "exec_id {} of source {!r} belongs to an order outside your desk; "
    "it cannot be loaded or amended here"
)


def _stored_fills(*, source: str, ids: list[str], desk: str | None = None) -> pl.DataFrame:
    """Stored fills of ``source`` that an event may name (by original or latest ExecID).

    With a desk lock, an event naming another desk's fill rejects the log (else a
    correction could rewrite that fill, or a new fill with its exec id replace it).
    """
    if not ids:
        return pl.DataFrame(schema=FILL_STATE_SCHEMA)
    bulk.stage_frame(
        name="stage_fix_ids", frame=pl.DataFrame({"id": ids}), sql_types={"id": "varchar(64)"}
    )
    try:
        frame = bulk.read_frame(
            """
            SELECT f.exec_id, o.order_id, i.symbol, f.side, CAST(f.quantity AS text),
                   CAST(f.price AS text), f.time_ns, f.venue, f.liquidity, CAST(f.fee AS text),
                   f.currency, f.is_cancelled, f.last_exec_id, CAST(f.applied_exec_ids AS text),
                   f.raw, CAST(f.amendments AS text), o.desk
            FROM orders_fill f
            JOIN orders_parentorder o ON o.id = f.order_id
            JOIN instruments_instrument i ON i.id = o.instrument_id
            WHERE f.source = %s AND (f.exec_id IN (SELECT id FROM stage_fix_ids)
                                     OR (f.last_exec_id <> ''
                                         AND f.last_exec_id IN (SELECT id FROM stage_fix_ids)))
            """,
            [source],
            _STORED_SCHEMA,
        )
    finally:
        bulk.drop_stage("stage_fix_ids")
    if desk is not None:
        _reject_foreign(
            frame.filter(pl.col("desk").fill_null("") != desk), source=source, ids=ids
        )
    as_list = pl.List(pl.String)
    return frame.select(
        "exec_id", "order_id", "symbol", "side",
        pl.col("quantity").cast(FILL_STATE_SCHEMA["quantity"]),
        pl.col("price").cast(FILL_STATE_SCHEMA["price"]),
        pl.col("time_ns").cast(pl.Datetime("ns")).dt.replace_time_zone("UTC").alias("time"),
        pl.col("venue").replace("", None),
        pl.col("liquidity").replace("", None),
        pl.col("fee").cast(FILL_STATE_SCHEMA["fee"]),
        pl.col("currency").replace("", None),
        "is_cancelled",
        pl.when(pl.col("last_exec_id") == "")
        .then(pl.col("exec_id"))
        .otherwise(pl.col("last_exec_id"))
        .alias("last_exec_id"),
        pl.col("applied_exec_ids").str.json_decode(as_list),
        "raw",
        pl.col("amendments").str.json_decode(as_list),
    )


def _reject_foreign(foreign: pl.DataFrame, *, source: str, ids: list[str]) -> None:
    """Reject the log naming (by exec id) fills of another desk's orders."""
    named = pl.concat([foreign["exec_id"], foreign["last_exec_id"]])
    names = sorted(set(named.to_list()) & set(ids))
    if names:
        reject_rows([RowError(None, "exec_id", FOREIGN_EXEC.format(n, source)) for n in names])


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(type(value))


def _pending_frame(*, source: str) -> pl.DataFrame:
    rows = [p.payload for p in PendingFixAmendment.objects.filter(source=source).order_by("pk")]
    if not rows:
        return pl.DataFrame(schema=EVENT_SCHEMA)
    frame = pl.DataFrame(rows, orient="row", infer_schema_length=None)
    return frame.with_columns(
        pl.col("time").cast(pl.Int64).cast(pl.Datetime("ns")).dt.replace_time_zone("UTC")
    ).select(pl.col(n).cast(t) for n, t in EVENT_SCHEMA.items())


def _store_pending(*, source: str, pending: pl.DataFrame) -> None:
    PendingFixAmendment.objects.filter(source=source).delete()
    rows = pending.with_columns(pl.col("time").dt.epoch("ns")).to_dicts()
    PendingFixAmendment.objects.bulk_create(
        [
            PendingFixAmendment(
                source=source,
                exec_id=r["exec_id"],
                exec_ref_id=r["exec_ref_id"] or "",
                kind=r["kind"],
                payload=json.loads(json.dumps(r, default=_json_default)),
            )
            for r in rows
        ]
    )


def _json_list(frame: pl.DataFrame, column: str) -> pl.Series:
    """A list-of-strings column as JSON array text, escaped by polars, not by hand."""
    encoded = frame.select(pl.struct(pl.col(column).alias("v")).struct.json_encode())
    return encoded.to_series().str.strip_prefix('{"v":').str.strip_suffix("}").alias(column)


def _json_cast() -> str:
    """Staged JSON text becomes jsonb on PostgreSQL; SQLite stores the text as is."""
    return "jsonb" if bulk.is_postgresql() else ""


def fills_apply_fix(
    *, events: pl.DataFrame, source: str, desk: str | None = None
) -> dict[str, Any]:
    """Apply a parsed FIX log's events; counts of what changed. Inside a transaction.

    ``desk`` locks the upload to one desk's orders and fills (see ``_stored_fills``).
    """
    bulk.serialize_writers("orders_fill")  # one writer of fills at a time
    ids = pl.concat([events["exec_id"], events["exec_ref_id"]]).drop_nulls().unique()
    existing = _stored_fills(source=source, ids=ids.to_list(), desk=desk)
    result = apply_fix_events(events, existing, _pending_frame(source=source))
    upserts = result.upserts
    summary = {
        "accepted": result.new_fills + result.corrections + result.cancels,
        "duplicates": result.duplicates,
        "new_fills": result.new_fills,
        "corrections": result.corrections,
        "cancels": result.cancels,
        "released": result.released,
        "held": result.pending.height,
    }
    _store_pending(source=source, pending=result.pending)
    if upserts.height == 0:
        return summary
    upserts = upserts.with_columns(pl.col("line").fill_null(0))
    check_against_orders(frame=upserts, source=source, desk=desk)
    staged = fills_stage_frame(upserts).with_columns(
        upserts["is_cancelled"],
        # Stored empty when never amended, which keeps the amended-fills index small.
        upserts.select(
            pl.when(pl.col("last_exec_id") == pl.col("exec_id"))
            .then(pl.lit(""))
            .otherwise(pl.col("last_exec_id"))
            .alias("last_exec_id")
        ).to_series(),
        _json_list(upserts, "applied_exec_ids"),
        _json_list(upserts, "amendments"),
        upserts["raw"].fill_null(""),
    )
    bulk.stage_frame(name="stage_fix_fills", frame=staged, sql_types=_STAGE_TYPES)
    try:
        touched = bulk.fetch(
            """
            INSERT INTO orders_fill (
                source, exec_id, order_id, side, quantity, price, time_ns, venue, liquidity,
                broker, algo, fee, currency, is_cancelled, last_exec_id, applied_exec_ids,
                amendments, raw, created_at)
            SELECT %s, s.exec_id, o.id, s.side, s.quantity, s.price, s.time_ns, s.venue,
                s.liquidity, s.broker, s.algo, s.fee, s.currency, s.is_cancelled,
                s.last_exec_id, {json}(s.applied_exec_ids), {json}(s.amendments), s.raw,
                CURRENT_TIMESTAMP
            FROM stage_fix_fills s JOIN orders_parentorder o ON o.order_id = s.order_id
            ON CONFLICT (source, exec_id) DO UPDATE SET
                order_id = EXCLUDED.order_id, side = EXCLUDED.side,
                quantity = EXCLUDED.quantity, price = EXCLUDED.price,
                time_ns = EXCLUDED.time_ns, venue = EXCLUDED.venue,
                liquidity = EXCLUDED.liquidity, fee = EXCLUDED.fee,
                currency = EXCLUDED.currency, is_cancelled = EXCLUDED.is_cancelled,
                last_exec_id = EXCLUDED.last_exec_id,
                applied_exec_ids = EXCLUDED.applied_exec_ids,
                amendments = EXCLUDED.amendments, raw = EXCLUDED.raw
            RETURNING order_id
            """.format(json=_json_cast()),  # noqa: S608 (a fixed cast name)
            [source],
        )
    finally:
        bulk.drop_stage("stage_fix_fills")
    mark_orders({row[0] for row in touched})
    return summary
