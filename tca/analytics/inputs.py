"""Bring caller frames to the canonical schemas of ``tca.frames`` before any arithmetic.

Optional columns a caller leaves out become typed nulls, so the engine never
branches on which columns exist; naive timestamps are refused because an
instant without an offset is ambiguous (SPEC §1).
"""

from __future__ import annotations

import polars as pl

from tca.frames import REQUIRED_COLUMNS, SCHEMAS, TIME


def conform(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Return ``frame`` with every canonical column of ``kind`` in its canonical dtype.

    Extra columns are kept (order attributes such as ``regime`` travel through).
    """
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in frame.columns]
    if missing:
        raise ValueError(f"{kind}: missing required column(s) {', '.join(missing)}")
    schema = SCHEMAS[kind]
    exprs: list[pl.Expr] = []
    for name, dtype in schema.items():
        if name not in frame.columns:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
            continue
        current = frame.schema[name]
        if current == dtype:
            continue
        if dtype == TIME:
            exprs.append(_as_utc_ns(name, current, kind))
        else:
            exprs.append(pl.col(name).cast(dtype))
    return frame.with_columns(exprs) if exprs else frame


def _as_utc_ns(name: str, current: pl.DataType, kind: str) -> pl.Expr:
    if not isinstance(current, pl.Datetime):
        if current == pl.Null:
            return pl.col(name).cast(TIME)
        raise TypeError(f"{kind}.{name}: expected a UTC datetime, got {current}")
    if current.time_zone is None:
        raise ValueError(f"{kind}.{name}: timestamps without a time zone are rejected")
    return pl.col(name).dt.convert_time_zone("UTC").cast(TIME)


def conform_instruments(instruments: pl.DataFrame | None) -> pl.DataFrame:
    """Instruments, or an empty canonical frame when the caller has none."""
    if instruments is None:
        return pl.DataFrame(schema=SCHEMAS["instruments"])
    return conform(instruments, "instruments").unique("symbol", keep="first")
