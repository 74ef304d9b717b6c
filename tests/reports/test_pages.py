"""Every report page renders for each role, answers JSON for live filtering, and
respects who may see what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.reports.builders import build_dataset

PAGES = ("reports:overview", "reports:blotter", "reports:compare", "reports:prepost")


@pytest.fixture
def dataset(db):  # type: ignore[no-untyped-def]
    return build_dataset()


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pages_render_for_compliance(dataset, compliance, client, name) -> None:  # type: ignore[no-untyped-def]
    client.force_login(compliance)
    response = client.get(reverse(name))
    assert response.status_code == 200
    payload = client.get(reverse(name), {"format": "json", "broker": "BRKA"}).json()
    assert set(payload) == {"html", "figures"}


@pytest.mark.django_db
def test_order_detail_renders(dataset, compliance, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(compliance)
    order = dataset.quoted_order
    response = client.get(reverse("reports:order_detail", args=[order.order_id]))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["price"] is not None
    assert figures["waterfall"] is not None
    assert figures["markouts"] is not None


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["broker", "algo", "venue", "regime"])
def test_compare_by_each_dimension(dataset, compliance, trader_client, client, by) -> None:  # type: ignore[no-untyped-def]
    client.force_login(compliance)
    for c in (client, trader_client):
        payload = c.get(reverse("reports:compare"), {"format": "json", "by": by}).json()
        assert payload["figures"]["markouts"] is not None, by
