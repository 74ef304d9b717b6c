"""The dashboards in a real browser (system Chromium, Playwright): log in through the
form, open every page, check the charts drew, filter without a reload, screenshot."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tca.accounts.services import roles_sync
from tests.factories import UserFactory
from tests.reports.builders import add_predictions, build_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "pw-for-tests-only"  # the factory's password


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("system Chromium missing: run `make chromium`")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django's ORM calls
    # made by the test itself (fixtures, factories) are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Session:
    """A logged-in page that records console errors and failed requests."""

    def __init__(self, browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
        self.context = browser.new_context(viewport={"width": 1440, "height": 960})
        self.page = self.context.new_page()
        self.base = base_url
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "response",
            lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

    def login(self, username: str) -> None:
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("button[type=submit]")
        assert "/accounts/login/" not in self.page.url, "login failed"

    def open(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")
        self.page.wait_for_load_state("networkidle")

    def plot(self, figure: str) -> dict:
        """Wait for a plot to draw, then return its trace count and points per trace."""
        self.page.wait_for_selector(f'[data-figure="{figure}"] .main-svg', timeout=15_000)
        return self.page.evaluate(
            """(name) => {
                const el = document.querySelector(`[data-figure="${name}"]`);
                return {traces: el.data.length,
                        points: el.data.map(t => (t.x || t.y || []).length),
                        names: el.data.map(t => t.name || ''),
                        bars: el.querySelectorAll('.bars .point').length};
            }""",
            figure,
        )

    def refresh_with(self, action) -> None:  # type: ignore[no-untyped-def]
        """Run ``action`` (a filter change) and wait for the in-place refresh to finish."""
        with self.page.expect_response(lambda r: "format=json" in r.url) as info:
            action()
        assert info.value.status == 200
        self.page.wait_for_function(
            "() => !document.getElementById('dashboard').hasAttribute('aria-busy')"
        )

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module", autouse=True)
def _roles_back(django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Transactional tests end with a flush, which drops the role groups a migration made;
    put them back for whatever test runs next."""
    yield
    with django_db_blocker.unblock():
        roles_sync()


@pytest.fixture
def data(transactional_db):  # type: ignore[no-untyped-def]
    roles_sync()  # an earlier transactional test's flush may have removed them
    dataset = build_dataset()
    UserFactory(username="pw_compliance", role="compliance")
    UserFactory(username="pw_trader", role="trader", desk="Cash Equities")
    return dataset


@pytest.fixture
def session(browser, live_server, data) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    s = Session(browser, live_server.url)
    yield s
    s.close()


def _no_reload_marker(session: Session) -> None:
    session.page.evaluate("window.__sameDocument = true")


def _same_document(session: Session) -> bool:
    return bool(session.page.evaluate("window.__sameDocument === true"))


def test_overview_draws_and_filters_in_place(session: Session) -> None:
    session.login("pw_compliance")
    session.open("/")
    waterfall = session.plot("waterfall")
    assert waterfall["traces"] == 1
    assert waterfall["points"] == [8]  # seven components and the total, no unattributed gap
    assert waterfall["bars"] == 8
    timeline = session.plot("timeline")
    assert timeline["traces"] == 2 and timeline["points"][0] == 6  # six trade days
    before = session.page.inner_text("[data-testid=avg-is]")
    session.shot("overview")

    _no_reload_marker(session)
    session.refresh_with(lambda: session.page.select_option("select[name=broker]", "BRKB"))
    after = session.page.inner_text("[data-testid=avg-is]")
    assert after != before
    assert _same_document(session), "the filter reloaded the page"
    assert "broker=BRKB" in session.page.url
    assert session.plot("waterfall")["bars"] == 8
    session.shot("overview-filtered")
    assert session.errors == []


def test_blotter_filters_sorts_pages_and_exports(session: Session) -> None:
    session.login("pw_compliance")
    session.open("/blotter/")
    rows = session.page.locator("#blotter tbody tr")
    assert rows.count() == 50
    session.shot("blotter")

    _no_reload_marker(session)
    session.refresh_with(lambda: session.page.select_option("select[name=side]", "-1"))
    sides = set(session.page.locator("#blotter tbody td:nth-child(3)").all_inner_texts())
    assert sides == {"SELL"}
    session.refresh_with(lambda: session.page.click("#blotter th a:text('IS')"))
    first = session.page.locator("#blotter tbody tr:first-child td:nth-child(8)").inner_text()
    second = session.page.locator("#blotter tbody tr:nth-child(2) td:nth-child(8)").inner_text()
    assert float(first.replace(",", "")) <= float(second.replace(",", ""))
    assert _same_document(session)
    href = session.page.get_attribute("#export-csv", "href")
    assert "side=-1" in href and "sort=is_bps" in href
    with session.page.expect_download() as download:
        session.page.click("#export-csv")
    text = Path(download.value.path()).read_text()
    assert text.startswith("order_id,symbol,side")
    assert ",BUY," not in text
    assert session.errors == []


