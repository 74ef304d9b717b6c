"""Simulated Footprint users for ``bench/bench_load.py`` (run by it, not by hand).

Page users sign in through the real login form (session cookie, CSRF) and read
the overview, the blotter and order pages; API users list orders with a DRF
token. Accounts and the order ids each desk may open come from the JSON file
named by ``BENCH_LOAD_ACCOUNTS``, written by bench_load.py; several simulated
users share one account, as people on a desk share nothing but a role. Each
user pauses 1-3 s between requests (a person reading; ``BENCH_LOAD_THINK``
changes it), so 40 users offer about 20 requests per second.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from locust import HttpUser, between, task

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_LOGIN_PATH = "/accounts/login/"


def _load() -> dict[str, Any]:
    path = os.environ.get("BENCH_LOAD_ACCOUNTS")
    return json.loads(Path(path).read_text()) if path else {"accounts": [], "orders": {}}


SETUP = _load()
_THINK = between(*(float(s) for s in os.environ.get("BENCH_LOAD_THINK", "1,3").split(",")))
_NEXT_PAGE_ACCOUNT = itertools.count()
_NEXT_API_ACCOUNT = itertools.count()


def _account(counter: itertools.count) -> dict[str, Any]:
    """Round-robin over the accounts, so every login is shared by a few users."""
    accounts = SETUP["accounts"]
    return accounts[next(counter) % len(accounts)]


def _orders_of(account: dict[str, Any]) -> list[str]:
    """Order ids the account may open: its desk's, or every desk's for compliance."""
    return SETUP["orders"][account["desk"] or "*"]


class PageUser(HttpUser):
    """A trader or compliance officer in the browser (no static files: cached)."""

    weight = 3
    wait_time = _THINK

    def on_start(self) -> None:
        self.account = _account(_NEXT_PAGE_ACCOUNT)
        self.orders = _orders_of(self.account)
        with self.client.get(_LOGIN_PATH, name="login form", catch_response=True) as form:
            token = _CSRF.search(form.text or "")
            if form.status_code != 200 or token is None:
                form.failure(f"no login form (HTTP {form.status_code})")
                return
        with self.client.post(
            _LOGIN_PATH,
            data={
                "username": self.account["username"],
                "password": SETUP["password"],
                "csrfmiddlewaretoken": token.group(1),
                "next": "/",
            },
            headers={"Referer": f"{self.host}{_LOGIN_PATH}"},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as login:
            if login.status_code != 302 or "sessionid" not in self.client.cookies:
                login.failure(f"login refused (HTTP {login.status_code})")

    def _page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif _LOGIN_PATH in response.url:  # the session was lost: a silent failure
                response.failure("redirected to the login form")

    @task(2)
    def overview(self) -> None:
        self._page("/", "/ (overview)")

    @task(2)
    def blotter(self) -> None:
        self._page("/blotter/", "/blotter/")

    @task(3)
    def order(self) -> None:
        order_id = random.choice(self.orders)
        self._page(f"/orders/{quote(order_id, safe='')}/", "/orders/<order_id>/")


class ApiUser(HttpUser):
    """A script polling the orders API with its token, one 100-order page at a time."""

    weight = 1
    wait_time = _THINK

    def on_start(self) -> None:
        account = _account(_NEXT_API_ACCOUNT)
        self.pages = max(1, len(_orders_of(account)) // 100)
        self.client.headers["Authorization"] = f"Token {account['token']}"

    @task
    def orders(self) -> None:
        offset = 100 * random.randrange(self.pages)
        with self.client.get(
            f"/api/v1/orders/?limit=100&offset={offset}",
            name="/api/v1/orders/",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "results" not in response.json():
                response.failure("no results in the body")


class HealthUser(HttpUser):
    """The baseline: the trivial ``/health/`` page (one ``SELECT 1``) at the same pace."""

    wait_time = _THINK

    @task
    def health(self) -> None:
        self.client.get("/health/", name="/health/ (baseline)")
