"""Celery tasks for ingestion: thin, take ids, idempotent."""

from celery import shared_task

from .jobs import ingest_job_run


@shared_task(name="tca.ingestion.ingest_job", acks_late=True)
def ingest_job(job_id: str) -> str:
    return ingest_job_run(job_id=job_id)
