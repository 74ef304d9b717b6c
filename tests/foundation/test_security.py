"""Login lockout, API throttles, security headers, cookies, CSRF, API tokens, offline docs."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-password"


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()  # throttle counters live in the cache
    yield
    cache.clear()


def _login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_failed_logins_lock_the_account_for_that_address(settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="victim", role="trader", password=PASSWORD)
    UserFactory(username="bystander", role="trader", password=PASSWORD)
    client = Client()
    for _ in range(2):
        assert _login(client, "victim", "wrong").status_code == 200  # the form again
    locked = _login(client, "victim", "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Now even the right password is refused, and no session is opened.
    again = _login(client, "victim", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not affected.
    assert _login(Client(), "bystander", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_failure_count(settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="forgetful", role="trader", password=PASSWORD)
    client = Client()
    for _ in range(2):
        _login(client, "forgetful", "wrong")
    assert _login(client, "forgetful", PASSWORD).status_code == 302
    client.logout()
    for _ in range(2):
        assert _login(client, "forgetful", "wrong").status_code == 200
    assert _login(client, "forgetful", PASSWORD).status_code == 302


def test_api_requests_are_throttled_per_user(settings, trader, compliance, api_client_for) -> None:  # type: ignore[no-untyped-def]
    settings.FOOTPRINT_API_RATE_USER = "3/min"
    client = api_client_for(trader)
    codes = [client.get("/api/v1/orders/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "Retry-After" in client.get("/api/v1/orders/")
    assert api_client_for(compliance).get("/api/v1/orders/").status_code == 200  # own budget


def test_pages_carry_the_security_headers(trader_client) -> None:  # type: ignore[no-untyped-def]
    response = trader_client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "'self'" in script_src and "unsafe" not in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


PAGES = ["/", "/blotter/", "/compare/", "/prepost/", "/pretrade/", "/reports/", "/ingest/upload/"]


@pytest.mark.parametrize("url", [*PAGES, "/accounts/token/", "/accounts/login/", "/api/docs/"])
def test_no_page_has_inline_script(url: str, settings) -> None:  # type: ignore[no-untyped-def]
    """The CSP forbids inline code, so a page that had some would silently break."""
    user = UserFactory(username="reader", role="quant")
    client = Client()
    if url != "/accounts/login/":
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    assert not INLINE_SCRIPT.findall(response.content.decode()), url


def test_session_and_csrf_cookies_are_http_only_and_same_site() -> None:
    UserFactory(username="cookie", role="trader", password=PASSWORD)
    client = Client()
    client.get("/accounts/login/")
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    _login(client, "cookie", PASSWORD)
    session = client.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert int(session["max-age"]) == 8 * 3600


def test_forms_refuse_a_post_without_the_csrf_token(trader) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(trader)
    assert client.post("/accounts/token/", {"action": "create"}).status_code == 403
    page = client.get("/accounts/token/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/accounts/token/", {"action": "create", "csrfmiddlewaretoken": token})
    assert response.status_code == 200


def test_users_create_replace_and_revoke_their_own_token(trader, trader_client) -> None:  # type: ignore[no-untyped-def]
    assert "You have no token." in trader_client.get("/accounts/token/").content.decode()
    page = trader_client.post("/accounts/token/", {"action": "create"}).content.decode()
    first = re.search(r'<code id="new-token">(\w+)</code>', page).group(1)  # type: ignore[union-attr]
    api = Client(HTTP_AUTHORIZATION=f"Token {first}")
    assert api.get("/api/v1/orders/").status_code == 200
    assert first not in trader_client.get("/accounts/token/").content.decode()  # shown once
    page = trader_client.post("/accounts/token/", {"action": "create"}).content.decode()
    second = re.search(r'<code id="new-token">(\w+)</code>', page).group(1)  # type: ignore[union-attr]
    assert second != first
    assert api.get("/api/v1/orders/").status_code in (401, 403)  # the old key stopped working
    assert Client(HTTP_AUTHORIZATION=f"Token {second}").get("/api/v1/orders/").status_code == 200
    trader_client.post("/accounts/token/", {"action": "revoke"})
    revoked = Client(HTTP_AUTHORIZATION=f"Token {second}").get("/api/v1/orders/")
    assert revoked.status_code in (401, 403)


def test_token_page_needs_a_login() -> None:
    response = Client().get("/accounts/token/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_api_docs_load_from_our_own_static_files(compliance) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(compliance)
    html = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    for src in sources:
        if src.startswith("/static/"):
            assert finders.find(src.removeprefix("/static/")), src
    assert any("swagger-ui-bundle.js" in s for s in sources)


def test_openapi_schema_validates_without_warnings() -> None:
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null", stdout=out)
