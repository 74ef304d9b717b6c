"""The blotter's CSV export: every filtered row, formula-injection safe, audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from reports.csv_export import csv_lines, safe_cell
from reports.models import ExportAudit
from tests.factories import InstrumentFactory, ParentOrderFactory
from tests.reports.factories import CostResultFactory, cost_fields


def _rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("BRKA", "BRKA"),
        ("a=b", "a=b"),
        (-12.5, -12.5),  # our own numbers stay numbers
        (None, ""),
    ],
)
def test_safe_cell(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert safe_cell(value) == expected


def test_csv_lines_quote_separators_and_quotes() -> None:
    lines = list(csv_lines([["a,b", 'say "hi"', "=1"]]))
    assert lines == ['"a,b","say ""hi""",\'=1\r\n']


@pytest.mark.django_db
def test_export_is_filtered_escaped_and_audited(trader, trader_client) -> None:  # type: ignore[no-untyped-def]
    evil = ParentOrderFactory(
        order_id="=cmd|' /C calc'!A0",
        broker="@evil",
        trader="+bob",
        instrument=InstrumentFactory(symbol="EVIL"),
    )
    CostResultFactory(order=evil, **cost_fields(1e6, spread=-500))
    for i in range(3):
        CostResultFactory(
            order=ParentOrderFactory(order_id=f"OK-{i}", broker="BRKA"),
            **cost_fields(1e6, spread=100),
        )
    ParentOrderFactory(order_id="OTHER-DESK", desk="Program Trading", broker="@evil")

    response = trader_client.get(reverse("reports:blotter_export"), {"broker": "@evil"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="footprint-blotter-')
    rows = _rows(response)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["order_id", "symbol", "side", "quantity"]
    assert len(body) == 1  # the filter applies, and the other desk's order is not exported
    row = dict(zip(header, body[0], strict=True))
    assert row["order_id"] == "'=cmd|' /C calc'!A0"
    assert row["broker"] == "'@evil"
    assert row["trader"] == "'+bob"
    assert row["spread_bps"] == "-5.0"  # a negative cost stays a number
    assert row["quantity"] == "10000"

    audit = ExportAudit.objects.get()
    assert audit.user == trader and audit.username == "t_trader"
    assert audit.kind == "blotter" and audit.row_count == 1
    assert audit.filters == {"broker": "@evil"}
    assert audit.filename == response["Content-Disposition"].split('"')[1]


@pytest.mark.django_db
def test_export_holds_every_row_not_one_page(trader_client) -> None:  # type: ignore[no-untyped-def]
    for i in range(120):
        ParentOrderFactory(order_id=f"P{i:03d}")
    rows = _rows(trader_client.get(reverse("reports:blotter_export"), {"sort": "order_id"}))
    assert len(rows) == 121
    assert [r[0] for r in rows[1:4]] == ["P000", "P001", "P002"]
    assert ExportAudit.objects.get().row_count == 120


@pytest.mark.django_db
def test_export_needs_the_trader_permissions(no_role_user, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(no_role_user)
    assert client.get(reverse("reports:blotter_export")).status_code == 403
    assert ExportAudit.objects.count() == 0
