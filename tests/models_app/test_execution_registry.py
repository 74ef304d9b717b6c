"""The execution agent as a registered model: trained on the worker, promoted, shown."""

from __future__ import annotations

import numpy as np
import pytest

from models_app.execution_training import KIND
from models_app.models import ModelVersion, PromotionEvent
from models_app.store import model_load
from tca.jobs.models import Job
from tca.sim.execution_env import ExecutionSetup, market_paths, observe, reset_batch
from tests.models_app.conftest import wait_for_job


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_training_on_the_worker_registers_and_promotes_a_policy(  # type: ignore[no-untyped-def]
    celery_worker, quant, trader, api_client_for, client
) -> None:
    url = "/api/v1/models/execution-policy/train/"
    assert api_client_for(trader).post(url, {}, format="json").status_code == 403
    response = api_client_for(quant).post(
        url, {"seed": 3, "batches": 20, "batch_size": 64}, format="json"
    )
    assert response.status_code == 202
    job = wait_for_job(response.json()["job_id"])
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert job.task_name == "models_app.execution_policy.train"

    version = ModelVersion.objects.get(kind=KIND)
    assert (version.track, version.status) == ("execution", "champion")
    assert version.triggered_by == quant and version.job_id == job.id
    assert PromotionEvent.objects.filter(model_version=version, to_status="champion").exists()
    groups = version.metrics["evaluation"]["groups"]
    assert set(groups) == {"overall", "calm", "volatile", "news"}
    assert groups["news"]["strategies"]["agent"]["n"] == 400

    policy = model_load(version=version)  # the artifact, verified by its hash
    setup = ExecutionSetup(**version.hyperparameters["setup"])
    paths = market_paths(setup, batch=5, seed=0)
    assert policy.act(observe(setup, paths, reset_batch(setup, paths))).shape == (5,)
    assert np.isfinite(policy.q).all()

    # Retraining from the version queues the agent's training, not the impact models'.
    again = api_client_for(quant).post(f"/api/v1/models/{version.pk}/retrain/", {}, format="json")
    assert again.status_code == 202
    assert Job.objects.get(id=again.json()["job_id"]).params["model"] == KIND
    wait_for_job(again.json()["job_id"])

    client.force_login(trader)
    page = client.get("/execution/").content.decode()
    assert version.version in page
    assert 'id="eval-news"' in page and 'data-strategy="almgren_chriss"' in page
    assert ModelVersion.objects.filter(kind=KIND).count() == 2  # the champion stays until promoted
    assert ModelVersion.objects.filter(kind=KIND, status="champion").count() == 1


@pytest.mark.django_db
def test_the_page_without_a_policy_and_for_roles(client, trader, no_role_user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(trader)
    assert 'id="no-policy"' in client.get("/execution/").content.decode()
    client.force_login(no_role_user)
    assert client.get("/execution/").status_code == 403
