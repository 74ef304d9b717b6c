"""Shared fixtures: role users, API clients, a real Celery worker on Redis and a
real S3-speaking server on loopback.

Django is imported lazily so the pure packages' tests also run with
``-p no:django``.
"""

import socket
import urllib.request
import uuid
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


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free loopback port, for the whole session.

    It speaks the S3 HTTP API (conditional puts included), so the stores are
    tested through the same client code and the same requests as against a real
    bucket, from this process and from the worker processes the tests start.
    """
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The AWS variables pointing at the test server (child processes inherit them)."""
    env = {
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_ALLOW_HTTP": "true",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def s3_bucket(s3_env: dict[str, str]) -> str:
    """A new, empty bucket for this test; returns its ``s3://`` URL."""
    name = f"footprint-{uuid.uuid4().hex[:12]}"
    request = urllib.request.Request(f"{s3_env['AWS_ENDPOINT_URL']}/{name}", method="PUT")
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    return f"s3://{name}"
