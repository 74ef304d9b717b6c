"""Good files of every kind, CSV and Parquet, parse to the exact expected values."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import polars as pl
import pytest

from tca.frames import SCHEMAS
from tca.parsing import DECIMAL, parse_file, to_canonical
from tca.parsing.columns import parsed_schema
from tests.parsing.helpers import FILLS_HEADER, csv_bytes, fill_row, parquet_bytes


def parsed(kind: str, data: bytes, *, filename: str = "upload.csv", **kwargs) -> pl.DataFrame:
    result = parse_file(kind, data, filename=filename, **kwargs)
    assert result.errors == [], result.errors
    assert result.frame is not None
    assert result.frame.schema == pl.Schema(parsed_schema(kind))
    return result.frame


def ns(text: str) -> int:
    """Nanoseconds since the epoch of an ISO text, computed without floats."""
    return pl.Series([text]).str.to_datetime(time_unit="ns", time_zone="UTC").dt.epoch("ns")[0]


def test_fills_csv_values_are_exact():
    data = csv_bytes(
        FILLS_HEADER + ",venue,liquidity,broker,algo,fee,currency",
        "E1,O1,AAPL,buy,100,100.10,2024-03-01T14:30:00.123456789Z,XNAS,add,GS,VWAP,-0.35,USD",
        "E2,O1,AAPL,SELL_SHORT,0.5,99.9999999999,2024-03-01T15:30:00+01:00,,,,,,",
    )
    frame = parsed("fills", data)
    first, second = frame.to_dicts()
    assert first["price"] == Decimal("100.10")
    assert first["fee"] == Decimal("-0.35")
    assert (first["side"], second["side"]) == (1, -1)
    assert first["liquidity"] == "ADD"
    assert (first["venue"], first["broker"], first["algo"], first["currency"]) == (
        "XNAS",
        "GS",
        "VWAP",
        "USD",
    )
    assert second["price"] == Decimal("99.9999999999")
    assert second["quantity"] == Decimal("0.5")
    assert second["fee"] is None
    assert second["time"] == datetime(2024, 3, 1, 14, 30, tzinfo=UTC)
    assert frame["time"].dt.epoch("ns")[0] == ns("2024-03-01T14:30:00.123456789Z")
    assert frame["line"].to_list() == [2, 3]


@pytest.mark.parametrize(
    ("side", "sign"),
    [
        ("BUY", 1),
        ("b", 1),
        ("1", 1),
        ("Sell", -1),
        ("S", -1),
        ("2", -1),
        ("5", -1),
        ("6", -1),
        ("sell_short", -1),
        ("SHORT", -1),
    ],
)
def test_side_spellings(side, sign):
    frame = parsed("fills", csv_bytes(FILLS_HEADER, fill_row(side=side)))
    assert frame["side"].to_list() == [sign]


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024-03-01T14:30:00Z", "2024-03-01T14:30:00Z"),
        ("2024-03-01 14:30:00z", "2024-03-01T14:30:00Z"),
        ("2024-03-01T14:30:00.5+05:30", "2024-03-01T09:00:00.5Z"),
        ("2024-03-01T09:30:00-0500", "2024-03-01T14:30:00Z"),
        ('"2024-03-01T14:30:00,000000001Z"', "2024-03-01T14:30:00.000000001Z"),
    ],
)
def test_timestamp_forms(text, utc):
    frame = parsed("fills", csv_bytes(FILLS_HEADER, fill_row(time=text)))
    assert frame["time"].dt.epoch("ns")[0] == ns(utc)


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2024-01-15T09:00:00", "2024-01-15T09:00:00Z"),  # GMT
        ("2024-07-15T09:00:00.000000007", "2024-07-15T08:00:00.000000007Z"),  # BST
        ("2024-03-31T00:59:59", "2024-03-31T00:59:59Z"),  # just before the gap
        ("2024-03-31T02:00:00", "2024-03-31T01:00:00Z"),  # just after it
        ("2024-10-27T02:00:00", "2024-10-27T02:00:00Z"),  # just after the overlap
    ],
)
def test_time_zone_applies_to_local_times(local, utc):
    frame = parsed("fills", csv_bytes(FILLS_HEADER, fill_row(time=local)), tz="Europe/London")
    assert frame["time"].dt.epoch("ns")[0] == ns(utc)


def test_explicit_offset_wins_over_the_time_zone():
    data = csv_bytes(FILLS_HEADER, fill_row(time="2024-07-15T09:00:00Z"))
    frame = parsed("fills", data, tz="America/New_York")
    assert frame["time"][0] == datetime(2024, 7, 15, 9, tzinfo=UTC)


def test_orders_with_optional_columns():
    data = csv_bytes(
        "order_id,symbol,side,quantity,arrival_time,decision_time,end_time,limit_price,desk",
        "O1,AAPL,B,1000,2024-03-01T14:30:00Z,2024-03-01T14:29:00Z,2024-03-01T15:00:00Z,101.5,EQ",
        "O2,MSFT,S,250.25,2024-03-01T14:30:00Z,,,,",
    )
    first, second = parsed("orders", data).to_dicts()
    assert first["decision_time"] == datetime(2024, 3, 1, 14, 29, tzinfo=UTC)
    assert first["limit_price"] == Decimal("101.5")
    assert first["desk"] == "EQ"
    assert second["quantity"] == Decimal("250.25")
    assert second["decision_time"] is None
    assert second["end_time"] is None
    assert second["trader"] is None  # absent column: typed null


def test_instruments_with_quoted_fields_and_embedded_newline():
    data = csv_bytes(
        "symbol,name,currency,tick_size,timezone,session_open,session_close",
        'AAPL,"Apple, Inc.",USD,0.01,America/New_York,09:30,16:00',
        'VOD.L,"Vodafone',
        'Group",GBp,0.02,Europe/London,8:00,16:30:00',
        "MSFT,,,,,,",
    )
    result = parse_file("instruments", data, filename="i.csv")
    frame = result.frame
    assert frame is not None
    assert frame["name"].to_list() == ["Apple, Inc.", "Vodafone\nGroup", None]
    assert frame["currency"].to_list() == ["USD", "GBp", None]
    assert frame["tick_size"].to_list() == [Decimal("0.01"), Decimal("0.02"), None]
    assert frame["line"].to_list() == [2, 3, 5]
    assert result.columns == (
        "symbol",
        "name",
        "currency",
        "tick_size",
        "timezone",
        "session_open",
        "session_close",
    )


def test_quotes_are_sorted_by_symbol_then_time_keeping_lines():
    data = csv_bytes(
        "symbol,time,bid,ask,bid_size",
        "MSFT,2024-03-01T14:30:02Z,400.1,400.2,100",
        "AAPL,2024-03-01T14:30:01Z,180.00,180.02,",
        "MSFT,2024-03-01T14:30:01Z,400.0,400.1,200",
        "AAPL,2024-03-01T14:30:00Z,179.99,180.01,300",
    )
    frame = parsed("quotes", data)
    assert frame["symbol"].to_list() == ["AAPL", "AAPL", "MSFT", "MSFT"]
    assert frame["line"].to_list() == [5, 3, 4, 2]
    assert frame["bid"].to_list()[0] == Decimal("179.99")
    assert frame["bid_size"].to_list() == [Decimal(300), None, Decimal(200), Decimal(100)]
    assert frame["ask_size"].null_count() == 4


def test_sorting_is_stable_for_equal_times():
    rows = [f"AAPL,2024-03-01T14:30:00Z,{10 + i},{11 + i},{i}" for i in range(5)]
    frame = parsed("quotes", csv_bytes("symbol,time,bid,ask,bid_size", *rows))
    assert frame["line"].to_list() == [2, 3, 4, 5, 6]


def test_trades_csv():
    data = csv_bytes(
        "symbol,time,price,size,venue,condition",
        "AAPL,2024-03-01T14:30:00Z,180.01,100,XNAS,@",
    )
    row = parsed("trades", data).to_dicts()[0]
    assert (row["price"], row["size"], row["venue"], row["condition"]) == (
        Decimal("180.01"),
        Decimal(100),
        "XNAS",
        "@",
    )


def test_header_names_are_trimmed_and_case_insensitive_and_unknown_ones_ignored():
    data = csv_bytes(
        " Exec_ID ,ORDER_ID,Symbol,Side,Quantity,Price,Time,Comment",
        "E1 , O1,AAPL , BUY,100, 100.10 ,2024-03-01T14:30:00Z,hello",
    )
    result = parse_file("fills", data, filename="f.CSV")
    assert result.frame is not None
    assert result.ignored_columns == ("comment",)
    row = result.frame.to_dicts()[0]
    assert (row["exec_id"], row["order_id"], row["symbol"]) == ("E1", "O1", "AAPL")
    assert row["price"] == Decimal("100.10")


def test_crlf_bom_and_trailing_blank_lines():
    data = b"\xef\xbb\xbf" + csv_bytes(FILLS_HEADER, fill_row("E1"), fill_row("E2"), "", "")
    data = data.replace(b"\n", b"\r\n")
    frame = parsed("fills", data)
    assert frame["exec_id"].to_list() == ["E1", "E2"]
    assert frame["line"].to_list() == [2, 3]


def test_path_input(tmp_path):
    path = tmp_path / "fills.csv"
    path.write_bytes(csv_bytes(FILLS_HEADER, fill_row()))
    result = parse_file("fills", path, filename=path.name)
    assert result.frame is not None
    assert result.row_count == 1


def test_parquet_fills_with_typed_columns():
    frame = pl.DataFrame(
        {
            "exec_id": ["E1", "E2"],
            "order_id": [1, 1],  # integer ids become text
            "symbol": ["AAPL", "AAPL"],
            "side": [1, 2],
            "quantity": [100, 50],
            "price": [100.1, 0.30000000000000004],
            "time": [datetime(2024, 3, 1, 14, 30, tzinfo=UTC)] * 2,
            "fee": [Decimal("-0.0035"), None],
        }
    )
    out = parsed("fills", parquet_bytes(frame), filename="f.parquet")
    assert out["order_id"].to_list() == ["1", "1"]
    assert out["side"].to_list() == [1, -1]
    assert out["price"].to_list() == [Decimal("100.1"), Decimal("0.3")]
    assert out["quantity"].to_list() == [Decimal(100), Decimal(50)]
    assert out["fee"].to_list() == [Decimal("-0.0035"), None]
    assert out["line"].to_list() == [2, 3]


def test_parquet_large_floats_go_through_their_shortest_text():
    frame = pl.DataFrame(
        {"symbol": ["A", "B", "C"], "tick_size": [5000000.1, 123456789012.123, 1e20]}
    )
    out = parsed("instruments", parquet_bytes(frame), filename="i.parquet")
    assert out["tick_size"].to_list() == [
        Decimal("5000000.1"),
        Decimal("123456789012.123"),
        Decimal("1E+20"),
    ]


def test_parquet_quotes_with_nanosecond_times_in_another_zone():
    times = pl.Series(
        ["2024-03-01T09:30:00.000000001-05:00", "2024-03-01T09:30:00.000000002-05:00"]
    ).str.to_datetime(time_unit="ns", time_zone="America/New_York")
    frame = pl.DataFrame(
        {"symbol": ["B", "A"], "time": times, "bid": [1.5, 2.5], "ask": [1.6, 2.6]}
    )
    out = parsed("quotes", parquet_bytes(frame), filename="q.pq")
    assert out["symbol"].to_list() == ["A", "B"]
    assert out["time"].dt.epoch("ns").to_list() == [
        ns("2024-03-01T14:30:00.000000002Z"),
        ns("2024-03-01T14:30:00.000000001Z"),
    ]
    assert out["line"].to_list() == [3, 2]


def test_parquet_naive_times_with_a_time_zone():
    frame = pl.DataFrame(
        {
            "symbol": ["VOD.L"],
            "time": [datetime(2024, 7, 1, 9, 0)],
            "price": [Decimal("72.5")],
            "size": [1000],
        }
    )
    out = parsed("trades", parquet_bytes(frame), filename="t.parquet", tz="Europe/London")
    assert out["time"][0] == datetime(2024, 7, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("kind", list(SCHEMAS))
def test_to_canonical_gives_the_float_schema(kind):
    rows = {
        "instruments": ("symbol,tick_size", "AAPL,0.01"),
        "orders": (
            "order_id,symbol,side,quantity,arrival_time",
            "O1,AAPL,BUY,10,2024-03-01T00:00Z",
        ),
        "fills": (FILLS_HEADER, fill_row()),
        "quotes": ("symbol,time,bid,ask", "AAPL,2024-03-01T00:00:00Z,1.25,1.5"),
        "trades": ("symbol,time,price,size", "AAPL,2024-03-01T00:00:00Z,1.25,3"),
        "daily": (
            "symbol,date,open,high,low,close,volume",
            "AAPL,2024-03-01,1.25,1.5,1.2,1.3,1000",
        ),
        "rfq": (
            "rfq_id,symbol,side,quantity,request_time,dealer,quote_price,quote_time",
            "R1,AAPL,SELL,500,2024-03-01T00:00:00Z,DA,1.25,2024-03-01T00:00:01Z",
        ),
        "signals": ("symbol,time,name,value", "AAPL,2024-03-01T00:00:00Z,sentiment,-2.5e-1"),
    }[kind]
    if kind == "orders":
        rows = (rows[0], rows[1].replace("00:00Z", "00:00:00Z"))
    frame = parsed(kind, csv_bytes(*rows))
    canonical = to_canonical(kind, frame)
    assert canonical.schema == pl.Schema(SCHEMAS[kind])
    assert canonical.height == 1


def test_to_canonical_fills_missing_optional_columns():
    frame = pl.DataFrame(
        {"symbol": ["AAPL"], "time": [datetime(2024, 3, 1, tzinfo=UTC)]},
        schema={"symbol": pl.String, "time": pl.Datetime("ns", "UTC")},
    ).with_columns(bid=pl.lit(Decimal("1.5"), dtype=DECIMAL), ask=pl.lit(Decimal(2), dtype=DECIMAL))
    canonical = to_canonical("quotes", frame)
    assert canonical.schema == pl.Schema(SCHEMAS["quotes"])
    assert canonical.row(0) == ("AAPL", datetime(2024, 3, 1, tzinfo=UTC), 1.5, 2.0, None, None)


def test_quoted_fields_on_single_lines():
    data = csv_bytes(
        '"symbol","name","tick_size"',
        '"AAPL","Apple, Inc. ""the fruit""","0.01"',
        '"IBM",,"0.01"',
    )
    frame = parsed("instruments", data)
    assert frame["name"].to_list() == ['Apple, Inc. "the fruit"', None]
    assert frame["line"].to_list() == [2, 3]
