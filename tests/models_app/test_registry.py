"""Registry, promotion (four eyes), API and admin, on PostgreSQL (no worker needed)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from models_app.impact.artifacts import data_sha256
from models_app.impact.metrics import evaluate, jsonable
from models_app.impact.model import ImpactModel
from models_app.impact.table import trainable
from models_app.impact.walkforward import walk_forward
from models_app.models import ModelVersion, MonitoringRun, PromotionEvent
from models_app.monitoring import residuals_monitor
from models_app.selectors import champion_get, permanent_impact_model
from models_app.services import PromotionRefused, model_version_promote, model_version_register
from models_app.store import artifact_store, model_load
from models_app.training import holdout_split
from tca.jobs.models import Job
from tests.models_app.synthetic import almgren_table


@pytest.fixture(scope="module")
def fitted() -> tuple[dict, tuple, str]:  # type: ignore[type-arg]
    """Three kinds fitted once on synthetic orders (pure), with their scores."""
    table = almgren_table(n=900, days=10, seed=3)
    train, holdout, window = holdout_split(table, days=2, min_train_days=3)
    models = {}
    for kind in ("sqrt", "almgren", "bayes_linear"):
        model = ImpactModel(kind).fit(train)
        wf = walk_forward(table, kind, min_train_days=3, test_days=2)
        metrics = {
            "parameters": model.parameters(),
            "holdout": evaluate(model.predict(holdout), holdout),
            "walk_forward": evaluate(wf, table),
            "window": model.window_,
            "reference": model.reference_,
        }
        models[kind] = (model, jsonable(metrics))
    return models, window, data_sha256(trainable(train))


@pytest.fixture
def registry(fitted, quant) -> dict[str, ModelVersion]:  # type: ignore[no-untyped-def]
    """The fitted kinds registered as candidates whose training ``quant`` triggered."""
    models, window, sha = fitted
    return {
        kind: model_version_register(
            model=model, metrics=metrics, data_sha256=sha, holdout=window, user=quant
        )
        for kind, (model, metrics) in models.items()
    }


def staff(user):  # type: ignore[no-untyped-def]
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_registered_version_is_complete_and_loads_by_hash(registry, quant) -> None:  # type: ignore[no-untyped-def]
    v = registry["almgren"]
    assert (v.track, v.status, v.triggered_by) == ("permanent", "candidate", quant)
    assert v.train_start is not None and v.train_end < v.holdout_start <= v.holdout_end
    assert v.n_rows > 0 and len(v.data_sha256) == 64 and v.code_version.startswith("impact-")
    assert {"gamma", "eta", "beta"} <= set(v.metrics["parameters"])
    assert 0 < v.metrics["walk_forward"]["total_bps"]["coverage_90"] <= 1
    assert (artifact_store().root / v.artifact_path).is_file()
    model = model_load(version=v)
    assert (
        model.kind == "almgren"
        and model.point_.params_["gamma"] == v.metrics["parameters"]["gamma"]
    )
    assert registry["bayes_linear"].track == "cost"
    assert registry["bayes_linear"].data_sha256 == v.data_sha256  # same training rows


@pytest.mark.django_db
def test_permanent_impact_model_is_the_almgren_champion(registry) -> None:  # type: ignore[no-untyped-def]
    assert permanent_impact_model() is None
    model_version_promote(version=registry["almgren"], user=None)
    found = permanent_impact_model()
    assert found is not None
    assert found.version == registry["almgren"].version
    assert found.gamma == registry["almgren"].metrics["parameters"]["gamma"]
    event = PromotionEvent.objects.get(model_version=registry["almgren"])
    assert event.user is None and event.note.startswith("system")


@pytest.mark.django_db
def test_four_eyes_promotion_retires_the_previous_champion(registry, quant, second_quant) -> None:  # type: ignore[no-untyped-def]
    model_version_promote(version=registry["sqrt"], user=second_quant)
    with pytest.raises(PromotionRefused):
        model_version_promote(version=registry["bayes_linear"], user=quant)  # trained it
    model_version_promote(version=registry["bayes_linear"], user=second_quant, note="better")
    assert champion_get().pk == registry["bayes_linear"].pk
    registry["sqrt"].refresh_from_db()
    assert registry["sqrt"].status == ModelVersion.Status.RETIRED
    history = list(PromotionEvent.objects.order_by("id").values_list("to_status", "user__username"))
    assert history == [("champion", "t_quant2"), ("retired", "t_quant2"), ("champion", "t_quant2")]


@pytest.mark.django_db
def test_single_user_install_may_switch_four_eyes_off(registry, quant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FOOTPRINT_MODELS = {"four_eyes": False}
    model_version_promote(version=registry["bayes_linear"], user=quant)
    assert champion_get().pk == registry["bayes_linear"].pk


@pytest.mark.django_db
def test_api_lists_retrains_and_promotes(
    registry, quant, second_quant, trader, api_client_for
) -> None:  # type: ignore[no-untyped-def]
    assert api_client_for(trader).get("/api/v1/models/").status_code == 403
    listing = api_client_for(quant).get("/api/v1/models/")
    assert listing.status_code == 200
    assert {r["kind"] for r in listing.json()["results"]} == {"sqrt", "almgren", "bayes_linear"}
    pk = registry["bayes_linear"].pk

    assert api_client_for(trader).post(f"/api/v1/models/{pk}/retrain/").status_code == 403
    queued = api_client_for(quant).post(f"/api/v1/models/{pk}/retrain/")
    assert queued.status_code == 202
    job = Job.objects.get(id=queued.json()["job_id"])
    assert (job.kind, job.params["kinds"], job.created_by) == ("training", ["bayes_linear"], quant)

    assert api_client_for(quant).post(f"/api/v1/models/{pk}/promote/").status_code == 403
    promoted = api_client_for(second_quant).post(f"/api/v1/models/{pk}/promote/", {"note": "ok"})
    assert promoted.status_code == 200 and promoted.json()["status"] == "champion"
    detail = api_client_for(quant).get(f"/api/v1/models/{pk}/").json()
    assert detail["promotions"][0]["user"] == "t_quant2" and "walk_forward" in detail["metrics"]


@pytest.mark.django_db
def test_admin_retrain_action_for_quants_only(registry, quant, trader) -> None:  # type: ignore[no-untyped-def]
    url = reverse("admin:models_app_modelversion_changelist")
    data = {"action": "retrain", "_selected_action": [registry["almgren"].pk]}
    refused = staff(trader).post(url, data)
    assert refused.status_code == 403
    assert not Job.objects.exists()
    done = staff(quant).post(url, data, follow=True)
    assert done.status_code == 200
    job = Job.objects.get()
    assert (job.kind, job.params["kinds"], job.created_by) == ("training", ["almgren"], quant)
    assert f"follow job {job.pk}" in done.content.decode()


@pytest.mark.django_db
def test_admin_promote_action_applies_four_eyes(registry, quant, second_quant) -> None:  # type: ignore[no-untyped-def]
    url = reverse("admin:models_app_modelversion_changelist")
    data = {"action": "promote", "_selected_action": [registry["sqrt"].pk]}
    staff(quant).post(url, data, follow=True)
    assert champion_get() is None  # refused: quant triggered the training
    staff(second_quant).post(url, data, follow=True)
    assert champion_get().pk == registry["sqrt"].pk


@pytest.mark.django_db
def test_monitoring_is_scheduled_and_waits_for_a_champion() -> None:
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    # Earlier transactional tests flush what data migrations created: run it again.
    importlib.import_module("models_app.migrations.0003_monitoring_schedule").schedule(apps, None)
    task = PeriodicTask.objects.get(task="models_app.monitor")
    assert task.enabled and task.queue == "training" and task.interval.every == 1
    run = residuals_monitor()
    assert not run.breached and run.reasons == ["no champion yet"]
    assert MonitoringRun.objects.count() == 1
