"""The Reports page in Chromium: compliance generates a PDF, follows it, downloads it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from reports.models import BestExecutionReport
from tests.factories import UserFactory
from tests.reports.test_browser import Session, browser  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def session(browser, live_server, on_book, celery_worker) -> Iterator[Session]:  # type: ignore[no-untyped-def] # noqa: F811
    UserFactory(username="pw_officer", role="compliance")
    s = Session(browser, live_server.url)
    yield s
    s.close()


def test_compliance_generates_and_downloads_from_the_page(session: Session, on_book) -> None:  # type: ignore[no-untyped-def]
    session.login("pw_officer")
    page = session.page
    session.open("/reports/")
    page.fill("#id_date_from", on_book.first_day.isoformat())
    page.fill("#id_date_to", on_book.last_day.isoformat())
    with page.expect_navigation():
        page.click("#report-form button[type=submit]")
    # The job page follows the progress, then reloads with the download.
    page.wait_for_selector("#report-download", timeout=240_000)
    report = BestExecutionReport.objects.get()
    assert page.inner_text("#job-status") == "succeeded"
    assert page.inner_text("#report-sha256") == report.sha256
    with page.expect_download() as info:
        page.click("#report-download")
    content = open(info.value.path(), "rb").read()  # noqa: SIM115
    assert hashlib.sha256(content).hexdigest() == report.sha256
    session.open("/reports/")
    assert page.locator("#report-list tbody tr").count() == 1
    session.shot("reports")
    assert session.errors == []
