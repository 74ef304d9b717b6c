"""Celery tasks of the model loop: thin, take ids, idempotent; routed to "training"."""

import datetime as dt
from typing import Any

from celery import shared_task

from tca.jobs.locks import job_run_lock
from tca.jobs.services import job_finish

from . import monitoring, predictions, training


@shared_task(name="models_app.retrain", acks_late=True)
def models_retrain_task(job_id: str) -> dict[str, Any]:
    try:
        with job_run_lock(job_id) as held:
            return training.models_retrain_run(job_id=job_id) if held else {"status": "busy"}
    except Exception as exc:
        job_finish(job_id=job_id, result={"error": str(exc)}, succeeded=False, message="failed")
        raise


@shared_task(name="models_app.execution_policy.train", acks_late=True)
def execution_policy_train_task(job_id: str) -> dict[str, Any]:
    from .execution_training import execution_policy_train_run

    try:
        with job_run_lock(job_id) as held:
            return execution_policy_train_run(job_id=job_id) if held else {"status": "busy"}
    except Exception as exc:
        job_finish(job_id=job_id, result={"error": str(exc)}, succeeded=False, message="failed")
        raise


@shared_task(name="models_app.monitor", acks_late=True)
def models_monitor_task() -> dict[str, Any]:
    run = monitoring.residuals_monitor()
    return {"run": run.pk, "breached": run.breached, "job": str(run.job_id or "")}


@shared_task(name="models_app.residuals", acks_late=True)
def predictions_residuals_task(days: list[str]) -> dict[str, int]:
    """After a TCA run: predictions and residuals for the orders of ``days``."""
    return predictions.predictions_update_for_dates(dates=[dt.date.fromisoformat(d) for d in days])
