"""Every way a file is rejected: the exact error (line, column, reason) and no frame."""

from __future__ import annotations

import polars as pl
import pytest

from tca.parsing import MAX_REPORTED_ERRORS, parse_file
from tests.parsing.helpers import (
    FILLS_HEADER,
    csv_bytes,
    errors_of,
    fill_row,
    only_error,
    parquet_bytes,
)

NO_OFFSET = "timestamp has no UTC offset; add Z or ±HH:MM, or name the time zone of the file"
SIDES = "expected BUY, SELL, B, S, 1, 2, 5, 6, SELL_SHORT or SHORT"


def fills(*rows: str) -> bytes:
    return csv_bytes(FILLS_HEADER, *rows)


# --- whole-file problems ---------------------------------------------------------------


def test_file_over_the_size_limit_is_rejected_before_parsing():
    data = fills(fill_row())
    assert only_error("fills", data, max_bytes=len(data) - 1) == (
        None,
        None,
        f"file is larger than the limit of {len(data) - 1} bytes",
    )


def test_size_limit_applies_to_a_path_too(tmp_path):
    path = tmp_path / "fills.csv"
    path.write_bytes(fills(fill_row()))
    result = parse_file("fills", path, filename="fills.csv", max_bytes=10)
    assert result.frame is None
    assert result.errors[0].reason == "file is larger than the limit of 10 bytes"


def test_parquet_row_limit_is_read_from_the_footer_before_decompressing(monkeypatch):
    """A 2 MB column of zeros compresses to a few KB: the row count stops it, not the size."""
    frame = pl.DataFrame({"exec_id": ["E"] * 300_000, "quantity": [0] * 300_000})
    data = parquet_bytes(frame)
    assert len(data) < 64 * 1024

    def refuse(*args, **kwargs):  # the file must never be decoded
        raise AssertionError("decompressed a file over the row limit")

    monkeypatch.setattr(pl, "read_parquet", refuse)
    assert only_error("fills", data, filename="f.parquet", max_rows=100_000) == (
        None,
        None,
        "the file has 300,000 rows; the limit is 100,000 rows per file",
    )


def test_csv_row_limit():
    data = fills(fill_row("E1"), fill_row("E2"), fill_row("E3"))
    assert only_error("fills", data, max_rows=2) == (
        None,
        None,
        "the file has 3 rows; the limit is 2 rows per file",
    )
    assert parse_file("fills", data, filename="f.csv", max_rows=3).frame is not None


@pytest.mark.parametrize("data", [b"", b"\n\n", b"  \r\n"])
def test_empty_file(data):
    assert only_error("fills", data) == (None, None, "file is empty")


def test_header_only():
    assert only_error("fills", csv_bytes(FILLS_HEADER)) == (
        None,
        None,
        "file has a header but no data rows",
    )


def test_parquet_without_rows():
    empty = pl.DataFrame(schema={"symbol": pl.String})
    assert only_error("instruments", parquet_bytes(empty), filename="i.parquet") == (
        None,
        None,
        "file has a header but no data rows",
    )


def test_csv_name_with_parquet_content():
    data = parquet_bytes(pl.DataFrame({"symbol": ["AAPL"]}))
    assert only_error("instruments", data, filename="instruments.csv") == (
        None,
        None,
        "file name ends in .csv but the content is Parquet",
    )


def test_parquet_name_with_text_content():
    assert only_error("instruments", b"symbol\nAAPL\n", filename="i.parquet") == (
        None,
        None,
        "file name ends in .parquet but the content is not Parquet (no PAR1 header)",
    )


def test_unreadable_parquet():
    found = only_error("instruments", b"PAR1 this is not really parquet", filename="i.parquet")
    assert found[:2] == (None, None)
    assert found[2].startswith("not a readable Parquet file: ")


def test_unknown_time_zone():
    assert only_error("fills", fills(fill_row()), tz="Mars/Olympus") == (
        None,
        None,
        "unknown time zone 'Mars/Olympus'",
    )


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown file kind"):
        parse_file("positions", b"a\n1\n", filename="p.csv")


# --- lines that cannot be read ---------------------------------------------------------


def test_non_utf8_line_is_reported_with_its_line_number():
    data = fills(fill_row("E1"), fill_row("E2")).replace(b"E2", b"E\xff2")
    assert only_error("fills", data) == (3, None, "line is not valid UTF-8 text")


