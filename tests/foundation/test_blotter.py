from decimal import Decimal

import pytest
from django.urls import reverse

from tca.costs.models import CostResult
from tests.factories import ParentOrderFactory


@pytest.mark.django_db
def test_blotter_shows_desk_orders_with_shortfall(trader_client) -> None:  # type: ignore[no-untyped-def]
    mine = ParentOrderFactory(order_id="MINE-1", desk="Cash Equities", quantity=Decimal("12345"))
    ParentOrderFactory(order_id="OTHER-1", desk="Program Trading")
    CostResult.objects.create(
        order=mine, trade_date=mine.trade_date, executed_qty=12345.0, is_amount=61.7, is_bps=12.34
    )
    html = trader_client.get(reverse("reports:blotter")).content.decode()
    assert "MINE-1" in html
    assert "OTHER-1" not in html  # a trader sees only their desk
    assert "12,345" in html  # thousands separators
    assert "12.3" in html  # IS in bps


@pytest.mark.django_db
def test_blotter_sorts_on_server_and_paginates(trader_client) -> None:  # type: ignore[no-untyped-def]
    for i in range(60):
        ParentOrderFactory(order_id=f"O{i:03d}", quantity=Decimal(1000 + i))
    page1 = trader_client.get(reverse("reports:blotter"), {"sort": "quantity"}).content.decode()
    assert "O000" in page1 and "O059" not in page1
    desc = trader_client.get(reverse("reports:blotter"), {"sort": "-quantity"}).content.decode()
    assert desc.index("O059") < desc.index("O058")
    page2 = trader_client.get(reverse("reports:blotter"), {"sort": "quantity", "page": 2})
    assert "O059" in page2.content.decode()


@pytest.mark.django_db
def test_compliance_sees_all_desks(compliance, client) -> None:  # type: ignore[no-untyped-def]
    ParentOrderFactory(order_id="A-1", desk="Cash Equities")
    ParentOrderFactory(order_id="B-1", desk="Program Trading")
    client.force_login(compliance)
    html = client.get(reverse("reports:blotter")).content.decode()
    assert "A-1" in html and "B-1" in html
