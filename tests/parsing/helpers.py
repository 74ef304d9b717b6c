"""Small builders for parsing tests: CSV text, Parquet bytes, FIX messages."""

from __future__ import annotations

import io
from typing import Any

import polars as pl
import simplefix

from tca.parsing import RowError, parse_file


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def errors_of(kind: str, data: bytes, *, filename: str = "upload.csv", **kwargs: Any):
    """The errors of a file that must be rejected, as (line, column, reason) tuples."""
    result = parse_file(kind, data, filename=filename, **kwargs)
    assert result.frame is None
    assert result.error_count == len(result.errors)
    return [(e.line, e.column, e.reason) for e in result.errors]


def only_error(kind: str, data: bytes, **kwargs: Any) -> tuple[int | None, str | None, str]:
    found = errors_of(kind, data, **kwargs)
    assert len(found) == 1, found
    return found[0]


def fix_message(fields: list[tuple[int, str]], *, begin: str = "FIX.4.4") -> bytes:
    """A wire-correct message (BodyLength and CheckSum computed by simplefix)."""
    message = simplefix.FixMessage()
    message.append_pair(8, begin)
    for tag, value in fields:
        message.append_pair(tag, value)
    return message.encode()


def as_tuple(error: RowError) -> tuple[int | None, str | None, str]:
    return (error.line, error.column, error.reason)


FILLS_HEADER = "exec_id,order_id,symbol,side,quantity,price,time"


def fill_row(
    exec_id: str = "E1",
    *,
    order_id: str = "O1",
    symbol: str = "AAPL",
    side: str = "BUY",
    quantity: str = "100",
    price: str = "100.10",
    time: str = "2024-03-01T14:30:00Z",
) -> str:
    return ",".join([exec_id, order_id, symbol, side, quantity, price, time])
