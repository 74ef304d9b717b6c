"""Ingest is desk-scoped: a trader writes only their desk, and errors disclose no other desk."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tca.ingestion.services import ingest_file
from tca.orders.models import Fill, ParentOrder
from tests.factories import FillFactory, InstrumentFactory, ParentOrderFactory
from tests.ingestion.test_fix_ingest import log, report

pytestmark = pytest.mark.django_db

MINE, THEIRS = "Cash Equities", "Rates"  # the trader fixture's desk, and another
ORDERS = "order_id,symbol,side,quantity,arrival_time,desk\n"
FILLS = "exec_id,order_id,symbol,side,quantity,price,time\n"
UNKNOWN = "unknown order_id 'X1' (not in the database nor in this upload)"


@pytest.fixture
def foreign_order():  # type: ignore[no-untyped-def]
    """Another desk's order with one fill: nothing about it may leak to the trader."""
    order = ParentOrderFactory(
        order_id="X1", instrument=InstrumentFactory(symbol="ZZZ"), side=-1,
        quantity=Decimal(777), desk=THEIRS,
    )  # fmt: skip
    FillFactory(order=order, exec_id="XF1", source="default", quantity=Decimal(100),
                price=Decimal("9.5"))  # fmt: skip
    return order


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _reasons(outcome) -> list[str]:  # type: ignore[no-untyped-def]
    assert not outcome.ok
    return [e.reason for e in outcome.errors]


def test_orders_take_the_uploaders_desk(tmp_path: Path, trader) -> None:  # type: ignore[no-untyped-def]
    path = _file(tmp_path, "o.csv", ORDERS + f"M1,AAA,BUY,10,2026-03-02T14:30:00Z,\n"
                 f"M2,AAA,BUY,10,2026-03-02T14:31:00Z,{MINE}\n")  # fmt: skip
    assert ingest_file(kind="orders", path=path, user=trader).ok
    assert set(ParentOrder.objects.values_list("desk", flat=True)) == {MINE}


def test_orders_for_another_desk_are_row_errors(tmp_path: Path, trader) -> None:  # type: ignore[no-untyped-def]
    path = _file(tmp_path, "o.csv", ORDERS + f"M1,AAA,BUY,10,2026-03-02T14:30:00Z,{MINE}\n"
                 f"M2,AAA,BUY,10,2026-03-02T14:31:00Z,{THEIRS}\n")  # fmt: skip
    outcome = ingest_file(kind="orders", path=path, user=trader)
    assert [(e.line, e.column) for e in outcome.errors] == [(3, "desk")]
    assert _reasons(outcome) == [
        f"desk '{THEIRS}' is not your desk ('{MINE}'); you may only load orders for your own desk"
    ]
    assert not ParentOrder.objects.exists()


def test_compliance_and_the_cli_load_any_desk(tmp_path: Path, compliance) -> None:  # type: ignore[no-untyped-def]
    path = _file(tmp_path, "o.csv", ORDERS + f"M1,AAA,BUY,10,2026-03-02T14:30:00Z,{THEIRS}\n")
    assert ingest_file(kind="orders", path=path, user=compliance).ok
    path = _file(tmp_path, "p.csv", ORDERS + f"M2,AAA,BUY,10,2026-03-02T14:31:00Z,{MINE}\n")
    assert ingest_file(kind="orders", path=path).ok
    assert ParentOrder.objects.count() == 2


def test_a_trader_without_a_desk_loads_no_orders(tmp_path: Path, trader) -> None:  # type: ignore[no-untyped-def]
    trader.profile.desk = ""
    trader.profile.save()
    path = _file(tmp_path, "o.csv", ORDERS + "M1,AAA,BUY,10,2026-03-02T14:30:00Z,\n")
    assert _reasons(ingest_file(kind="orders", path=path, user=trader)) == [
        "your account has no desk, so it may not load orders; ask an administrator"
    ]


def test_reusing_another_desks_order_id_says_nothing_about_it(  # type: ignore[no-untyped-def]
    tmp_path: Path, trader, foreign_order
) -> None:
    # Same terms (would be a silent duplicate) and other terms (a conflict): one message.
    same = "X1,ZZZ,SELL,777,{arrival}\n".format(
        arrival=f"{foreign_order.arrival_time.isoformat()}"
    ).replace("+00:00", "Z")
    for text in (ORDERS.replace(",desk", "") + same,
                 ORDERS + "X1,AAA,BUY,10,2026-03-02T14:30:00Z,\n"):  # fmt: skip
        outcome = ingest_file(kind="orders", path=_file(tmp_path, "o.csv", text), user=trader)
        assert _reasons(outcome) == ["order_id X1 is already in use; choose another id"]
        assert "777" not in str(outcome.as_dict()) and "ZZZ" not in str(outcome.as_dict())
    assert ParentOrder.objects.get().desk == THEIRS


def test_fills_for_another_desks_order_look_unknown(  # type: ignore[no-untyped-def]
    tmp_path: Path, trader, foreign_order
) -> None:
    # Wrong side and an overfill: for its own desk these name the order's side and quantity.
    path = _file(tmp_path, "f.csv", FILLS + "N1,X1,ZZZ,BUY,5000,9.5,2026-03-02T15:00:01Z\n")
    outcome = ingest_file(kind="fills", path=path, user=trader)
    assert _reasons(outcome) == [UNKNOWN]
    assert Fill.objects.count() == 1
    assert ingest_file(kind="fills", path=path).errors[0].reason != UNKNOWN  # the system sees it


def test_fix_fills_and_amendments_of_another_desk_are_refused(  # type: ignore[no-untyped-def]
    tmp_path: Path, trader, foreign_order
) -> None:
    ParentOrderFactory(order_id="P1", instrument=InstrumentFactory(symbol="AAA"),
                       quantity=Decimal(1000), desk=MINE)  # fmt: skip
    new_fill = log(tmp_path, "a.fix", report("N1", "F", order="X1"))
    assert _reasons(ingest_file(kind="fix", path=new_fill, user=trader)) == [UNKNOWN]
    # A correction of the other desk's fill, sent against the trader's own order.
    correction = log(tmp_path, "b.fix", report("C1", "G", ref="XF1", order="P1", qty="1"))
    assert _reasons(ingest_file(kind="fix", path=correction, user=trader)) == [
        "exec_id XF1 of source 'default' belongs to an order outside your desk; "
        "it cannot be loaded or amended here"
    ]
    fill = Fill.objects.get(exec_id="XF1")
    assert (fill.order_id, fill.quantity) == (foreign_order.pk, Decimal(100))
