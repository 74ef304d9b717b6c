"""Training the execution agent as a job, and registering it as a model version.

The policy is a model version of kind ``execution_policy`` on its own track
(``execution``): versioned, its artifact content-addressed, its held-out
evaluation stored as metrics, and promoted like the impact models (four eyes;
the first one of the track becomes champion as the system).
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tca.jobs.models import Job
from tca.jobs.services import job_create, job_enqueue, job_finish, job_progress, job_start
from tca.sim.execution_env import ExecutionSetup

from .execution.agent import QPolicy, train_q_policy
from .execution.evaluation import evaluate
from .impact.artifacts import code_version
from .models import ModelVersion
from .services import model_version_promote
from .store import artifact_store

KIND = "execution_policy"
DEFAULTS = {"seed": 1, "batches": 2500, "batch_size": 1024}


def execution_policy_train_submit(
    *, user: AbstractBaseUser | None, seed: int | None = None, batches: int | None = None,
    batch_size: int | None = None,
) -> Job:  # fmt: skip
    """Create a training job for the execution agent; queued once committed."""
    from .tasks import execution_policy_train_task

    params = {
        "model": KIND,
        "seed": int(seed if seed is not None else DEFAULTS["seed"]),
        "batches": int(batches or DEFAULTS["batches"]),
        "batch_size": int(batch_size or DEFAULTS["batch_size"]),
    }
    with transaction.atomic():
        job = job_create(kind=Job.Kind.TRAINING, user=user, params=params)
        job_enqueue(job=job, task=execution_policy_train_task, args=[str(job.id)])
    return job


def execution_policy_register(
    *, policy: QPolicy, evaluation: dict[str, Any], params: dict[str, Any],
    user: AbstractBaseUser | None, job_id: uuid.UUID | str | None = None,
) -> ModelVersion:  # fmt: skip
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    version = f"{KIND}-{stamp}-{uuid.uuid4().hex[:6]}"
    path, sha = artifact_store().save(policy, name=f"{KIND}/{version}")
    return ModelVersion.objects.create(
        version=version, kind=KIND, track=ModelVersion.Track.EXECUTION,
        hyperparameters={**params, "setup": dataclasses.asdict(policy.setup)},
        n_rows=int(params["batches"]) * int(params["batch_size"]),
        code_version=code_version(), artifact_path=path, artifact_sha256=sha,
        metrics={"evaluation": evaluation, "training_curve": _thin(policy.curve)},
        triggered_by=user if user is not None and user.is_authenticated else None,
        job_id=job_id,
    )  # fmt: skip


def _thin(curve: list[float], points: int = 100) -> list[float]:
    return curve[:: max(1, len(curve) // points)]


def execution_policy_train_run(*, job_id: str) -> dict[str, Any]:
    """The job's body; idempotent (a job that already registered its version is done)."""
    job = Job.objects.select_related("created_by").get(id=job_id)
    if job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
        return dict(job.result)
    done = ModelVersion.objects.filter(job_id=job_id, kind=KIND).first()
    if done is None:
        job_start(job_id=job_id, message="training the agent in the simulator")
        p = job.params
        policy = train_q_policy(
            ExecutionSetup(), seed=int(p["seed"]), batches=int(p["batches"]),
            batch_size=int(p["batch_size"]),
        )  # fmt: skip
        job_progress(job_id=job_id, progress=0.8, message="evaluating on held-out days")
        evaluation = evaluate(policy)
        done = execution_policy_register(
            policy=policy, evaluation=evaluation, params=p, user=job.created_by, job_id=job_id
        )
    if not ModelVersion.objects.filter(
        track=ModelVersion.Track.EXECUTION, status=ModelVersion.Status.CHAMPION
    ).exists():
        model_version_promote(version=done, user=None)
    result = {"versions": [done.version], "evaluation": done.metrics["evaluation"]["groups"]}
    job_finish(job_id=job_id, result=result, succeeded=True, message="done")
    return result
