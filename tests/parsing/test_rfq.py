"""The rfq kind: each bad input with its row error, and the parsed values."""

from __future__ import annotations

import datetime as dt

import pytest

from tca.parsing import parse_file
from tests.parsing.helpers import csv_bytes, errors_of

HEADER = "rfq_id,symbol,side,quantity,request_time,dealer,quote_price,quote_time,status,valid_until"
T0, T1, T2 = "2026-03-02T15:00:00Z", "2026-03-02T15:00:02Z", "2026-03-02T15:00:30Z"


def row(rfq="R1", dealer="DA", side="BUY", qty="5000", price="100.05", quoted=T1, status="PASSED",
        valid=T2, request=T0, symbol="AAA") -> str:  # fmt: skip
    return f"{rfq},{symbol},{side},{qty},{request},{dealer},{price},{quoted},{status},{valid}"


def test_a_good_file_parses_with_exact_values() -> None:
    data = csv_bytes(HEADER, row(dealer="DA", status="filled"), row(dealer="DB"))
    result = parse_file("rfq", data, filename="rfq.csv")
    assert result.error_count == 0, result.errors
    frame = result.frame
    assert frame["status"].to_list() == ["FILLED", "PASSED"]
    assert frame["side"].to_list() == [1, 1]
    assert frame["quote_time"][0] == dt.datetime(2026, 3, 2, 15, 0, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([row(status="DONE")],
         (2, "status", "unknown status 'DONE' (expected FILLED, PASSED or EXPIRED)")),
        ([row(quoted="2026-03-02T14:59:00Z")],
         (2, "quote_time", "quote_time is before request_time")),
        ([row(valid="2026-03-02T15:00:01Z")],
         (2, "valid_until", "valid_until is before quote_time")),
        ([row(), row()], (3, "dealer", "a second quote from 'DA' for rfq 'R1'")),
        ([row(dealer="DA", status="FILLED"), row(dealer="DB", status="FILLED")],
         (3, "status", "more than one FILLED quote for rfq 'R1'")),
        ([row(dealer="DA"), row(dealer="DB", qty="6000")],
         (2, "quantity", "quantity differs between the quotes of rfq 'R1'")),
        ([row(dealer="../x")], (2, "dealer", None)),
        ([row(price="-1")], (2, "quote_price", None)),
    ],
)
def test_bad_rows_are_rejected_with_their_reason(rows, expected) -> None:  # type: ignore[no-untyped-def]
    found = errors_of("rfq", csv_bytes(HEADER, *rows))
    line, column, reason = expected
    assert (line, column) in [(e[0], e[1]) for e in found], found
    if reason:
        assert (line, column, reason) in found, found


def test_required_columns() -> None:
    found = errors_of("rfq", csv_bytes("rfq_id,symbol", "R1,AAA"))
    assert any("missing required column" in e[2] for e in found), found
