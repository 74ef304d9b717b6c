"""Services that move a Job through its life; tasks call these, never the ORM."""

import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from .models import Job


def job_create(*, kind: str, user: AbstractBaseUser | None, params: dict[str, Any]) -> Job:
    return Job.objects.create(
        kind=kind, created_by=user if user and user.is_authenticated else None, params=params
    )


def job_start(*, job_id: uuid.UUID | str, message: str = "") -> None:
    Job.objects.filter(id=job_id).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), message=message[:255]
    )


def job_progress(*, job_id: uuid.UUID | str, progress: float, message: str = "") -> None:
    Job.objects.filter(id=job_id).update(
        progress=max(0.0, min(1.0, progress)), message=message[:255]
    )


def job_finish(
    *, job_id: uuid.UUID | str, result: dict[str, Any], succeeded: bool, message: str = ""
) -> None:
    Job.objects.filter(id=job_id).update(
        status=Job.Status.SUCCEEDED if succeeded else Job.Status.FAILED,
        progress=1.0 if succeeded else Job.objects.get(id=job_id).progress,
        result=result,
        message=message[:255],
        finished_at=timezone.now(),
    )
