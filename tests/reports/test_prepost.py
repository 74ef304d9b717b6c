"""Pre/post: predictions of the model registry against the realised execution cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from models_app.models import ModelVersion, OrderPrediction
from tests.factories import ParentOrderFactory
from tests.reports.factories import CostResultFactory, cost_fields


def _predict(order, version: ModelVersion, total: float, low: float, high: float) -> None:  # type: ignore[no-untyped-def]
    realised = order.cost.execution_bps  # what models_app stores after a TCA run
    OrderPrediction.objects.create(
        realized_bps=realised,
        residual_bps=realised - total,
        order=order,
        model_version=version,
        source="walk_forward",
        trained_through=order.trade_date - dt.timedelta(days=1),
        trade_date=order.trade_date,
        temporary_bps=total / 2,
        permanent_bps=total / 2,
        total_bps=total,
        q05_bps=low,
        q50_bps=total,
        q95_bps=high,
        std_bps=(high - low) / 3.3,
        p_exceed=0.2,
        threshold_bps=10.0,
    )


@pytest.fixture
def predicted(db):  # type: ignore[no-untyped-def]
    v1 = ModelVersion.objects.create(version="cost-v1", kind="almgren")
    v2 = ModelVersion.objects.create(version="cost-v2", kind="xgboost")
    orders = []
    for i in range(12):
        order = ParentOrderFactory(
            order_id=f"PRED-{i}", trade_date=dt.date(2026, 3, 2) + dt.timedelta(days=i % 4)
        )
        # execution = spread + temporary = 10 bps on a 1,000,000 paper notional
        CostResultFactory(
            order=order, **cost_fields(1e6, spread=400, temporary_impact=600, delay=300)
        )
        _predict(order, v1 if i < 6 else v2, total=8.0 if i < 6 else 10.5, low=4.0, high=12.0)
        orders.append(order)
    return orders


@pytest.mark.django_db
def test_prepost_compares_with_the_realised_execution_cost(predicted, compliance, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(compliance)
    response = client.get(reverse("reports:prepost"))
    stats = {s.version: s for s in response.context["stats"]}
    assert set(stats) == {"cost-v1", "cost-v2"}
    assert stats["cost-v1"].bias == pytest.approx(2.0)  # realised 10 − predicted 8
    assert stats["cost-v2"].bias == pytest.approx(-0.5)
    assert stats["cost-v1"].mae == pytest.approx(2.0)
    assert stats["cost-v1"].coverage == pytest.approx(1.0)
    figures = response.context["figures"]
    assert len(figures["scatter"]["data"]) == 3  # two versions and the y = x line
    assert len(figures["residuals"]["data"]) == 2
    assert "cost-v1" in response.content.decode()

    only_v2 = client.get(reverse("reports:prepost"), {"version": "cost-v2", "format": "json"})
    assert "cost-v1" not in only_v2.json()["html"].split("model-stats")[1]


@pytest.mark.django_db
def test_order_page_shows_its_prediction_and_interval(predicted, compliance, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(compliance)
    response = client.get(reverse("reports:order_detail", args=["PRED-0"]))
    figure = response.context["figures"]["prediction"]
    predicted_trace, realised_trace = figure["data"]
    assert predicted_trace["x"] == [8.0]
    assert predicted_trace["error_x"]["array"] == [4.0]  # up to q95 = 12
    assert predicted_trace["error_x"]["arrayminus"] == [4.0]  # down to q05 = 4
    assert realised_trace["x"] == [pytest.approx(10.0)]
    assert "interval 4.0 to 12.0 bps" in response.content.decode()


@pytest.mark.django_db
def test_prepost_empty_states(compliance, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(compliance)
    html = client.get(reverse("reports:prepost")).content.decode()
    assert "No prediction model yet" in html and "train_models" in html
    ModelVersion.objects.create(version="cost-v9", kind="almgren")
    html = client.get(reverse("reports:prepost")).content.decode()
    assert "No predictions for these orders yet" in html


@pytest.mark.django_db
def test_trader_sees_predictions_of_their_desk_only(predicted, trader_client) -> None:  # type: ignore[no-untyped-def]
    other = ParentOrderFactory(order_id="PRED-OTHER", desk="Program Trading")
    CostResultFactory(order=other, **cost_fields(1e6, spread=100))
    _predict(other, ModelVersion.objects.get(version="cost-v1"), 1.0, 0.0, 2.0)
    stats = trader_client.get(reverse("reports:prepost")).context["stats"]
    assert sum(s.n for s in stats) == 12
