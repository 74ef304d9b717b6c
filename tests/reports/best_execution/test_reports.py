"""Best-execution PDFs: generated on the worker, checked against the stored results."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reports.best_execution import best_execution_generate, best_execution_request
from reports.models import BestExecutionReport, ExportAudit
from reports.selectors.costs import cost_days, summarise
from reports.selectors.scope import Scope
from tca.costs.models import CostResult
from tca.orders.selectors import OrderFilters
from tests.pretrade.conftest import Book

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
URL = "/api/v1/reports/best-execution/"


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return dict(line.split(":", 1) for line in out.stdout.splitlines() if ":" in line)


def period(book: Book) -> dict[str, str]:
    return {"date_from": book.first_day.isoformat(), "date_to": book.last_day.isoformat()}


def fetch(client, url: str) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_compliance_generates_follows_and_downloads(  # type: ignore[no-untyped-def]
    celery_worker, on_book, compliance, api_client_for, tmp_path
) -> None:
    from tests.ingestion.test_api_and_worker import wait_for

    client = api_client_for(compliance)
    response = client.post(URL, period(on_book), format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    job = wait_for(str(body["job_id"]), timeout=240)
    assert job.status == "succeeded", job.result
    status = client.get(body["status_url"]).json()
    assert status["status"] == "succeeded" and status["progress"] == 1.0
    content = fetch(client, status["download_url"])
    report = BestExecutionReport.objects.get(pk=body["id"])
    assert hashlib.sha256(content).hexdigest() == report.sha256 == status["sha256"]
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    info = pdfinfo(path)
    assert int(info["Pages"]) == report.pages >= 8
    # Both actions are in the audit log.
    kinds = set(
        ExportAudit.objects.filter(username=compliance.username).values_list("kind", flat=True)
    )
    assert {"best_execution_generated", "best_execution_download"} <= kinds

    # The numbers are the stored results' (the same selectors as the overview page).
    text = pdf_text(path)
    scope = Scope(None, OrderFilters(date_from=on_book.first_day, date_to=on_book.last_day))
    summary = summarise(*cost_days(scope))
    assert summary.n_orders == CostResult.objects.count() > 0
    assert f"IS {summary.bps['is']:+,.2f} bps" in text
    assert f"{summary.n_orders:,}" in text
    # A hand-checked order: the worst one is the first outlier, with its stored IS.
    worst = CostResult.objects.select_related("order").order_by("-is_bps").first()
    line = next(row for row in text.splitlines() if worst.order.order_id in row)
    assert f"{worst.is_bps:+,.2f}" in line
    assert re.search(r"Outliers", text) and "Sign-off" in text and "Data quality" in text
    # Page 1 as a PNG for people to look at, and the file itself.
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(path, ARTIFACTS / "best-execution.pdf")
    if shutil.which("pdftoppm"):
        page1 = ["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"]
        subprocess.run(["pdftoppm", *page1, str(path), str(ARTIFACTS / "best-execution-page1")],
                       check=True)  # fmt: skip
        assert (ARTIFACTS / "best-execution-page1.png").stat().st_size > 1000


@pytest.mark.django_db
def test_empty_period_says_there_is_nothing_in_scope(compliance, tmp_path) -> None:  # type: ignore[no-untyped-def]
    report = best_execution_request(
        user=compliance, date_from=dt.date(2001, 1, 1), date_to=dt.date(2001, 1, 31)
    )
    result = best_execution_generate(report_id=str(report.pk))
    assert result["orders"] == 0
    report.refresh_from_db()
    assert report.job.status == "succeeded"
    from reports.best_execution import report_store

    text = pdf_text(report_store() / report.file_name)
    assert "Nothing in scope." in text


def test_trader_is_refused(trader, api_client_for, on_book) -> None:  # type: ignore[no-untyped-def]
    client = api_client_for(trader)
    assert client.post(URL, period(on_book), format="json").status_code == 403
    assert client.get(URL).status_code == 403


def test_desk_scoped_user_gets_only_their_desk(  # type: ignore[no-untyped-def]
    on_book, compliance, api_client_for
) -> None:
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    desks = sorted(set(CostResult.objects.values_list("order__desk", flat=True)))
    assert len(desks) >= 2
    scoped = UserFactory(username="desk_officer", role=None, desk=desks[0])
    scoped.user_permissions.add(Permission.objects.get(codename="export_best_execution"))
    scoped = type(scoped).objects.get(pk=scoped.pk)  # fresh permission cache
    client = api_client_for(scoped)
    assert client.post(URL, {**period(on_book), "desk": desks[1]}, format="json").status_code == 403
    own = client.post(URL, period(on_book), format="json")
    assert own.status_code == 202 and own.json()["desk"] == desks[0]
    other = best_execution_request(
        user=compliance,
        date_from=on_book.first_day,
        date_to=on_book.last_day,
        filters={"desk": desks[1]},
    )
    assert other.desk == desks[1]
    assert client.get(f"{URL}{other.pk}/").status_code == 404
    assert client.get(f"{URL}{other.pk}/download/").status_code == 404
    listed = {r["id"] for r in client.get(URL).json()}
    assert str(other.pk) not in listed and own.json()["id"] in listed


@pytest.mark.django_db
def test_reports_page_for_compliance_and_quants_not_traders(  # type: ignore[no-untyped-def]
    compliance, quant, trader, trader_client
) -> None:
    from django.test import Client

    assert trader_client.get("/reports/").status_code == 403
    for user in (compliance, quant):
        client = Client()
        client.force_login(user)
        page = client.get("/reports/")
        assert page.status_code == 200 and 'id="report-form"' in page.content.decode()
        assert ">Reports</a>" in page.content.decode()
        response = client.post("/reports/", {"date_from": "2026-03-02", "date_to": "2026-03-06"})
        assert response.status_code == 302
        report = BestExecutionReport.objects.get(username=user.username)
        assert response["Location"] == f"/reports/{report.pk}/"
        detail = client.get(response["Location"])
        assert 'id="report-job"' in detail.content.decode()
        assert client.get(f"/reports/{report.pk}/?format=json").json()["status"] == "pending"
        assert client.get(f"/reports/{report.pk}/download/").status_code == 409  # not ready
        assert trader_client.get(f"/reports/{report.pk}/").status_code == 403
