"""Celery tasks of a TCA run: thin, take ids, idempotent (results are upserts)."""

from typing import Any

from celery import shared_task

from tca.jobs.locks import job_run_lock
from tca.jobs.services import job_finish

from . import runs


@shared_task(name="tca.costs.run", acks_late=True)
def tca_run_task(job_id: str) -> dict[str, Any]:
    try:
        with job_run_lock(job_id) as held:  # one planner per run
            return runs.tca_run_start(job_id=job_id) if held else {"status": "busy"}
    except Exception as exc:
        job_finish(job_id=job_id, result={"error": str(exc)}, succeeded=False, message="failed")
        raise


@shared_task(name="tca.costs.chunk", acks_late=True)
def tca_chunk_task(job_id: str, day: str, symbols: list[str]) -> dict[str, int]:
    try:
        return runs.tca_run_chunk(job_id=job_id, day=day, symbols=symbols)
    except Exception as exc:
        job_finish(job_id=job_id, result={"error": str(exc)}, succeeded=False, message="failed")
        raise


@shared_task(name="tca.costs.finalize", acks_late=True)
def tca_finalize_task(
    chunk_results: list[dict[str, int]], job_id: str, days: list[str]
) -> dict[str, Any]:
    return runs.tca_run_finish(job_id=job_id, days=days, chunk_results=chunk_results)


@shared_task(name="tca.costs.reattribute", acks_late=True)
def tca_reattribute_task() -> dict[str, int]:
    from .reattribution import cost_results_reattribute

    return cost_results_reattribute()
