import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tca.accounts.roles import ROLE_PERMISSIONS, ROLES


@pytest.mark.django_db
def test_role_groups_hold_exactly_their_permissions() -> None:
    for role in ROLES:
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(ROLE_PERMISSIONS[role])


@pytest.mark.django_db
def test_every_page_requires_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("reports:blotter"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_api_requires_authentication(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/orders/").status_code in (401, 403)
    assert client.get("/api/schema/").status_code in (302, 401, 403)


@pytest.mark.django_db
def test_health_is_public(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/health/").json() == {"status": "ok"}


@pytest.mark.django_db
def test_user_without_role_gets_403_on_page_and_api(no_role_user, api_client_for, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(no_role_user)
    assert client.get(reverse("reports:blotter")).status_code == 403
    assert api_client_for(no_role_user).get("/api/v1/orders/").status_code == 403


@pytest.mark.django_db
def test_trader_can_see_blotter_and_api(trader, trader_client, api_client_for) -> None:  # type: ignore[no-untyped-def]
    assert trader_client.get(reverse("reports:blotter")).status_code == 200
    assert api_client_for(trader).get("/api/v1/orders/").status_code == 200


def test_tests_run_on_postgresql_and_redis() -> None:
    from django.conf import settings

    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
