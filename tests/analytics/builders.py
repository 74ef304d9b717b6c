"""Small frame builders for the analytics tests (canonical schemas, UTC times)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from tca.frames import SCHEMAS


def at(hhmmss: str, day: date = date(2024, 1, 15)) -> datetime:
    """A UTC instant on ``day`` from 'HH:MM[:SS[.ffffff]]'."""
    parts = hhmmss.split(":")
    h, m = int(parts[0]), int(parts[1])
    sec = float(parts[2]) if len(parts) > 2 else 0.0
    whole = int(sec)
    micro = round((sec - whole) * 1e6)
    return datetime(day.year, day.month, day.day, h, m, whole, micro, tzinfo=UTC)


def frame(kind: str, rows: Sequence[dict[str, Any]]) -> pl.DataFrame:
    """Rows of ``kind`` in its canonical schema; omitted columns are null."""
    schema = SCHEMAS[kind]
    data = {c: [r.get(c) for r in rows] for c in schema}
    return pl.DataFrame(data, schema=schema)


def quotes(symbol: str, rows: Sequence[tuple[str | datetime, float, float]]) -> pl.DataFrame:
    return frame(
        "quotes",
        [
            {"symbol": symbol, "time": at(t) if isinstance(t, str) else t, "bid": b, "ask": a}
            for t, b, a in rows
        ],
    )


def trades(symbol: str, rows: Sequence[tuple[str | datetime, float, float]]) -> pl.DataFrame:
    return frame(
        "trades",
        [
            {"symbol": symbol, "time": at(t) if isinstance(t, str) else t, "price": p, "size": s}
            for t, p, s in rows
        ],
    )


def row(costs: pl.DataFrame, order_id: str) -> dict[str, Any]:
    return costs.filter(pl.col("order_id") == order_id).row(0, named=True)
