"""Ingestion as a job: an upload is stored, a job row created, a worker runs it."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from tca.jobs.models import Job
from tca.jobs.recovery import connection_lost, job_requeue, wait_for_database
from tca.jobs.services import job_create, job_enqueue, job_finish, job_progress, job_start

from .services import COST_CHANGING_KINDS, ingest_file


def _upload_dir(job_id: uuid.UUID) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / str(job_id)


def upload_path(*, job_id: uuid.UUID | str) -> Path:
    """Where a job's upload is kept: derived from the job id, never stored or shown."""
    return _upload_dir(uuid.UUID(str(job_id))) / "upload"


def ingest_job_submit(
    *, kind: str, upload: UploadedFile, user: AbstractBaseUser, source: str, tz: str | None
) -> Job:
    """Store the upload, create the job and enqueue it once the job row is committed."""
    from .tasks import ingest_job

    with transaction.atomic():
        job = job_create(
            kind=Job.Kind.INGEST,
            user=user,
            params={"kind": kind, "filename": upload.name, "source": source, "tz": tz},
        )
        target = upload_path(job_id=job.id)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        job_enqueue(job=job, task=ingest_job, args=[str(job.id)])
    return job


def ingest_job_run(*, job_id: str) -> str:
    """Run an ingest job; a redelivered task for a finished job does nothing."""
    job = Job.objects.select_related("created_by").get(id=job_id)
    if job.status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
        return job.status
    job_start(job_id=job_id, message="validating")
    params = job.params
    retry = False
    try:
        outcome = ingest_file(
            kind=params["kind"],
            path=upload_path(job_id=job.id),
            filename=params["filename"],
            user=job.created_by,
            source=params.get("source") or "default",
            tz=params.get("tz"),
            job_id=job_id,
            progress=lambda fraction, message: job_progress(
                job_id=job_id, progress=fraction, message=message
            ),
        )
    except Exception as exc:
        if not connection_lost(exc):
            job_finish(job_id=job_id, result={"error": str(exc)}, succeeded=False, message="failed")
            raise
        # The database went away mid-load (a restart, a failover): its transaction
        # was rolled back, so nothing was written. Keep the upload and run it again.
        retry = True
        wait_for_database()
        job_requeue(
            job_id=job_id, status=Job.Status.RUNNING, attempts=job.attempts,
            reason=f"the database connection was lost while loading ({exc})".strip()[:200],
        )  # fmt: skip
        return "requeued"
    finally:
        if not retry:
            shutil.rmtree(_upload_dir(uuid.UUID(str(job_id))), ignore_errors=True)
    result = outcome.as_dict()
    if outcome.ok and outcome.accepted and params["kind"] in COST_CHANGING_KINDS:
        # New executions or market data change costs: recompute the orders concerned.
        from tca.costs.runs import tca_run_submit

        result["tca_job_id"] = str(tca_run_submit(user=job.created_by, stale_only=True).id)
    job_finish(
        job_id=job_id,
        result=result,
        succeeded=outcome.ok,
        message="accepted" if outcome.ok else "rejected",
    )
    return "succeeded" if outcome.ok else "failed"
