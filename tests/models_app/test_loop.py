"""The whole loop on a real Celery worker: predictions, drifting residuals, an automatic
retrain, a challenger that wins on the held-out window, promotion by a second user, and
new orders predicted by the new version."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from django.core.management import call_command

from models_app.models import ModelVersion, OrderPrediction
from models_app.predictions import predictions_update_residuals
from models_app.selectors import champion_get, permanent_impact_model
from models_app.tasks import models_monitor_task
from tca.orders.models import ParentOrder
from tca.sim import SimConfig
from tests.models_app.conftest import load_simulation, wait_for_job

SEED = 21
CALM = {"eta": 0.142}
DRY = {"eta": 0.142 * 5}  # liquidity dries up: five times the temporary impact


def phase(tmp_path, name: str, start: dt.date, days: int, impact: dict) -> list[str]:  # type: ignore[no-untyped-def]
    config = SimConfig.preset("small", seed=SEED, n_days=days, start_date=start, **impact)
    dates = load_simulation(tmp_path / name, config, source=name)
    return list(ParentOrder.objects.filter(trade_date__in=dates).values_list("order_id", flat=True))


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_residual_drift_triggers_a_retrain_that_wins_and_is_promoted(  # type: ignore[no-untyped-def]
    celery_worker, light_models, second_quant, api_client_for, tmp_path
) -> None:
    # 1. History, a first training run and its system-promoted champions.
    phase(tmp_path, "history", dt.date(2026, 3, 2), 12, CALM)
    out = io.StringIO()
    call_command("train_models", "--promote-if-none", stdout=out)
    assert "almgren: gamma=" in out.getvalue()
    first = champion_get()
    assert first is not None and permanent_impact_model() is not None
    assert OrderPrediction.objects.filter(source="walk_forward").exists()

    # 2. The regime changes; new orders are predicted by the champion and their
    #    residuals drift upwards.
    drifted = phase(tmp_path, "dry", dt.date(2026, 3, 18), 6, DRY)
    counts = predictions_update_residuals(order_ids=drifted)
    assert counts["created"] > 100
    live = OrderPrediction.objects.filter(order__order_id__in=drifted)
    assert set(live.values_list("model_version", flat=True)) == {first.pk}
    assert all(p.trained_through < p.trade_date for p in live)
    residuals = np.array(live.values_list("residual_bps", flat=True), dtype=float)
    assert residuals.mean() > 10

    # 3. The scheduled monitoring task (run by the worker) sees it and queues a retrain.
    outcome = models_monitor_task.delay().get(timeout=60)
    assert outcome["breached"] and outcome["job"]
    job = wait_for_job(outcome["job"], timeout=240)
    assert job.status == "succeeded", job.result
    assert job.created_by is None and job.params["reason"].startswith("monitoring")

    # 4. The challengers were compared with the champion on the same held-out days.
    challengers = ModelVersion.objects.filter(job=job, track="cost")
    assert {v.kind for v in challengers} == {"sqrt", "bayes_linear", "xgboost"}
    best = min(challengers, key=lambda v: v.metrics["holdout"]["total_bps"]["mae"])
    assert best.metrics["champion"]["version"] == first.version
    assert best.metrics["beats_champion"] is True
    assert best.metrics["holdout"]["total_bps"]["mae"] < best.metrics["champion"]["mae"]
    assert best.holdout_end == max(OrderPrediction.objects.values_list("trade_date", flat=True))

    # 5. A second user promotes it (through the API, audited).
    response = api_client_for(second_quant).post(f"/api/v1/models/{best.pk}/promote/")
    assert response.status_code == 200
    assert champion_get().pk == best.pk
    first.refresh_from_db()
    assert first.status == "retired"

    # 6. New orders get their predictions from the new version.
    fresh = phase(tmp_path, "after", dt.date(2026, 3, 26), 2, DRY)
    predictions_update_residuals(order_ids=fresh)
    new = OrderPrediction.objects.filter(order__order_id__in=fresh)
    assert new.count() > 20
    assert set(new.values_list("model_version", flat=True)) == {best.pk}
    assert set(new.values_list("source", flat=True)) == {"live"}