def test_non_utf8_in_a_quoted_file():
    data = csv_bytes("symbol,name", 'AAPL,"Apple, Inc."', "VOD,Vodafone").replace(b"Vod", b"V\xe9d")
    assert only_error("instruments", data) == (3, None, "line is not valid UTF-8 text")


def test_too_few_fields():
    data = fills(fill_row("E1"), "E2,O1,AAPL,BUY,100,100.10")
    assert only_error("fills", data) == (3, None, "expected 7 fields, found 6")


def test_too_many_fields():
    data = fills(fill_row("E1") + ",extra", fill_row("E2"))
    assert only_error("fills", data) == (2, None, "expected 7 fields, found 8")


def test_ragged_rows_in_a_quoted_file():
    data = csv_bytes("symbol,name", '"AAPL","Apple, Inc."', '"MSFT"')
    assert only_error("instruments", data) == (3, None, "expected 2 fields, found 1")


def test_malformed_quoting():
    data = csv_bytes("symbol,name", 'AAPL,"Apple" Inc.')
    line, column, reason = only_error("instruments", data)
    assert (line, column) == (2, None)
    assert reason.startswith("malformed CSV: ")


# --- header ---------------------------------------------------------------------------


def test_missing_required_columns_are_each_reported():
    data = csv_bytes("exec_id,order_id,symbol,side,quantity", "E1,O1,AAPL,BUY,100")
    assert errors_of("fills", data) == [
        (1, "price", "missing required column"),
        (1, "time", "missing required column"),
    ]


def test_repeated_column():
    data = csv_bytes(FILLS_HEADER + ",Price", fill_row() + ",1")
    assert only_error("fills", data) == (1, "price", "column appears more than once in the header")


# --- values ---------------------------------------------------------------------------


def test_missing_required_value():
    assert only_error("fills", fills(fill_row(symbol=""))) == (2, "symbol", "missing value")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1e3", "exponent notation (like 1e3) is not accepted; write the plain decimal"),
        ("2.5E-2", "exponent notation (like 1e3) is not accepted; write the plain decimal"),
        ("NaN", "not a finite number"),
        ("inf", "not a finite number"),
        ("-Infinity", "not a finite number"),
        ("abc", "not a decimal number: 'abc'"),
        ("1,5", None),  # a comma splits the field: reported as a ragged line
        ("100.12345678901", "more than 10 decimal places"),
        ("1" * 29, "more than 28 digits before the decimal point"),
        ("0", "must be greater than zero"),
        ("-5", "must be greater than zero"),
        ("0.0000", "must be greater than zero"),
    ],
)
def test_bad_price(text, reason):
    data = fills(fill_row(price=text))
    if reason is None:
        assert only_error("fills", data) == (2, None, "expected 7 fields, found 8")
    else:
        assert only_error("fills", data) == (2, "price", reason)


def test_bad_quantity():
    assert only_error("fills", fills(fill_row(quantity="-1"))) == (
        2,
        "quantity",
        "must be greater than zero",
    )


def test_fee_may_be_negative_or_zero_but_must_be_a_number():
    header = FILLS_HEADER + ",fee"
    good = csv_bytes(header, fill_row("E1") + ",-0.25", fill_row("E2") + ",0")
    assert parse_file("fills", good, filename="f.csv").frame is not None
    bad = csv_bytes(header, fill_row("E1") + ",NaN")
    assert only_error("fills", bad) == (2, "fee", "not a finite number")


def test_unknown_side():
    assert only_error("fills", fills(fill_row(side="HOLD"))) == (
        2,
        "side",
        f"unknown side 'HOLD' ({SIDES})",
    )


def test_unknown_liquidity():
    data = csv_bytes(FILLS_HEADER + ",liquidity", fill_row() + ",maker")
    assert only_error("fills", data) == (
        2,
        "liquidity",
        "unknown liquidity 'maker' (expected ADD, REMOVE, AUCTION or OTHER)",
    )


def test_timestamp_without_offset_needs_a_time_zone():
    data = fills(fill_row(time="2024-03-01T14:30:00"))
    assert only_error("fills", data) == (2, "time", NO_OFFSET)


@pytest.mark.parametrize(
    "text", ["yesterday", "2024-03-01", "01/03/2024 14:30", "2024-03-01T14:30:00.1234567891Z"]
)
def test_not_iso_timestamp(text):
    assert only_error("fills", fills(fill_row(time=text))) == (
        2,
        "time",
        f"not an ISO-8601 timestamp (like 2024-03-01T14:30:00.123456789Z): '{text}'",
    )


