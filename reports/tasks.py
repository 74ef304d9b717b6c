"""Celery tasks of the reports queue: thin, take ids, idempotent."""

from typing import Any

from celery import shared_task

from tca.jobs.services import job_finish


@shared_task(name="reports.best_execution.render", acks_late=True)
def best_execution_task(report_id: str) -> dict[str, Any]:
    from .best_execution import best_execution_generate
    from .models import BestExecutionReport

    try:
        return best_execution_generate(report_id=report_id)
    except Exception as exc:
        job_id = BestExecutionReport.objects.filter(pk=report_id).values_list("job_id", flat=True)
        for pk in job_id:
            job_finish(job_id=pk, result={"error": str(exc)}, succeeded=False, message="failed")
        raise
