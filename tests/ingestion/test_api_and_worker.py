"""The ingest API: role checks, upload limits, and a real Celery worker over Redis."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_celery_results.models import TaskResult

from tca.jobs.models import IngestAudit, Job
from tca.orders.models import ParentOrder

ORDERS = b"""order_id,symbol,side,quantity,arrival_time
W1,AAA,BUY,1000,2026-03-02T14:30:00Z
W2,AAA,SELL,200,2026-03-02T15:30:00Z
"""


def wait_for(job_id: str, timeout: float = 60.0) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(id=job_id)
        if job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.mark.django_db
def test_upload_without_ingest_permission_is_403(compliance, no_role_user, api_client_for) -> None:  # type: ignore[no-untyped-def]
    for user in (compliance, no_role_user):
        response = api_client_for(user).post(
            "/api/v1/ingest/orders/",
            {"file": SimpleUploadedFile("o.csv", ORDERS)},
            format="multipart",
        )
        assert response.status_code == 403
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_upload_over_the_limit_is_refused_before_parsing(trader, api_client_for, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FOOTPRINT_MAX_UPLOAD_BYTES = 10
    response = api_client_for(trader).post(
        "/api/v1/ingest/orders/", {"file": SimpleUploadedFile("o.csv", ORDERS)}, format="multipart"
    )
    assert response.status_code == 413
    assert Job.objects.count() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_upload_runs_on_a_real_worker_and_writes_postgresql(  # type: ignore[no-untyped-def]
    celery_worker, trader, api_client_for
) -> None:
    from tca.celery import app

    assert app.conf.task_always_eager is False
    client = api_client_for(trader)
    response = client.post(
        "/api/v1/ingest/orders/", {"file": SimpleUploadedFile("o.csv", ORDERS)}, format="multipart"
    )
    assert response.status_code == 202
    job_id = response.json()["job_id"]
    job = wait_for(job_id)
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert set(ParentOrder.objects.values_list("order_id", flat=True)) == {"W1", "W2"}
    audit = IngestAudit.objects.get(job_id=job_id)
    assert (audit.user, audit.rows_accepted) == (trader, 2)
    # The task went through the broker and ran on the worker, not in-process.
    record = TaskResult.objects.get(task_name="tca.ingestion.ingest_job")
    assert record.status == "SUCCESS"
    assert record.worker
    body = client.get(f"/api/v1/jobs/{job_id}/").json()
    assert body["status"] == "succeeded"
    assert body["result"]["accepted"] == 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_rejected_upload_reports_row_errors_through_the_job(  # type: ignore[no-untyped-def]
    celery_worker, trader, api_client_for
) -> None:
    bad = ORDERS + b"W3,AAA,BUY,-5,2026-03-02T15:30:00Z\n"
    response = api_client_for(trader).post(
        "/api/v1/ingest/orders/", {"file": SimpleUploadedFile("bad.csv", bad)}, format="multipart"
    )
    job = wait_for(response.json()["job_id"])
    assert job.status == Job.Status.FAILED
    assert job.result["error_count"] == 1
    assert job.result["errors"][0]["line"] == 4
    assert job.result["errors"][0]["column"] == "quantity"
    assert ParentOrder.objects.count() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_new_fills_trigger_recomputation_of_their_orders(  # type: ignore[no-untyped-def]
    celery_worker, trader, api_client_for
) -> None:
    from tca.costs.models import CostResult
    from tests.costs.test_tca_run import store_quotes
    from tests.factories import InstrumentFactory, ParentOrderFactory

    order = ParentOrderFactory(order_id="R1", instrument=InstrumentFactory(symbol="AAA"))
    store_quotes("AAA", [(-5, 49.99, 50.01), (3600, 50.0, 50.02)])
    fills = (
        b"exec_id,order_id,symbol,side,quantity,price,time\n"
        b"R1-1,R1,AAA,BUY,100,50.01,2026-03-02T15:00:10Z\n"
    )
    response = api_client_for(trader).post(
        "/api/v1/ingest/fills/", {"file": SimpleUploadedFile("f.csv", fills)}, format="multipart"
    )
    job = wait_for(response.json()["job_id"])
    assert job.status == Job.Status.SUCCEEDED, job.result
    tca_job = wait_for(job.result["tca_job_id"])
    assert tca_job.status == Job.Status.SUCCEEDED, tca_job.result
    cost = CostResult.objects.get(order=order)
    assert cost.executed_qty == 100
    order.refresh_from_db()
    assert order.needs_recompute is False
