"""A TCA run as a job: plan the chunks, fan them out as a Celery chord, aggregate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import chord
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tca.jobs.models import Job
from tca.jobs.services import job_create, job_enqueue, job_finish, job_progress, job_start

from .services import tca_aggregate_days, tca_compute_chunk, tca_plan_chunks


def tca_run_submit(
    *,
    user: AbstractBaseUser | None,
    date: dt.date | None = None,
    since: dt.date | None = None,
    symbol: str | None = None,
    stale_only: bool = False,
) -> Job:
    """Create a TCA job and enqueue it once the job row is committed."""
    from .tasks import tca_run_task

    params = {
        "date": date.isoformat() if date else None,
        "since": since.isoformat() if since else None,
        "symbol": symbol,
        "stale_only": stale_only,
    }
    with transaction.atomic():
        job = job_create(kind=Job.Kind.TCA, user=user, params=params)
        job_enqueue(job=job, task=tca_run_task, args=[str(job.id)])
    return job


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def tca_run_start(*, job_id: str) -> dict[str, Any]:
    """Plan the run and dispatch its chunks; in-process mode runs them inline."""
    from .tasks import tca_chunk_task, tca_finalize_task

    job = Job.objects.get(id=job_id)
    if job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
        return {"status": job.status}
    p = job.params
    chunks = tca_plan_chunks(
        date=_date(p.get("date")),
        since=_date(p.get("since")),
        symbol=p.get("symbol"),
        stale_only=bool(p.get("stale_only")),
    )
    job_start(job_id=job_id, message=f"{len(chunks)} chunk(s)")
    Job.objects.filter(id=job_id).update(params={**p, "chunks": len(chunks), "done": 0})
    signatures = [
        tca_chunk_task.si(job_id, day.isoformat(), symbols) for day, symbols in chunks
    ]
    days = sorted({day.isoformat() for day, _ in chunks})
    if not signatures:
        tca_run_finish(job_id=job_id, days=[], chunk_results=[])
        return {"chunks": 0}
    if settings.CELERY_TASK_ALWAYS_EAGER:  # the embedded default: no broker, no chord
        results = [
            tca_run_chunk(job_id=job_id, day=day.isoformat(), symbols=symbols)
            for day, symbols in chunks
        ]
        tca_run_finish(job_id=job_id, days=days, chunk_results=results)
    else:
        chord(signatures)(tca_finalize_task.s(job_id, days))
    return {"chunks": len(signatures)}


def tca_run_chunk(*, job_id: str, day: str, symbols: list[str]) -> dict[str, int]:
    out = tca_compute_chunk(trade_date=dt.date.fromisoformat(day), symbols=symbols)
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(id=job_id)
        done = int(locked.params.get("done", 0)) + 1
        locked.params = {**locked.params, "done": done}
        locked.save(update_fields=["params"])
    total = max(int(locked.params.get("chunks", 1)), 1)
    job_progress(job_id=job_id, progress=0.9 * done / total, message=f"{done}/{total} chunks")
    return out


def tca_run_finish(
    *, job_id: str, days: list[str], chunk_results: list[dict[str, int]]
) -> dict[str, Any]:
    if Job.objects.filter(id=job_id, status=Job.Status.SUCCEEDED).exists():
        return {"status": "already finished"}  # a re-queued run's chord beat this one
    job_progress(job_id=job_id, progress=0.95, message="aggregating")
    aggregates = tca_aggregate_days(dates=[dt.date.fromisoformat(d) for d in days])
    result = {
        "chunks": len(chunk_results),
        "orders": sum(r.get("orders", 0) for r in chunk_results),
        "fills": sum(r.get("fills", 0) for r in chunk_results),
        **aggregates,
    }
    job_finish(job_id=job_id, result=result, succeeded=True, message="done")
    if days:
        # Realised costs changed: refresh the residuals of the predictions made for them.
        from models_app.tasks import predictions_residuals_task

        transaction.on_commit(lambda: predictions_residuals_task.delay(days))
    return result
