"""Identifiers that become paths or keys have one strict shape; text fits its column."""

from __future__ import annotations

import pytest

from tca.parsing import parse_fix_log
from tests.parsing.helpers import FILLS_HEADER, csv_bytes, fill_row, fix_message, only_error
from tests.parsing.test_fix import FILL_FIELDS

QUOTES = "symbol,time,bid,ask"
CODE = (
    "not a valid code: letters, digits, '.', '_' or '-', starting with a letter or digit, "
    "at most 32 characters"
)


@pytest.mark.parametrize(
    "symbol", ["../../etc", "a/b", "..", "a..b", ".hidden", "a\\b", "x y", "é", "A" * 33]
)
def test_a_symbol_that_could_leave_its_folder_is_a_row_error(symbol: str) -> None:
    data = csv_bytes(
        QUOTES, "AAPL,2024-03-01T14:30:00Z,1,1.01", f'"{symbol}",2024-03-01T14:30:01Z,1,1.01'
    )
    line, column, reason = only_error("quotes", data)
    assert (line, column) == (3, "symbol")
    assert reason.startswith(CODE)


@pytest.mark.parametrize("symbol", ["AAPL", "BRK.B", "VOD.L", "ES_F", "BTC-USD", "7203"])
def test_ordinary_symbols_pass(symbol: str) -> None:
    from tca.parsing import parse_file

    result = parse_file(
        "quotes", csv_bytes(QUOTES, f"{symbol},2024-03-01T14:30:00Z,1,1.01"), filename="q.csv"
    )
    assert result.frame is not None and result.frame["symbol"].to_list() == [symbol]


def test_venue_is_a_code_of_at_most_16() -> None:
    data = csv_bytes(FILLS_HEADER + ",venue", fill_row() + ",X/../Y")
    assert only_error("fills", data)[1:] == ("venue", CODE.replace("32", "16") + ": 'X/../Y'")


def test_nul_and_line_breaks_in_an_id_are_row_errors() -> None:
    data = csv_bytes(FILLS_HEADER, fill_row(exec_id="E\x001"))
    assert only_error("fills", data) == (
        2,
        "exec_id",
        "contains a control character (such as NUL or a line break)",
    )


def test_text_longer_than_its_column_is_a_row_error_not_a_database_error() -> None:
    data = csv_bytes(FILLS_HEADER + ",broker", fill_row() + "," + "B" * 65)
    assert only_error("fills", data) == (2, "broker", "longer than 64 characters")
    data = csv_bytes(FILLS_HEADER, fill_row(order_id="O" * 65))
    assert only_error("fills", data) == (2, "order_id", "longer than 64 characters")


def test_fix_symbols_and_venues_get_the_same_check() -> None:
    fields = dict(FILL_FIELDS)
    fields[55] = "../AAPL"
    result = parse_fix_log(fix_message(list(fields.items())))
    assert [(e.column, e.reason) for e in result.errors] == [("Symbol(55)", CODE + ": '../AAPL'")]
