"""Shared fixtures: role users, API clients and a real Celery worker on Redis.

Django is imported lazily so the pure packages' tests also run with
``-p no:django``.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_stores(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Each test gets its own tick store and model store."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.TICK_STORE_URL = str(tmp_path / "ticks")
    settings.MODEL_STORE_URL = str(tmp_path / "models")
    settings.REPORT_STORE_URL = str(tmp_path / "reports")


def _user(username: str, role: str | None = None, desk: str = ""):  # type: ignore[no-untyped-def]
    from tca.accounts.services import roles_sync
    from tests.factories import UserFactory

    roles_sync()  # transactional tests flush the groups the migration created
    return UserFactory(username=username, role=role, desk=desk)


@pytest.fixture
def trader(db):  # type: ignore[no-untyped-def]
    return _user("t_trader", "trader", "Cash Equities")


@pytest.fixture
def compliance(db):  # type: ignore[no-untyped-def]
    return _user("t_compliance", "compliance")


@pytest.fixture
def quant(db):  # type: ignore[no-untyped-def]
    return _user("t_quant", "quant")


@pytest.fixture
def no_role_user(db):  # type: ignore[no-untyped-def]
    return _user("t_nobody")


def _client_for(user):  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def trader_client(trader):  # type: ignore[no-untyped-def]
    return _client_for(trader)


@pytest.fixture
def api_client_for():  # type: ignore[no-untyped-def]
    def make(user):  # type: ignore[no-untyped-def]
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A real Celery worker (threads) consuming every queue from the real Redis broker."""
    import redis
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from tca.celery import app

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "tests need the Redis broker"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
    for key in client.scan_iter(f"{prefix}*"):  # leftovers of an earlier, killed run
        client.delete(key)
    app.conf.task_always_eager = False
    with django_db_blocker.unblock(), start_worker(
        app,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        queues=["tca", "training", "reports", "celery"],
        shutdown_timeout=30,
    ) as worker:
        yield worker
