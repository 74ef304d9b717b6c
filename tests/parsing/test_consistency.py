"""Fills checked against their orders and the fills already stored."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from tca.parsing import parse_file
from tca.parsing.consistency import validate_fills_against_orders
from tests.parsing.helpers import FILLS_HEADER, as_tuple, csv_bytes, fill_row

ORDERS = pl.DataFrame(
    {
        "order_id": ["O1", "O2"],
        "symbol": ["AAPL", "MSFT"],
        "side": [1, -1],
        "quantity": [Decimal(100), Decimal("50.5")],
    }
)
NO_FILLS = pl.DataFrame(
    schema={"exec_id": pl.String, "order_id": pl.String, "quantity": pl.Float64}
)


def new_fills(*rows: str) -> pl.DataFrame:
    result = parse_file("fills", csv_bytes(FILLS_HEADER, *rows), filename="f.csv")
    assert result.frame is not None, result.errors
    return result.frame


def check(fills: pl.DataFrame, existing: pl.DataFrame = NO_FILLS):
    result = validate_fills_against_orders(fills, ORDERS, existing)
    assert result.error_count == len(result.errors)
    return [as_tuple(e) for e in result.errors]


def test_consistent_fills_pass():
    fills = new_fills(
        fill_row("E1", quantity="60"),
        fill_row("E2", quantity="40"),
        fill_row("E3", order_id="O2", symbol="MSFT", side="S", quantity="50.5"),
    )
    result = validate_fills_against_orders(fills, ORDERS, NO_FILLS)
    assert result.ok


def test_unknown_order():
    assert check(new_fills(fill_row(order_id="O9"))) == [
        (2, "order_id", "unknown order_id 'O9' (not in the database nor in this upload)")
    ]


def test_side_and_symbol_must_match_the_order():
    fills = new_fills(
        fill_row("E1", side="SELL", quantity="50"), fill_row("E2", symbol="AAPL.O", quantity="50")
    )
    assert check(fills) == [
        (2, "side", "side differs from the side of order 'O1'"),
        (3, "symbol", "symbol 'AAPL.O' differs from the symbol 'AAPL' of order 'O1'"),
    ]


def test_overfill_names_the_first_fill_over_and_the_later_ones():
    fills = new_fills(
        fill_row("E1", quantity="60"),
        fill_row("E2", quantity="40.0000000001"),
        fill_row("E3", quantity="1"),
    )
    assert check(fills) == [
        (
            3,
            "quantity",
            "fills of order 'O1' add up to 100.0000000001, more than the order quantity 100",
        ),
        (
            4,
            "quantity",
            "fills of order 'O1' add up to 101.0000000001, more than the order quantity 100",
        ),
    ]


def test_stored_fills_count_and_a_resent_exec_id_counts_once():
    existing = pl.DataFrame(
        {"exec_id": ["E1", "E0"], "order_id": ["O1", "O1"], "quantity": [60.0, 30.0]}
    )
    resent = new_fills(fill_row("E1", quantity="60"), fill_row("E2", quantity="10"))
    assert check(resent, existing) == []
    too_many = new_fills(fill_row("E1", quantity="60"), fill_row("E2", quantity="11"))
    assert check(too_many, existing) == [
        (3, "quantity", "fills of order 'O1' add up to 101, more than the order quantity 100")
    ]


def test_cancelled_fills_do_not_count():
    existing = pl.DataFrame(
        {
            "exec_id": ["E0"],
            "order_id": ["O1"],
            "quantity": [90.0],
            "is_cancelled": [True],
        }
    )
    assert check(new_fills(fill_row("E1", quantity="100")), existing) == []


def test_orders_from_the_same_upload_are_known():
    batch_orders = pl.concat(
        [
            ORDERS,
            pl.DataFrame(
                {"order_id": ["O3"], "symbol": ["IBM"], "side": [1], "quantity": [Decimal(5)]}
            ),
        ]
    )
    fills = new_fills(fill_row(order_id="O3", symbol="IBM", quantity="5"))
    assert validate_fills_against_orders(fills, batch_orders, NO_FILLS).ok
