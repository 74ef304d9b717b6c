"""Requests that used to reach PostgreSQL or the disk unchecked (issue: security probing)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tca.jobs.models import Job
from tca.orders.models import ParentOrder
from tests.factories import InstrumentFactory

pytestmark = pytest.mark.django_db


class _Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, size: int = -1) -> bytes:  # pragma: no cover - reaching it is the failure
        raise AssertionError("the body was read before the size check")

    readline = read


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/fills/?order=%00",
        "/api/v1/orders/%00/",
        "/api/v1/orders/?symbol=A%00A",
        "/blotter/export.csv?broker=x%00y",
        "/blotter/?trader=%00",
    ],
)
def test_nul_bytes_are_a_400_not_a_database_error(url: str, compliance, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(compliance)
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_limit_is_capped_at_one_thousand(compliance, api_client_for) -> None:  # type: ignore[no-untyped-def]
    inst = InstrumentFactory(symbol="CAP")
    t0 = int(dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC).timestamp() * 1e9)
    ParentOrder.objects.bulk_create(
        ParentOrder(
            order_id=f"C{i:05d}", instrument=inst, side=1, quantity=Decimal(100),
            arrival_ns=t0 + i, trade_date=dt.date(2026, 3, 2),
        )
        for i in range(1005)
    )
    body = api_client_for(compliance).get("/api/v1/orders/?limit=100000").json()
    assert body["count"] == 1005
    assert len(body["results"]) == 1000
    assert "offset=1000" in body["next"]


def test_oversized_body_is_refused_from_its_length_unread(trader, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FOOTPRINT_MAX_UPLOAD_BYTES = 1000
    client.force_login(trader)
    response = client.generic(
        "POST",
        "/api/v1/ingest/orders/",
        b"",
        content_type="multipart/form-data; boundary=x",
        **{"CONTENT_LENGTH": str(50 * 1024 * 1024), "wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert "upload limit is 1,000 bytes" in response.json()["detail"]
    assert Job.objects.count() == 0


def test_invalid_content_length_is_a_400(trader, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(trader)
    response = client.generic("POST", "/api/v1/ingest/orders/", b"", CONTENT_LENGTH="many")
    assert response.status_code == 400


def test_job_api_does_not_disclose_the_upload_location(trader, api_client_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv = b"order_id,symbol,side,quantity,arrival_time\nJ1,AAA,BUY,10,2026-03-02T14:30:00Z\n"
    client = api_client_for(trader)
    response = client.post(
        "/api/v1/ingest/orders/", {"file": SimpleUploadedFile("o.csv", csv)}, format="multipart"
    )
    assert response.status_code == 202
    job = Job.objects.get(id=response.json()["job_id"])
    assert "path" not in job.params
    shown = client.get(f"/api/v1/jobs/{job.id}/").json()
    assert shown["params"]["filename"] == "o.csv"
    assert "path" not in shown["params"]
    assert str(tmp_path) not in str(shown)
    # A job stored by an earlier release, with the location in its params, hides it too.
    job.params["path"] = "/srv/footprint/media/uploads/secret"
    job.save(update_fields=["params"])
    assert "secret" not in str(client.get(f"/api/v1/jobs/{job.id}/").json())


def test_ingest_applies_the_configured_row_limit(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tca.ingestion.services import ingest_file

    settings.FOOTPRINT_MAX_ROWS = 1
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,symbol,side,quantity,arrival_time\n"
        "L1,AAA,BUY,10,2026-03-02T14:30:00Z\nL2,AAA,SELL,10,2026-03-02T14:31:00Z\n"
    )
    outcome = ingest_file(kind="orders", path=path)
    assert not outcome.ok
    assert [e.reason for e in outcome.errors] == [
        "the file has 2 rows; the limit is 1 rows per file"
    ]
    assert not ParentOrder.objects.exists()
