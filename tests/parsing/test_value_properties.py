"""Property tests: whatever a user writes within the rules comes back exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tca.parsing import parse_file
from tests.parsing.helpers import FILLS_HEADER, csv_bytes, fill_row, parquet_bytes

decimals = st.decimals(
    min_value=Decimal("0.0000000001"),
    max_value=Decimal("9" * 28 + ".9999999999"),
    places=10,
    allow_nan=False,
    allow_infinity=False,
)


def plain(value: Decimal) -> str:
    """How a spreadsheet would write it: no exponent, trailing zeros as they come."""
    return format(value, "f")


@settings(max_examples=100, deadline=None)
@given(price=decimals, quantity=decimals, padding=st.integers(0, 5))
def test_decimal_text_round_trips_exactly(price, quantity, padding):
    price_text = plain(price) + ("0" * padding if "." in plain(price) else "")
    data = csv_bytes(FILLS_HEADER, fill_row(price=price_text, quantity=plain(quantity)))
    result = parse_file("fills", data, filename="f.csv")
    assert result.frame is not None, result.errors
    assert result.frame["price"][0] == price
    assert result.frame["quantity"][0] == quantity


@settings(max_examples=60, deadline=None)
@given(value=st.floats(min_value=1e-6, max_value=1e15, allow_nan=False, allow_infinity=False))
def test_parquet_floats_read_as_their_shortest_text_rounded_to_ten_places(value):
    frame = pl.DataFrame({"symbol": ["AAPL"], "tick_size": [value]})
    result = parse_file("instruments", parquet_bytes(frame), filename="i.parquet")
    assert result.frame is not None, result.errors
    expected = Decimal(repr(value)).quantize(Decimal("1E-10"))
    assert result.frame["tick_size"][0] == expected


@settings(max_examples=100, deadline=None)
@given(
    instant=st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    nanos=st.integers(0, 999),
    offset_minutes=st.integers(-14 * 60, 14 * 60),
)
def test_timestamps_with_offsets_keep_every_nanosecond(instant, nanos, offset_minutes):
    offset = timedelta(minutes=offset_minutes)
    local = (instant + offset).replace(tzinfo=None)
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    fraction = f"{local.microsecond:06d}{nanos:03d}"
    text = f"{local:%Y-%m-%dT%H:%M:%S}.{fraction}{sign}{hours:02d}:{minutes:02d}"
    result = parse_file("fills", csv_bytes(FILLS_HEADER, fill_row(time=text)), filename="f.csv")
    assert result.frame is not None, result.errors
    expected = int((instant - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(microseconds=1))
    assert result.frame["time"].dt.epoch("ns")[0] == expected * 1000 + nanos
