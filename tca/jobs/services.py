"""Services that move a Job through its life; tasks call these, never the ORM."""

import uuid
from typing import Any

from celery import Task
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import Job


def job_create(*, kind: str, user: AbstractBaseUser | None, params: dict[str, Any]) -> Job:
    return Job.objects.create(
        kind=kind, created_by=user if user and user.is_authenticated else None, params=params
    )


def job_enqueue(*, job: Job, task: Task, args: list[Any]) -> None:
    """Queue ``task(*args)`` once the job row is committed, remembering the call so
    the recovery sweep can queue it again if the broker or the worker loses it."""
    Job.objects.filter(id=job.id).update(task_name=task.name, task_args=args)
    job.task_name, job.task_args = task.name, args
    transaction.on_commit(lambda: task.apply_async(args=args))


def job_start(*, job_id: uuid.UUID | str, message: str = "") -> None:
    now = timezone.now()
    Job.objects.filter(id=job_id).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, message=message[:255]
    )


def job_progress(*, job_id: uuid.UUID | str, progress: float, message: str = "") -> None:
    Job.objects.filter(id=job_id).update(
        progress=max(0.0, min(1.0, progress)), message=message[:255], heartbeat_at=timezone.now()
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
