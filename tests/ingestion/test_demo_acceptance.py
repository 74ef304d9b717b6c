"""``manage.py demo`` leaves every order attributed and (after day one) predicted."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Sum

pytestmark = [pytest.mark.slow, pytest.mark.worker]


@pytest.mark.django_db(transaction=True)
def test_demo_attributes_and_predicts_every_order(celery_worker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from models_app.conf import models_conf
    from models_app.impact.walkforward import folds, walk_forward
    from models_app.loading import order_table
    from models_app.models import ModelVersion, OrderPrediction
    from tca.costs.models import CostResult

    call_command("demo", preset="demo", seed=7, out=tmp_path / "demo")

    results = CostResult.objects.all()
    n = results.count()
    assert n > 3000
    champion = ModelVersion.objects.get(kind="almgren", status=ModelVersion.Status.CHAMPION)
    attributed = results.filter(model_version=champion.version).count()
    predicted = OrderPrediction.objects.values("order_id").distinct().count()
    assert attributed == n  # every order attributed by the champion
    agent = ModelVersion.objects.get(kind="execution_policy", status=ModelVersion.Status.CHAMPION)
    assert agent.metrics["evaluation"]["groups"]["news"]["strategies"]["agent"]["completed"] > 0.99
    assert predicted / n >= 0.95
    totals = results.aggregate(Sum("permanent_impact_amount"), Sum("executed_notional"))
    permanent_bps = totals["permanent_impact_amount__sum"] / totals["executed_notional__sum"] * 1e4
    assert permanent_bps > 0.5  # a real share of the persistent move, not rounding noise

    # the re-split keeps execution = spread + temporary + permanent + adverse selection
    for r in results.exclude(execution_amount=None).exclude(adverse_selection_amount=None):
        parts = (
            r.spread_amount + r.temporary_impact_amount + r.permanent_impact_amount
            + r.adverse_selection_amount
        )
        assert parts == pytest.approx(r.execution_amount, rel=1e-9, abs=1e-6)

    conf = models_conf()
    table = order_table()
    plan = folds(
        table["trade_date"].to_list(),
        min_train_days=conf.walk_forward_first_days,
        test_days=conf.walk_forward_days,
    )
    for kind in ("sqrt", "almgren"):
        wf = walk_forward(
            table, kind, min_train_days=conf.walk_forward_first_days,
            test_days=conf.walk_forward_days,
        )
        assert wf["train_end"].n_unique() == len(plan), kind  # trained in every fold
