"""Shared fixtures: role users, API clients and a real Celery worker on Redis."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _isolated_stores(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each test gets its own tick store and model store."""
    settings.TICK_STORE_URL = str(tmp_path / "ticks")
    settings.MODEL_STORE_URL = str(tmp_path / "models")


@pytest.fixture
def trader(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="t_trader", role="trader", desk="Cash Equities")


@pytest.fixture
def compliance(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="t_compliance", role="compliance")


@pytest.fixture
def quant(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="t_quant", role="quant")


@pytest.fixture
def no_role_user(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="t_nobody")


def _client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def trader_client(trader) -> Client:  # type: ignore[no-untyped-def]
    return _client_for(trader)


@pytest.fixture
def api_client_for():  # type: ignore[no-untyped-def]
    def make(user) -> APIClient:  # type: ignore[no-untyped-def]
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A real Celery worker (threads) consuming every queue from the real Redis broker."""
    import redis
    from celery.contrib.testing.worker import start_worker

    from tca.celery import app

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "tests need the Redis broker"
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
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
