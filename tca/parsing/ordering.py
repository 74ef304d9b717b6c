"""Putting market data in (symbol, time) order without a slow general sort.

A two-key sort with a string key takes tens of seconds on 20 million quotes.
Symbols are few, so they are coded as small integers in symbol order (an
Enum cast); a stable group-by on the code then yields each symbol's rows in
their existing order, which is the (symbol, time) order whenever the rows
were already in time order, as market data almost always is.
"""

from __future__ import annotations

import polars as pl


def symbol_time_order(symbol: pl.Series, time: pl.Series) -> pl.Series | None:
    """Row indices that sort stably by (symbol, time), or None if already sorted.

    Nulls (rows that are rejected anyway) sort first.
    """
    if symbol.len() < 2:
        return None
    symbols = symbol.drop_nulls().unique().sort()
    codes = symbol.cast(pl.Enum(symbols.to_list())).to_physical()
    step = codes.diff()
    in_order = pl.select(
        ((step > 0) | ((step == 0) & (time.diff() >= pl.duration()))).fill_null(True).all()
    ).item()
    if in_order and symbol.null_count() == 0:
        return None
    if time.is_sorted():
        rows = pl.int_range(symbol.len(), dtype=pl.UInt32, eager=True)
    else:
        rows = _stable_arg_sort(time)
    keyed = pl.DataFrame({"code": codes.gather(rows), "row": rows})
    return (
        keyed.group_by("code", maintain_order=False)
        .agg("row")
        .sort("code", nulls_last=False)
        .explode("row")["row"]
    )


def _stable_arg_sort(values: pl.Series) -> pl.Series:
    frame = values.rename("key").to_frame()
    return frame.select(pl.arg_sort_by("key", maintain_order=True)).to_series()
