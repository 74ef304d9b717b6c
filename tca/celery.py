"""The Celery application; configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tca.settings.local")

app = Celery("footprint")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _sweep_on_start(**_: object) -> None:
    """A restarted worker re-queues the jobs its predecessor (or a broker restart) lost."""
    from django.conf import settings

    if not settings.FOOTPRINT_JOB_SWEEP_ON_START:
        return
    import logging

    from tca.jobs.recovery import jobs_recover

    try:
        report = jobs_recover()
    except Exception:  # a sweep must never stop a worker from starting
        logging.getLogger(__name__).exception("start-up job sweep failed")
        return
    if report.requeued or report.failed:
        logging.getLogger(__name__).warning(
            "start-up sweep: %d job(s) queued again, %d failed",
            len(report.requeued), len(report.failed),
        )  # fmt: skip