@pytest.mark.parametrize(
    "text", ["2024-02-30T10:00:00Z", "2024-03-01T25:00:00Z", "2024-03-01T10:00:00+24:00"]
)
def test_impossible_timestamp(text):
    assert only_error("fills", fills(fill_row(time=text))) == (
        2,
        "time",
        f"not a valid date, time or UTC offset: '{text}'",
    )


def test_local_time_in_a_dst_gap():
    data = fills(fill_row(time="2024-03-31T01:30:00"))
    assert only_error("fills", data, tz="Europe/London") == (
        2,
        "time",
        "local time does not exist in Europe/London (clocks went forward)",
    )


def test_local_time_in_a_dst_overlap():
    data = fills(fill_row(time="2024-10-27 01:30:00"))
    assert only_error("fills", data, tz="Europe/London") == (
        2,
        "time",
        "local time is ambiguous in Europe/London (clocks went back); give the UTC offset",
    )


def test_long_bad_values_are_shortened_in_messages():
    side = "X" * 60
    assert only_error("fills", fills(fill_row(side=side))) == (
        2,
        "side",
        f"unknown side '{'X' * 40}...' ({SIDES})",
    )


# --- rows and files -------------------------------------------------------------------


def test_duplicate_exec_id_reports_every_line():
    data = fills(fill_row("E1"), fill_row("E2"), fill_row("E1"))
    assert errors_of("fills", data) == [
        (2, "exec_id", "duplicate exec_id 'E1' (lines 2, 4)"),
        (4, "exec_id", "duplicate exec_id 'E1' (lines 2, 4)"),
    ]


def test_duplicate_order_id():
    header = "order_id,symbol,side,quantity,arrival_time"
    row = "O1,AAPL,BUY,100,2024-03-01T14:30:00Z"
    assert errors_of("orders", csv_bytes(header, row, row)) == [
        (2, "order_id", "duplicate order_id 'O1' (lines 2, 3)"),
        (3, "order_id", "duplicate order_id 'O1' (lines 2, 3)"),
    ]


def test_duplicate_symbol_in_instruments():
    assert errors_of("instruments", csv_bytes("symbol", "AAPL", "AAPL"))[0] == (
        2,
        "symbol",
        "duplicate symbol 'AAPL' (lines 2, 3)",
    )


def test_many_duplicates_list_the_first_lines_and_the_count():
    data = fills(*(fill_row("E1") for _ in range(12)))
    found = errors_of("fills", data)
    assert len(found) == 12
    assert found[0][2] == (
        "duplicate exec_id 'E1' (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ... (12 in all))"
    )


ORDERS_HEADER = "order_id,symbol,side,quantity,arrival_time,decision_time,end_time"


def test_decision_time_after_arrival():
    row = "O1,AAPL,BUY,100,2024-03-01T14:30:00Z,2024-03-01T14:31:00Z,"
    assert only_error("orders", csv_bytes(ORDERS_HEADER, row)) == (
        2,
        "decision_time",
        "decision_time is after arrival_time",
    )


def test_end_time_before_arrival():
    row = "O1,AAPL,BUY,100,2024-03-01T14:30:00Z,,2024-03-01T14:29:59.999999999Z"
    assert only_error("orders", csv_bytes(ORDERS_HEADER, row)) == (
        2,
        "end_time",
        "end_time is before arrival_time",
    )


def test_crossed_quote():
    data = csv_bytes("symbol,time,bid,ask", "AAPL,2024-03-01T14:30:00Z,10.50,10.4")
    assert only_error("quotes", data) == (2, "bid", "bid 10.5 is above ask 10.4")


def test_quote_prices_must_be_positive():
    data = csv_bytes("symbol,time,bid,ask", "AAPL,2024-03-01T14:30:00Z,0,10.4")
    assert only_error("quotes", data) == (2, "bid", "must be greater than zero")


def test_quote_sizes_must_not_be_negative():
    data = csv_bytes("symbol,time,bid,ask,bid_size", "AAPL,2024-03-01T14:30:00Z,1,2,-3")
    assert only_error("quotes", data) == (2, "bid_size", "must not be negative")


