"""Who may see what: the trader role's two permissions, desk scoping, every desk for
compliance and quants."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from reports.selectors import desk_lock
from tca.costs.services import tca_aggregate_days
from tca.orders.selectors import orders_visible_to
from tests.factories import ParentOrderFactory, UserFactory
from tests.reports.factories import CostResultFactory, cost_fields

PAGES = (
    "reports:overview",
    "reports:blotter",
    "reports:compare",
    "reports:prepost",
    "reports:blotter_export",
)


@pytest.fixture
def desks(db):  # type: ignore[no-untyped-def]
    mine = CostResultFactory(
        order=ParentOrderFactory(order_id="MINE-1", desk="Cash Equities", broker="BRKA"),
        **cost_fields(1e6, spread=1_000),
    )
    other = CostResultFactory(
        order=ParentOrderFactory(order_id="THEIRS-1", desk="Program Trading", broker="SECRETBRK"),
        **cost_fields(1e6, spread=9_000),
    )
    tca_aggregate_days(dates=[mine.trade_date])  # what a TCA run does after storing results
    return mine, other


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_no_role_is_forbidden(no_role_user, client, name) -> None:  # type: ignore[no-untyped-def]
    client.force_login(no_role_user)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_anonymous_goes_to_login(client, name) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_orders_permission_alone_is_not_enough(desks, client) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(username="half")
    user.user_permissions.add(Permission.objects.get(codename="view_parentorder"))
    client.force_login(user)
    assert client.get(reverse("reports:overview")).status_code == 403


@pytest.mark.django_db
def test_trader_sees_only_their_desk_everywhere(desks, trader_client) -> None:  # type: ignore[no-untyped-def]
    for name in ("reports:overview", "reports:blotter", "reports:compare"):
        html = trader_client.get(reverse(name)).content.decode()
        assert "THEIRS-1" not in html and "SECRETBRK" not in html, name
    overview = trader_client.get(reverse("reports:overview"))
    assert overview.context["summary"].bps["is"] == pytest.approx(10.0)  # mine only
    assert "MINE-1" in overview.content.decode()
    # Asking for the other desk gives nothing rather than their numbers.
    other = trader_client.get(reverse("reports:overview"), {"desk": "Program Trading"})
    assert other.context["summary"].n_orders == 0
    assert trader_client.get(reverse("reports:order_detail", args=["THEIRS-1"])).status_code == 404
    assert trader_client.get(reverse("reports:order_detail", args=["MINE-1"])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["compliance", "quant"])
def test_compliance_and_quant_see_every_desk(desks, client, role) -> None:  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(username=f"u_{role}", role=role))
    overview = client.get(reverse("reports:overview"))
    assert overview.context["summary"].n_orders == 2
    assert overview.context["summary"].bps["is"] == pytest.approx(50.0)
    assert client.get(reverse("reports:order_detail", args=["THEIRS-1"])).status_code == 200


@pytest.mark.django_db
def test_a_trader_without_a_desk_sees_nothing(desks, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(UserFactory(username="deskless", role="trader"))
    assert client.get(reverse("reports:overview")).context["summary"].n_orders == 0
    assert "No orders to show" in client.get(reverse("reports:blotter")).content.decode()


@pytest.mark.django_db
def test_desk_lock_agrees_with_orders_visible_to(desks, trader, compliance) -> None:  # type: ignore[no-untyped-def]
    for user in (trader, compliance, UserFactory(username="deskless2", role="trader")):
        lock = desk_lock(user)
        visible = set(orders_visible_to(user=user).values_list("desk", flat=True))
        if lock is None:
            assert visible == {"Cash Equities", "Program Trading"}
        else:
            assert visible <= {lock}