def test_order_detail_price_path_waterfall_and_markouts(session: Session, data) -> None:  # type: ignore[no-untyped-def]
    order = data.quoted_order
    n_fills = order.fills.count()
    session.login("pw_compliance")
    session.open(f"/orders/{order.order_id}/")
    price = session.plot("price")
    names = price["names"]
    assert names[:3] == ["Bid", "Ask", "Mid"]
    fill_points = sum(p for n, p in zip(names, price["points"], strict=True) if "fills" in n)
    assert fill_points == n_fills
    assert any(n.startswith("VWAP") for n in names) and any(n.startswith("TWAP") for n in names)
    assert any(n.startswith("Arrival mid") for n in names)
    assert session.plot("waterfall")["bars"] == 8
    markouts = session.plot("markouts")
    assert markouts["traces"] == 3  # all fills, passive, aggressive
    assert "No model prediction" in session.page.inner_text("#dashboard")
    session.shot("order-detail")
    assert session.errors == []


def test_compare_groups_test_and_regrouping(session: Session) -> None:
    session.login("pw_compliance")
    session.open("/compare/")
    groups = session.plot("group_costs")
    assert groups["points"] == [3]  # three brokers
    assert session.plot("markouts")["traces"] == 3
    assert session.plot("scatter_participation")["traces"] == 3  # points, deciles, fit
    sentence = session.page.inner_text("[data-testid=test-sentence]")
    assert "Mann-Whitney U" in sentence and "statistically significant" in sentence
    session.shot("compare-broker")

    _no_reload_marker(session)
    session.refresh_with(lambda: session.page.select_option("select[name=by]", "venue"))
    assert session.plot("markouts")["traces"] == 4  # four venues
    session.refresh_with(lambda: session.page.select_option("select[name=by]", "algo"))
    assert session.plot("group_costs")["points"] == [3]
    assert _same_document(session)
    session.shot("compare-algo")
    assert session.errors == []


def test_prepost_empty_state(session: Session) -> None:
    session.login("pw_compliance")
    session.open("/prepost/")
    text = session.page.inner_text("#dashboard")
    assert "No prediction model yet" in text or "No predictions for these orders" in text
    assert "train_models" in text
    session.shot("prepost-empty")
    assert session.errors == []


def test_prepost_with_predictions(session: Session, data) -> None:  # type: ignore[no-untyped-def]
    add_predictions(data)
    session.login("pw_compliance")
    session.open("/prepost/")
    scatter = session.plot("scatter")
    assert scatter["traces"] == 3  # two model versions and the y = x line
    assert session.plot("histogram")["traces"] == 2
    assert session.plot("residuals")["traces"] == 2
    rows = session.page.locator("#model-stats tbody tr")
    assert rows.count() == 2
    session.shot("prepost")
    _no_reload_marker(session)
    session.refresh_with(lambda: session.page.select_option("select[name=version]", "cost-v2"))
    assert session.plot("scatter")["traces"] == 2
    assert session.page.locator("#model-stats tbody tr").count() == 1
    assert _same_document(session)
    order = data.orders[0]
    session.open(f"/orders/{order.order_id}/")
    prediction = session.plot("prediction")
    assert prediction["names"][0].startswith("Predicted (model cost-v1)")
    assert session.errors == []


def test_trader_sees_only_their_desk(session: Session) -> None:
    session.login("pw_trader")
    session.open("/blotter/?desk=Program+Trading")
    assert "No orders to show" in session.page.inner_text("#dashboard")
    session.open("/blotter/")
    options = session.page.locator("select[name=desk] option").all_inner_texts()
    assert options == ["Any", "Cash Equities"]
    session.open("/")
    assert session.plot("waterfall")["bars"] >= 7
    session.shot("overview-trader")
    assert session.errors == []