def test_trade_size_must_be_positive():
    data = csv_bytes("symbol,time,price,size", "AAPL,2024-03-01T14:30:00Z,10,0")
    assert only_error("trades", data) == (2, "size", "must be greater than zero")


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("currency", "US", "not a 3-letter currency code: 'US'"),
        (
            "timezone",
            "Europe/Londres",
            "not an IANA time zone name (like Europe/London): 'Europe/Londres'",
        ),
        ("session_open", "9h30", "not a time of day (HH:MM or HH:MM:SS): '9h30'"),
        ("tick_size", "0", "must be greater than zero"),
    ],
)
def test_bad_instrument_values(column, value, reason):
    data = csv_bytes(f"symbol,{column}", f"AAPL,{value}")
    assert only_error("instruments", data) == (2, column, reason)


def test_every_bad_row_is_reported_in_line_order_with_all_its_columns():
    data = fills(
        fill_row("E1", side="X", price="-1"),
        fill_row("E2"),
        "E3,O1",
        fill_row("E4", time="2024-03-01T14:30:00"),
    )
    assert errors_of("fills", data) == [
        (2, "side", f"unknown side 'X' ({SIDES})"),
        (2, "price", "must be greater than zero"),
        (4, None, "expected 7 fields, found 2"),
        (5, "time", NO_OFFSET),
    ]


def test_blank_lines_keep_line_numbers_right():
    data = csv_bytes("", FILLS_HEADER, "", fill_row("E1"), "   ", fill_row("E2", side="?"))
    assert errors_of("fills", data) == [(6, "side", f"unknown side '?' ({SIDES})")]


def test_only_the_first_thousand_errors_are_listed_but_all_are_counted():
    rows = [fill_row(f"E{i}", price="0") for i in range(2500)]
    result = parse_file("fills", fills(*rows), filename="f.csv")
    assert result.frame is None
    assert result.error_count == 2500
    assert len(result.errors) == MAX_REPORTED_ERRORS
    assert result.errors[0].line == 2
    assert result.errors[-1].line == MAX_REPORTED_ERRORS + 1
    assert result.row_count == 2500


# --- Parquet-specific -------------------------------------------------------------------


def test_parquet_nan_price_is_reported_with_its_row_line():
    frame = pl.DataFrame(
        {
            "exec_id": ["E1", "E2"],
            "order_id": ["O1", "O1"],
            "symbol": ["AAPL", "AAPL"],
            "side": ["BUY", "BUY"],
            "quantity": [1, 2],
            "price": [10.0, float("nan")],
            "time": ["2024-03-01T14:30:00Z"] * 2,
        }
    )
    assert only_error("fills", parquet_bytes(frame), filename="f.parquet") == (
        3,
        "price",
        "not a finite number",
    )


def test_parquet_column_of_an_unusable_type():
    frame = pl.DataFrame(
        {"symbol": ["AAPL"], "time": [1], "bid": [1.0], "ask": [2.0]},
        schema_overrides={"time": pl.Int64},
    )
    assert only_error("quotes", parquet_bytes(frame), filename="q.parquet") == (
        None,
        "time",
        "a Parquet column of type Int64 cannot hold timestamps",
    )


def test_parquet_decimal_with_too_many_places():
    from decimal import Decimal

    frame = pl.DataFrame(
        {"symbol": ["AAPL", "MSFT"], "tick_size": [Decimal("0.010000000000"), Decimal("1E-12")]},
        schema_overrides={"tick_size": pl.Decimal(20, 12)},
    )
    assert only_error("instruments", parquet_bytes(frame), filename="i.parquet") == (
        3,
        "tick_size",
        "more than 10 decimal places",
    )


def test_parquet_naive_datetime_needs_a_time_zone():
    from datetime import datetime

    frame = pl.DataFrame(
        {"symbol": ["AAPL"], "time": [datetime(2024, 3, 1, 14, 30)], "price": [1], "size": [1]}
    )
    assert only_error("trades", parquet_bytes(frame), filename="t.parquet") == (
        2,
        "time",
        NO_OFFSET,
    )


def test_single_column_file_skips_blank_lines_but_not_extra_fields():
    result = parse_file(
        "instruments", csv_bytes("symbol", "AAPL", "MSFT,x", "  ", "IBM"), filename="i.csv"
    )
    assert result.frame is None
    assert [(e.line, e.column, e.reason) for e in result.errors] == [
        (3, None, "expected 1 fields, found 2")
    ]
    assert result.row_count == 3
