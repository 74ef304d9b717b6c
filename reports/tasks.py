"""Celery tasks of the reports queue: thin, take ids, idempotent."""

from typing import Any

from celery import shared_task

from tca.jobs.locks import job_run_lock
from tca.jobs.services import job_finish


@shared_task(name="reports.best_execution.render", acks_late=True)
def best_execution_task(report_id: str) -> dict[str, Any]:
    from .best_execution import best_execution_generate
    from .models import BestExecutionReport

    job_ids = BestExecutionReport.objects.filter(pk=report_id).values_list("job_id", flat=True)
    try:
        with job_run_lock(job_ids.get()) as held:
            return best_execution_generate(report_id=report_id) if held else {"status": "busy"}
    except Exception as exc:
        for pk in job_ids:
            job_finish(job_id=pk, result={"error": str(exc)}, succeeded=False, message="failed")
        raise
