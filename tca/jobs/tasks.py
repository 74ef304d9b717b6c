"""The recovery sweep as a task: scheduled every minute by django-celery-beat."""

from typing import Any

from celery import shared_task


@shared_task(name="tca.jobs.recover")
def jobs_recover_task() -> dict[str, Any]:
    from .recovery import jobs_recover

    report = jobs_recover()
    return {"requeued": report.requeued, "failed": report.failed}
