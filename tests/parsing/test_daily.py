"""The ``daily`` kind: daily history parsed exactly, and every bad input rejected."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from tca.parsing import parse_file, to_canonical
from tests.parsing.helpers import csv_bytes, errors_of, only_error, parquet_bytes

HEADER = "symbol,date,open,high,low,close,volume"
GOOD = "AAPL,2026-03-02,100.5,101.25,99.75,100,1200000"


def daily(*rows: str, header: str = HEADER) -> bytes:
    return csv_bytes(header, *rows)


def test_daily_csv_values_are_exact_and_optional_columns_null():
    result = parse_file("daily", daily(GOOD, "AAPL,2026-03-03,100,102,99.5,101.5,900000"),
                        filename="d.csv")
    assert result.ok, result.errors
    frame = result.frame
    assert frame["date"].to_list() == [dt.date(2026, 3, 2), dt.date(2026, 3, 3)]
    assert frame["high"][0] == Decimal("101.25")
    assert frame["volume"][1] == Decimal("900000")
    assert frame["vwap"].null_count() == 2
    assert frame["line"].to_list() == [2, 3]
    canonical = to_canonical("daily", frame)
    assert canonical["close"].to_list() == [100.0, 101.5]


def test_daily_with_vwap_and_currency():
    result = parse_file(
        "daily", daily(GOOD + ",100.4,USD", header=HEADER + ",vwap,currency"), filename="d.csv"
    )
    assert result.ok, result.errors
    assert result.frame["vwap"][0] == Decimal("100.4")
    assert result.frame["currency"][0] == "USD"


def test_daily_parquet_with_a_date_column():
    frame = pl.DataFrame({
        "symbol": ["AAPL"], "date": [dt.date(2026, 3, 2)], "open": [100.5], "high": [101.25],
        "low": [99.75], "close": [100.0], "volume": [1_200_000],
    })
    result = parse_file("daily", parquet_bytes(frame), filename="d.parquet")
    assert result.ok, result.errors
    assert result.frame["date"][0] == dt.date(2026, 3, 2)
    assert result.frame["low"][0] == Decimal("99.75")


def test_missing_required_columns_are_each_reported():
    found = errors_of("daily", csv_bytes("symbol,date,close", "AAPL,2026-03-02,100"))
    assert found == [
        (1, "open", "missing required column"),
        (1, "high", "missing required column"),
        (1, "low", "missing required column"),
        (1, "volume", "missing required column"),
    ]


def test_missing_required_value():
    assert only_error("daily", daily("AAPL,2026-03-02,100.5,101.25,99.75,,1200000")) == (
        2, "close", "missing value"
    )


@pytest.mark.parametrize("text", ["2026-3-2", "02/03/2026", "2026-03-02T00:00Z", "yesterday"])
def test_date_must_be_iso(text):
    row = GOOD.replace("2026-03-02", text)
    assert only_error("daily", daily(row)) == (
        2, "date", f"not a calendar date (YYYY-MM-DD): '{text}'"
    )


def test_impossible_date():
    assert only_error("daily", daily(GOOD.replace("2026-03-02", "2026-02-30"))) == (
        2, "date", "not a calendar date (YYYY-MM-DD): '2026-02-30'"
    )


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("AAPL,2026-03-02,0,101.25,99.75,100,1200000", "open", "must be greater than zero"),
        ("AAPL,2026-03-02,100.5,-101,99.75,100,1200000", "high", "must be greater than zero"),
        ("AAPL,2026-03-02,100.5,101.25,99.75,abc,1200000", "close", None),
    ],
)
def test_prices_must_be_positive_numbers(row, column, reason):
    line, col, found = only_error("daily", daily(row))
    assert (line, col) == (2, column)
    if reason is not None:
        assert found == reason
    else:
        assert "'abc'" in found


def test_volume_must_not_be_negative_but_may_be_zero():
    assert parse_file("daily", daily(GOOD.replace("1200000", "0")), filename="d.csv").ok
    line, col, _ = only_error("daily", daily(GOOD.replace("1200000", "-5")))
    assert (line, col) == (2, "volume")


def test_low_above_high():
    assert only_error("daily", daily("AAPL,2026-03-02,100,99,101,100,10")) == (
        2, "low", "low is above high"
    )


def test_open_and_close_outside_the_range():
    found = errors_of("daily", daily("AAPL,2026-03-02,98,101,99,102,10"))
    assert found == [
        (2, "open", "open is outside [low, high]"),
        (2, "close", "close is outside [low, high]"),
    ]


def test_duplicate_bar_reports_every_line():
    found = errors_of("daily", daily(GOOD, "MSFT,2026-03-02,10,11,9,10,5", GOOD))
    assert found == [
        (2, "date", "duplicate bar for 'AAPL' on 2026-03-02"),
        (4, "date", "duplicate bar for 'AAPL' on 2026-03-02"),
    ]
