"""Checks of fills against their parent orders, across files and the database.

``parse_file`` sees one file; whether a fill belongs to a known order, agrees
with it and does not overfill it needs the orders and the fills already
stored, which the caller passes in as frames. Nothing here touches the
database.
"""

from __future__ import annotations

import polars as pl

from tca.parsing.columns import LINE
from tca.parsing.errors import ErrorSink, ValidationResult
from tca.parsing.values import DECIMAL, decimal_text, quoted

UNKNOWN_ORDER = "unknown order_id {} (not in the database nor in this upload)"
SIDE_MISMATCH = "side differs from the side of order {}"
SYMBOL_MISMATCH = "symbol {} differs from the symbol {} of order {}"
OVERFILLED = "fills of order {} add up to {}, more than the order quantity {}"


def validate_fills_against_orders(
    fills: pl.DataFrame, orders: pl.DataFrame, existing_fills: pl.DataFrame
) -> ValidationResult:
    """Errors (first 1,000 and the count) for new fills that disagree with their orders.

    ``fills``: the new fills with exec_id, order_id, symbol, side, quantity and
    ``line`` (as ``parse_file`` returns them; an ``is_cancelled`` column, as
    from ``apply_fix_events``, excludes cancelled fills from the totals).
    ``orders``: order_id, symbol, side, quantity of every order the fills may
    refer to, stored or in the same upload (a repeated order_id keeps its
    last row, so pass stored rows first). ``existing_fills``: exec_id,
    order_id, quantity (optionally is_cancelled) of the stored fills of those
    orders. A stored fill whose exec_id is among the new fills counts once,
    with its new quantity, so re-sending a file never overfills.

    Cumulative quantities are taken in line order, so the error names the
    first fill that goes over the order quantity and every later one.
    """
    errors = ErrorSink()
    new = _normalise(fills, with_line=True)
    known = orders.select(
        pl.col("order_id").cast(pl.String),
        pl.col("symbol").cast(pl.String).alias("order_symbol"),
        pl.col("side").cast(pl.Int8).alias("order_side"),
        pl.col("quantity").cast(DECIMAL).alias("order_quantity"),
        pl.lit(True).alias("order_known"),
    ).unique("order_id", keep="last", maintain_order=True)
    joined = new.join(known, on="order_id", how="left", maintain_order="left")

    unknown = joined.filter(pl.col("order_known").is_null())
    _add(errors, unknown, "order_id", pl.format(UNKNOWN_ORDER, quoted(pl.col("order_id"))))
    matched = joined.filter(pl.col("order_known"))
    _add(
        errors,
        matched.filter(pl.col("side") != pl.col("order_side")),
        "side",
        pl.format(SIDE_MISMATCH, quoted(pl.col("order_id"))),
    )
    _add(
        errors,
        matched.filter(pl.col("symbol") != pl.col("order_symbol")),
        "symbol",
        pl.format(
            SYMBOL_MISMATCH,
            quoted(pl.col("symbol")),
            quoted(pl.col("order_symbol")),
            quoted(pl.col("order_id")),
        ),
    )

    stored = _normalise(existing_fills, with_line=False)
    stored = stored.join(new.select("exec_id"), on="exec_id", how="anti")
    base = (
        stored.filter(~pl.col("is_cancelled"))
        .group_by("order_id")
        .agg(pl.col("quantity").sum().alias("stored_quantity"))
    )
    running = (
        matched.filter(~pl.col("is_cancelled"))
        .sort(LINE, maintain_order=True)
        .join(base, on="order_id", how="left", maintain_order="left")
        .with_columns(
            total=pl.col("stored_quantity").fill_null(0).cast(DECIMAL)
            + pl.col("quantity").cum_sum().over("order_id")
        )
    )
    _add(
        errors,
        running.filter(pl.col("total") > pl.col("order_quantity")),
        "quantity",
        pl.format(
            OVERFILLED,
            quoted(pl.col("order_id")),
            decimal_text(pl.col("total")),
            decimal_text(pl.col("order_quantity")),
        ),
    )
    return errors.result()


def _normalise(frame: pl.DataFrame, *, with_line: bool) -> pl.DataFrame:
    columns = [
        pl.col("exec_id").cast(pl.String),
        pl.col("order_id").cast(pl.String),
        pl.col("quantity").cast(DECIMAL),
        (
            pl.col("is_cancelled").fill_null(False)
            if "is_cancelled" in frame.columns
            else pl.lit(False).alias("is_cancelled")
        ),
    ]
    if with_line:
        columns += [
            pl.col("symbol").cast(pl.String),
            pl.col("side").cast(pl.Int8),
            pl.col(LINE).cast(pl.Int64),
        ]
    return frame.select(columns)


def _add(errors: ErrorSink, rows: pl.DataFrame, column: str, reason: pl.Expr) -> None:
    if rows.height:
        errors.add_frame(rows.select(LINE, column=pl.lit(column), reason=reason))
