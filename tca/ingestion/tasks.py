"""Celery tasks for ingestion: thin, take ids, idempotent."""

from celery import shared_task

from tca.jobs.locks import job_run_lock

from .jobs import ingest_job_run


@shared_task(name="tca.ingestion.ingest_job", acks_late=True)
def ingest_job(job_id: str) -> str:
    with job_run_lock(job_id) as held:
        if not held:  # another worker runs this job (a redelivered or re-queued copy)
            return "busy"
        return ingest_job_run(job_id=job_id)
