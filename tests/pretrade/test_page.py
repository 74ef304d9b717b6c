"""The Pre-trade page: the form, the stored estimate, the slider's endpoint, the CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.test import Client

from reports.models import ExportAudit
from tca.orders.models import ParentOrder
from tca.orders.selectors import orders_visible_to
from tca.pretrade.conf import pretrade_conf
from tca.pretrade.models import PretradeEstimate
from tca.pretrade.selectors import estimate_for_order


@pytest.fixture
def quant_client(quant):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(quant)
    return client


def form(book, **over):  # type: ignore[no-untyped-def]
    start = dt.datetime.combine(book.last_day, dt.time(15, 0))
    return {"symbol": book.symbols[1], "side": "-1", "quantity": "15000",
            "start_time": start.strftime("%Y-%m-%dT%H:%M"), "horizon_minutes": "90",
            "threshold_bps": "10", "strategy": "balanced", **over}  # fmt: skip


def test_trader_estimates_from_the_page_and_reads_the_table(on_book, trader_client) -> None:
    response = trader_client.post("/pretrade/", form(on_book))
    assert response.status_code == 302
    estimate = PretradeEstimate.objects.get()
    assert estimate.source == "page" and estimate.side == -1
    assert estimate.start_time == dt.datetime.combine(on_book.last_day, dt.time(15, 0), dt.UTC)
    page = trader_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    for name in ("Aggressive", "Balanced", "Passive", "Optimal", "Market inputs as of the start",
                 "loaded daily history", "Download the child-order slices"):  # fmt: skip
        assert name in html
    assert 'aria-current="page">Pre-trade' in html


def test_missing_history_is_said_on_the_page(on_book, trader_client) -> None:
    page = trader_client.post("/pretrade/", form(on_book, start_time="2020-01-06T15:00"))
    assert page.status_code == 400
    assert "no daily history" in page.content.decode()


def test_compliance_reads_estimates_but_cannot_request(on_book, trader, compliance) -> None:
    trader_c, compliance_c = Client(), Client()
    trader_c.force_login(trader)
    compliance_c.force_login(compliance)
    trader_c.post("/pretrade/", form(on_book))
    estimate = PretradeEstimate.objects.get()
    assert compliance_c.post("/pretrade/", form(on_book)).status_code == 403
    page = compliance_c.get(f"/pretrade/?estimate={estimate.pk}")
    assert page.status_code == 200 and "Optimal" in page.content.decode()
    assert "requesting one needs the trader or quant role" in page.content.decode()


def test_slider_endpoint_and_slices_csv(on_book, quant_client) -> None:
    quant_client.post("/pretrade/", form(on_book))
    estimate = PretradeEstimate.objects.get()
    url = f"/pretrade/{estimate.pk}/schedule/"
    calm = quant_client.post(url, json.dumps({"risk_aversion": 1e-5}), "application/json").json()
    urgent = quant_client.post(url, json.dumps({"risk_aversion": 1.0}), "application/json").json()
    assert urgent["risk_aversion"] == 1.0
    first = [f["figures"]["schedule"]["data"][0]["y"][0] for f in (calm, urgent)]
    assert first[1] > first[0]  # more risk-averse: more traded in the first slice
    assert urgent["variance_bps2"] < calm["variance_bps2"]
    assert urgent["expected_bps"] > calm["expected_bps"]
    response = quant_client.get(f"/pretrade/{estimate.pk}/slices.csv?risk_aversion=1e-5")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["slice", "start_utc", "end_utc", "symbol", "side", "quantity",
                       "remaining_after"]  # fmt: skip
    assert sum(float(r[5]) for r in rows[1:]) == pytest.approx(15000.0)
    assert {r[4] for r in rows[1:]} == {"SELL"}
    assert ExportAudit.objects.filter(kind="pretrade_slices", row_count=len(rows) - 1).exists()


def test_trader_cannot_read_another_traders_estimate(on_book, trader_client, quant_client):  # type: ignore[no-untyped-def]
    quant_client.post("/pretrade/", form(on_book))
    estimate = PretradeEstimate.objects.get()
    assert trader_client.get(f"/pretrade/?estimate={estimate.pk}").status_code == 404


def _desk_order(trader):  # type: ignore[no-untyped-def]
    """A computed order of the book, on the trader's desk."""
    order = (
        ParentOrder.objects.filter(cost__isnull=False)
        .select_related("instrument", "cost")
        .order_by("arrival_ns")
        .last()
    )
    trader.profile.desk = order.desk
    trader.profile.save()
    assert orders_visible_to(user=trader).filter(pk=order.pk).exists()
    return order


def test_an_arriving_order_finds_its_estimate(on_book, trader, trader_client) -> None:
    order = _desk_order(trader)
    trader_client.post("/pretrade/", form(on_book, order_ref=order.order_id))
    estimate = PretradeEstimate.objects.get()
    assert estimate_for_order(order=order, conf=pretrade_conf()) == estimate
    row = next(r for r in estimate.outputs["strategies"] if r["strategy"] == "balanced")
    realised = order.cost.execution_bps
    # The order page puts the estimate beside what the order then cost ...
    page = trader_client.get(f"/orders/{order.order_id}/").content.decode()
    assert 'id="pretrade-vs-realised"' in page
    assert f"{row['total_bps']:+,.2f} bps" in page
    assert f"realised execution cost {realised:+,.2f} bps" in page
    assert f"error {realised - row['total_bps']:+,.2f} bps" in page
    # ... and the pre/post page lists it with its order.
    prepost = trader_client.get("/prepost/").content.decode()
    assert 'id="pretrade-outcomes-table"' in prepost
    assert f">{order.order_id}</a>" in prepost
    assert f">{realised:+,.2f}</td>" in prepost


def test_an_estimate_is_not_shown_to_a_reader_who_may_not_read_it(
    on_book, quant_client, trader, trader_client
) -> None:  # type: ignore[no-untyped-def]
    order = _desk_order(trader)
    quant_client.post("/pretrade/", form(on_book, order_ref=order.order_id))
    page = trader_client.get(f"/orders/{order.order_id}/").content.decode()
    assert 'id="pretrade-vs-realised"' not in page
    assert 'id="pretrade-outcomes-table"' not in trader_client.get("/prepost/").content.decode()
