"""Fills files through the service layer: checked against stored orders, all-or-nothing."""

from decimal import Decimal
from pathlib import Path

import pytest

from tca.ingestion.services import ingest_file
from tca.orders.models import Fill
from tests.factories import FillFactory, InstrumentFactory, ParentOrderFactory

HEADER = "exec_id,order_id,symbol,side,quantity,price,time,venue,liquidity,fee\n"


def fills(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return path


@pytest.fixture
def orders(db):  # type: ignore[no-untyped-def]
    aaa = InstrumentFactory(symbol="AAA")
    ParentOrderFactory(order_id="B1", instrument=aaa, side=1, quantity=Decimal(1000))
    ParentOrderFactory(order_id="S1", instrument=aaa, side=-1, quantity=Decimal(500))


GOOD = (
    "X1,B1,AAA,BUY,600,50.01,2026-03-02T14:30:01.000000001Z,XNAS,REMOVE,0.6",
    "X2,B1,AAA,B,400,50.02,2026-03-02T14:30:02Z,ARCX,ADD,-0.2",
    "X3,S1,AAA,SELL,500,49.99,2026-03-02T14:31:00Z,XNYS,,",
)


def test_good_file_is_stored_exactly(tmp_path: Path, orders) -> None:  # type: ignore[no-untyped-def]
    outcome = ingest_file(kind="fills", path=fills(tmp_path, "f.csv", *GOOD), source="brk")
    assert outcome.ok, outcome.errors
    assert (outcome.accepted, outcome.duplicates) == (3, 0)
    x1 = Fill.objects.get(exec_id="X1")
    assert (x1.source, x1.order.order_id, x1.side) == ("brk", "B1", 1)
    assert x1.price == Decimal("50.01")
    assert x1.fee == Decimal("0.6")
    assert x1.liquidity == "REMOVE"
    assert x1.time_ns == 1_772_461_801_000_000_001
    assert Fill.objects.get(exec_id="X2").fee == Decimal("-0.2")


def test_reingest_and_overlap_change_nothing(tmp_path: Path, orders) -> None:  # type: ignore[no-untyped-def]
    ingest_file(kind="fills", path=fills(tmp_path, "a.csv", *GOOD[:2]), source="brk")
    before = list(Fill.objects.order_by("exec_id").values())
    again = ingest_file(kind="fills", path=fills(tmp_path, "a2.csv", *GOOD[:2]), source="brk")
    assert (again.accepted, again.duplicates) == (0, 2)
    assert list(Fill.objects.order_by("exec_id").values()) == before
    overlap = ingest_file(kind="fills", path=fills(tmp_path, "b.csv", *GOOD[1:]), source="brk")
    assert (overlap.accepted, overlap.duplicates) == (1, 1)
    assert Fill.objects.count() == 3


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("Y1,NOPE,AAA,BUY,1,50,2026-03-02T14:30:01Z,,,", "order_id", "unknown order"),
        ("Y1,B1,AAA,SELL,1,50,2026-03-02T14:30:01Z,,,", "side", "side"),
        ("Y1,B1,BBB,BUY,1,50,2026-03-02T14:30:01Z,,,", "symbol", "symbol"),
        ("Y1,S1,AAA,SELL,501,50,2026-03-02T14:30:01Z,,,", "quantity", "more than the order"),
    ],
)
def test_fill_inconsistent_with_its_order_rejects_the_file(  # type: ignore[no-untyped-def]
    tmp_path: Path, orders, row: str, column: str, reason: str
) -> None:
    outcome = ingest_file(kind="fills", path=fills(tmp_path, "bad.csv", GOOD[0], row))
    assert not outcome.ok
    assert outcome.error_count == 1
    error = outcome.errors[0]
    assert (error.line, error.column) == (3, column)
    assert reason in error.reason
    assert not Fill.objects.exists()


def test_overfill_counts_fills_already_stored(tmp_path: Path, orders) -> None:  # type: ignore[no-untyped-def]
    FillFactory(order=orders_b1(), exec_id="OLD", source="other", quantity=Decimal(700))
    outcome = ingest_file(kind="fills", path=fills(tmp_path, "f.csv", GOOD[0]), source="brk")
    assert not outcome.ok
    assert "more than the order quantity" in outcome.errors[0].reason
    assert Fill.objects.count() == 1


def test_same_exec_id_with_other_terms_is_a_conflict(tmp_path: Path, orders) -> None:  # type: ignore[no-untyped-def]
    ingest_file(kind="fills", path=fills(tmp_path, "a.csv", GOOD[0]), source="brk")
    changed = GOOD[0].replace("50.01", "50.05")
    outcome = ingest_file(kind="fills", path=fills(tmp_path, "b.csv", changed, GOOD[2]),
                          source="brk")
    assert not outcome.ok
    assert (outcome.errors[0].line, outcome.errors[0].column) == (2, "exec_id")
    assert Fill.objects.get().price == Decimal("50.01")


def test_exec_ids_are_unique_per_source(tmp_path: Path, orders) -> None:  # type: ignore[no-untyped-def]
    path = fills(tmp_path, "a.csv", GOOD[2])
    assert ingest_file(kind="fills", path=path, source="brk1").ok
    same_id_other_source = GOOD[2].replace(",500,", ",0.5,")
    other = ingest_file(
        kind="fills", path=fills(tmp_path, "b.csv", same_id_other_source), source="brk2"
    )
    assert not other.ok  # 500 + 0.5 overfills S1 (500): the other source's fill counts
    assert Fill.objects.count() == 1


def orders_b1():  # type: ignore[no-untyped-def]
    from tca.orders.models import ParentOrder

    return ParentOrder.objects.get(order_id="B1")


def test_exec_id_reused_for_another_order_is_a_conflict(tmp_path: Path, orders) -> None:  # type: ignore[no-untyped-def]
    assert ingest_file(kind="fills", path=fills(tmp_path, "a.csv", GOOD[0]), source="brk").ok
    # X1 is stored for B1; this file only names S1, so the clash shows at insert time.
    reused = "X1,S1,AAA,SELL,10,49.99,2026-03-02T14:31:00Z,,,"
    other = "X4,S1,AAA,SELL,100,49.99,2026-03-02T14:31:00Z,,,"
    outcome = ingest_file(kind="fills", path=fills(tmp_path, "b.csv", other, reused),
                          source="brk")
    assert not outcome.ok
    assert (outcome.errors[0].line, outcome.errors[0].column) == (3, "exec_id")
    assert Fill.objects.count() == 1


def test_exec_id_reused_in_a_file_smaller_than_the_table_is_a_conflict(  # type: ignore[no-untyped-def]
    tmp_path: Path, orders
) -> None:
    """Indexes kept (the file is smaller than the table): the COPY itself fails, cleanly."""
    stored = (GOOD[0], GOOD[1], "X9,S1,AAA,SELL,50,49.99,2026-03-02T14:31:00Z,,,")
    assert ingest_file(kind="fills", path=fills(tmp_path, "a.csv", *stored), source="brk").ok
    reused = "X1,S1,AAA,SELL,10,49.99,2026-03-02T14:32:00Z,,,"  # X1 belongs to B1
    outcome = ingest_file(kind="fills", path=fills(tmp_path, "b.csv", reused), source="brk")
    assert not outcome.ok
    assert (outcome.errors[0].line, outcome.errors[0].column) == (2, "exec_id")
    assert Fill.objects.count() == 3
