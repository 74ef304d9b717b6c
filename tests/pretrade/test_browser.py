"""The Pre-trade page in Chromium: the table renders, the slider changes the schedule,
the fallback flag shows when the champion is broken, compliance reads only."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from models_app.models import ModelVersion
from tests.factories import UserFactory
from tests.reports.test_browser import Session, browser  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def session(browser, live_server, on_book) -> Iterator[Session]:  # type: ignore[no-untyped-def] # noqa: F811
    UserFactory(username="pw_pretrader", role="trader", desk="Cash Equities")
    UserFactory(username="pw_reader", role="compliance")
    s = Session(browser, live_server.url)
    yield s
    s.close()


def _estimate(session: Session, book) -> None:  # type: ignore[no-untyped-def]
    page = session.page
    session.open("/pretrade/")
    page.fill("#id_symbol", book.symbols[2])
    page.select_option("#id_side", "1")
    page.fill("#id_quantity", "25000")
    page.fill("#id_start_time", f"{book.last_day.isoformat()}T15:30")
    page.fill("#id_horizon_minutes", "120")
    with page.expect_navigation():
        page.click("#pretrade-form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_table_slider_and_csv(session: Session, on_book) -> None:  # type: ignore[no-untyped-def]
    session.login("pw_pretrader")
    _estimate(session, on_book)
    page = session.page
    rows = page.locator("#strategy-table tbody tr")
    assert rows.count() == 4
    assert [rows.nth(i).get_attribute("data-strategy") for i in range(4)] == [
        "aggressive", "balanced", "passive", "optimal",
    ]  # fmt: skip
    assert session.plot("costs")["traces"] == 3
    assert session.plot("frontier")["points"][0] == 50
    before = page.evaluate("document.querySelector('[data-figure=schedule]').data[0].y[0]")
    total_before = page.inner_text("#strategy-table tr[data-strategy=optimal] [data-col=total_bps]")
    with page.expect_response(lambda r: "/schedule/" in r.url) as info:
        page.locator("#risk-aversion").fill("0")  # λ = 1 per bps: very urgent
    assert info.value.status == 200
    page.wait_for_function(
        "() => !document.getElementById('pretrade-result').hasAttribute('aria-busy')"
    )
    after = page.evaluate("document.querySelector('[data-figure=schedule]').data[0].y[0]")
    assert after > before
    assert page.inner_text("#risk-aversion-value") == "1.0e+0"
    total_after = page.inner_text("#strategy-table tr[data-strategy=optimal] [data-col=total_bps]")
    assert total_after != total_before
    assert "risk_aversion=1" in page.get_attribute("#slices-link", "href")
    assert page.locator("#fallback-flag").count() == 0
    session.shot("pretrade")
    assert session.errors == []


def test_fallback_flag_is_visible_when_the_champion_is_broken(  # type: ignore[no-untyped-def]
    session: Session, on_book, settings, tmp_path
) -> None:
    store = tmp_path / "models"
    shutil.copytree(on_book.models, store)
    settings.MODEL_STORE_URL = str(store)
    champion = ModelVersion.objects.get(track="cost", status="champion")
    Path(store, champion.artifact_path).write_bytes(b"broken")
    session.login("pw_pretrader")
    _estimate(session, on_book)
    flag = session.page.locator("#fallback-flag")
    assert flag.is_visible()
    assert "could not be loaded" in flag.inner_text()
    assert "sqrt" in flag.inner_text()
    session.shot("pretrade-fallback")


def test_compliance_sees_estimates_but_no_form(session: Session, on_book) -> None:  # type: ignore[no-untyped-def]
    session.login("pw_pretrader")
    _estimate(session, on_book)
    url = session.page.url
    session.context.clear_cookies()
    session.login("pw_reader")
    session.open(url.removeprefix(session.base))
    assert session.page.locator("#pretrade-form").count() == 0
    assert session.page.locator("#strategy-table tbody tr").count() == 4
    with session.page.expect_response(lambda r: "/schedule/" in r.url) as info:
        session.page.locator("#risk-aversion").fill("-1")
    assert info.value.status == 200
