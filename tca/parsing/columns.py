"""What each column of each file kind holds, and how it is read.

The names and required sets come from ``tca.frames``; this module adds the
value type of every column and the output dtypes of a parsed (exact) frame,
where amounts are ``DECIMAL`` rather than the canonical Float64.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

from tca.frames import REQUIRED_COLUMNS, SCHEMAS
from tca.parsing.timestamps import check_timestamp
from tca.parsing.values import (
    DECIMAL,
    Checked,
    check_code,
    check_currency,
    check_date,
    check_decimal,
    check_liquidity,
    check_number,
    check_rfq_status,
    check_side,
    check_text,
    check_time_of_day,
    check_time_zone,
    with_missing,
)

KINDS = tuple(SCHEMAS)
LINE = "line"


class ValueType(StrEnum):
    TEXT = "text"
    CODE = "code"
    CURRENCY = "currency"
    TIME_ZONE = "time_zone"
    TIME_OF_DAY = "time_of_day"
    POSITIVE = "positive decimal"
    NON_NEGATIVE = "non-negative decimal"
    SIGNED = "decimal"
    NUMBER = "number"
    SIDE = "side"
    LIQUIDITY = "liquidity"
    RFQ_STATUS = "rfq status"
    TIMESTAMP = "timestamp"
    DATE = "date"


T = ValueType

COLUMN_TYPES: dict[str, dict[str, ValueType]] = {
    "instruments": {
        "symbol": T.CODE,
        "name": T.TEXT,
        "currency": T.CURRENCY,
        "asset_class": T.TEXT,
        "tick_size": T.POSITIVE,
        "lot_size": T.POSITIVE,
        "mic": T.CODE,
        "timezone": T.TIME_ZONE,
        "session_open": T.TIME_OF_DAY,
        "session_close": T.TIME_OF_DAY,
    },
    "orders": {
        "order_id": T.TEXT,
        "symbol": T.CODE,
        "side": T.SIDE,
        "quantity": T.POSITIVE,
        "arrival_time": T.TIMESTAMP,
        "decision_time": T.TIMESTAMP,
        "end_time": T.TIMESTAMP,
        "limit_price": T.POSITIVE,
        "broker": T.TEXT,
        "algo": T.TEXT,
        "trader": T.TEXT,
        "desk": T.TEXT,
        "portfolio": T.TEXT,
        "currency": T.CURRENCY,
    },
    "fills": {
        "exec_id": T.TEXT,
        "order_id": T.TEXT,
        "symbol": T.CODE,
        "side": T.SIDE,
        "quantity": T.POSITIVE,
        "price": T.POSITIVE,
        "time": T.TIMESTAMP,
        "venue": T.CODE,
        "liquidity": T.LIQUIDITY,
        "broker": T.TEXT,
        "algo": T.TEXT,
        "fee": T.SIGNED,
        "currency": T.CURRENCY,
    },
    "quotes": {
        "symbol": T.CODE,
        "time": T.TIMESTAMP,
        "bid": T.POSITIVE,
        "ask": T.POSITIVE,
        "bid_size": T.NON_NEGATIVE,
        "ask_size": T.NON_NEGATIVE,
    },
    "trades": {
        "symbol": T.CODE,
        "time": T.TIMESTAMP,
        "price": T.POSITIVE,
        "size": T.POSITIVE,
        "venue": T.CODE,
        "condition": T.TEXT,
    },
    "daily": {
        "symbol": T.CODE,
        "date": T.DATE,
        "open": T.POSITIVE,
        "high": T.POSITIVE,
        "low": T.POSITIVE,
        "close": T.POSITIVE,
        "volume": T.NON_NEGATIVE,
        "vwap": T.POSITIVE,
        "currency": T.CURRENCY,
    },
    "rfq": {
        "rfq_id": T.TEXT,
        "symbol": T.CODE,
        "side": T.SIDE,
        "quantity": T.POSITIVE,
        "request_time": T.TIMESTAMP,
        "dealer": T.CODE,
        "quote_price": T.POSITIVE,
        "quote_time": T.TIMESTAMP,
        "status": T.RFQ_STATUS,
        "valid_until": T.TIMESTAMP,
        "venue": T.CODE,
    },
    "signals": {
        "symbol": T.CODE,
        "time": T.TIMESTAMP,
        "name": T.CODE,
        "value": T.NUMBER,
    },
}

# The longest value each text column may hold: its database column's length.
MAX_LENGTHS: dict[str, int] = {
    "symbol": 32, "name": 200, "asset_class": 32, "mic": 4, "order_id": 64, "exec_id": 64,
    "broker": 64, "algo": 64, "trader": 64, "desk": 64, "portfolio": 64, "venue": 16,
    "condition": 32, "rfq_id": 64, "dealer": 32,
}  # fmt: skip

DECIMAL_TYPES = frozenset({T.POSITIVE, T.NON_NEGATIVE, T.SIGNED})

# Columns whose values must be unique inside one file.
UNIQUE_KEYS: dict[str, str] = {"instruments": "symbol", "orders": "order_id", "fills": "exec_id"}


def parsed_schema(kind: str) -> dict[str, pl.DataType]:
    """The dtypes ``parse_file`` returns: canonical, with exact decimals, plus ``line``."""
    schema = {
        name: DECIMAL if COLUMN_TYPES[kind][name] in DECIMAL_TYPES else dtype
        for name, dtype in SCHEMAS[kind].items()
    }
    schema[LINE] = pl.Int64()
    return schema


def is_required(kind: str, column: str) -> bool:
    return column in REQUIRED_COLUMNS[kind]


def check_column(kind: str, name: str, dtype: pl.DataType, *, tz: str | None) -> Checked:
    """The value and reason expressions for one input column of a file kind."""
    value_type = COLUMN_TYPES[kind][name]
    checked = _READERS[value_type](name, dtype, tz)
    return with_missing(checked, pl.col(name), required=is_required(kind, name))


_READERS = {
    T.TEXT: lambda n, d, tz: check_text(
        n, d, max_length=MAX_LENGTHS.get(n, 255), prose=n == "name"
    ),
    T.CODE: lambda n, d, tz: check_code(n, d, max_length=MAX_LENGTHS.get(n, 32)),
    T.CURRENCY: lambda n, d, tz: check_currency(n, d),
    T.TIME_ZONE: lambda n, d, tz: check_time_zone(n, d),
    T.TIME_OF_DAY: lambda n, d, tz: check_time_of_day(n, d),
    T.POSITIVE: lambda n, d, tz: check_decimal(n, d, sign="positive"),
    T.NON_NEGATIVE: lambda n, d, tz: check_decimal(n, d, sign="non_negative"),
    T.SIGNED: lambda n, d, tz: check_decimal(n, d, sign="any"),
    T.NUMBER: lambda n, d, tz: check_number(n, d),
    T.SIDE: lambda n, d, tz: check_side(n, d),
    T.LIQUIDITY: lambda n, d, tz: check_liquidity(n, d),
    T.RFQ_STATUS: lambda n, d, tz: check_rfq_status(n, d),
    T.TIMESTAMP: lambda n, d, tz: check_timestamp(n, d, tz=tz),
    T.DATE: lambda n, d, tz: check_date(n, d),
}
