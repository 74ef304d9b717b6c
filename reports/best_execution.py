"""Best-execution reports: request one, generate the PDF on the reports queue, hand it out.

Every generation and every download is written to the export audit log. A
user who may not see every desk gets reports of their own desk only, and can
read no other report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from models_app.models import ModelVersion
from models_app.selectors import champion_get
from tca.analytics.config import DEFAULT_MARKOUT_HORIZONS, horizon_label
from tca.jobs.models import Job
from tca.jobs.services import job_create, job_enqueue, job_finish, job_progress, job_start
from tca.orders.selectors import OrderFilters

from . import figures as fig
from .models import BestExecutionReport, ExportAudit
from .pages import component_rows
from .pdf import figures_to_svg, html_to_pdf
from .selectors.best_execution import BREAKDOWNS, Thresholds, best_execution_data
from .selectors.scope import Scope, desk_lock

SCOPE_FIELDS = ("desk", "broker", "algo", "asset_class", "symbol")
PERMISSION = "jobs.export_best_execution"


class ReportRequestError(ValueError):
    """The request cannot be served as asked (HTTP 400)."""


def report_store() -> Path:
    path = Path(settings.REPORT_STORE_URL)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _code_version() -> str:
    import importlib.metadata

    try:
        version = importlib.metadata.version("footprint")
    except importlib.metadata.PackageNotFoundError:
        version = "0.1.0"
    commit = os.environ.get("FOOTPRINT_COMMIT", "")
    return f"{version} ({commit[:12]})" if commit else version


def best_execution_request(
    *,
    user: AbstractBaseUser,
    date_from: dt.date,
    date_to: dt.date,
    filters: dict[str, str] | None = None,
    outlier_bps: float | None = None,
    outlier_percentile: float | None = None,
) -> BestExecutionReport:
    """Create the report and its job; the task is queued once both are committed."""
    if not user.has_perm(PERMISSION):
        raise PermissionDenied("Best-execution reports are for compliance and quants.")
    if date_to < date_from:
        raise ReportRequestError("date_to is before date_from")
    if (date_to - date_from).days > 366:
        raise ReportRequestError("a report covers at most one year")
    clean = {k: str(v).strip() for k, v in (filters or {}).items() if k in SCOPE_FIELDS and v}
    lock = desk_lock(user)
    if lock == "":
        raise PermissionDenied("You have no desk and may not see every desk.")
    if lock and clean.get("desk", lock) != lock:
        raise PermissionDenied("You may only report on your own desk.")
    desk = lock or clean.pop("desk", "")
    clean.pop("desk", None)
    percentile = (
        settings.FOOTPRINT_REPORT_OUTLIER_PERCENTILE
        if outlier_percentile is None
        else float(outlier_percentile)
    )
    if not 0.5 <= percentile < 1.0:
        raise ReportRequestError("outlier_percentile must be in [0.5, 1)")
    from .tasks import best_execution_task

    with transaction.atomic():
        job = job_create(
            kind=Job.Kind.REPORT,
            user=user,
            params={"report": "best_execution", "from": date_from.isoformat(),
                    "to": date_to.isoformat(), "desk": desk, **clean},
        )  # fmt: skip
        report = BestExecutionReport.objects.create(
            job=job,
            requested_by=user if user.is_authenticated else None,
            username=user.get_username(),
            date_from=date_from,
            date_to=date_to,
            desk=desk,
            filters=clean,
            outlier_bps=settings.FOOTPRINT_REPORT_OUTLIER_BPS
            if outlier_bps is None
            else float(outlier_bps),
            outlier_percentile=percentile,
        )
        job_enqueue(job=job, task=best_execution_task, args=[str(report.pk)])
    return report


def report_scope(report: BestExecutionReport) -> Scope:
    f = report.filters
    return Scope(
        lock=report.desk or None,
        filters=OrderFilters(
            date_from=report.date_from,
            date_to=report.date_to,
            symbol=f.get("symbol", ""),
            broker=f.get("broker", ""),
            algo=f.get("algo", ""),
            asset_class=f.get("asset_class", ""),
            desk=report.desk,
        ),
    )


def _scope_labels(report: BestExecutionReport) -> dict[str, str]:
    labels = {"desk": report.desk or "all desks"}
    names = {"broker": "broker", "algo": "algo", "asset_class": "asset class", "symbol": "symbol"}
    for key, label in names.items():
        labels[label] = report.filters.get(key) or "all"
    return labels


def _versions() -> dict[str, str]:
    cost = champion_get()
    permanent = champion_get(track=ModelVersion.Track.PERMANENT)
    return {
        "code": _code_version(),
        "cost_model": f"{cost.version} ({cost.kind})" if cost else "none",
        "permanent_model": f"{permanent.version} ({permanent.kind})" if permanent else "none",
    }


def _charts(data: Any) -> dict[str, Any]:
    summary = data.summary
    broker_costs = [
        fig.GroupCost(r.key, r.is_bps, None, None, r.n_orders) for r in data.brokers[:12]
    ]
    horizons = [horizon_label(h) for h in DEFAULT_MARKOUT_HORIZONS]
    curves = [
        fig.Curve(
            name=key,
            horizons=horizons,
            mean=[curve.get(h) for h in horizons],
            n=data.markout_counts.get(key, 0),
            unit="fills",
            colour=fig.group_colour(i),
        )
        for i, (key, curve) in enumerate(sorted(data.markouts.items())[:8])
    ]
    specs = {
        "waterfall": fig.waterfall(
            summary.bps, summary.bps.get("is"), title="Shortfall decomposition (notional-weighted)"
        ),
        "brokers": fig.group_costs(broker_costs, dimension="broker"),
        "markouts": fig.markout_curves(curves, title="Markouts by broker (bps)"),
    }
    return figures_to_svg(specs)


@dataclass(frozen=True)
class Generated:
    path: Path
    sha256: str
    pages: int


def _write_atomically(content: bytes, name: str) -> Path:
    folder = report_store()
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(fd, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    final = folder / name
    os.replace(tmp, final)
    return final


def best_execution_generate(*, report_id: str) -> dict[str, Any]:
    """Render the report's PDF (idempotent: a finished report is left as it is)."""
    report = BestExecutionReport.objects.select_related("job").get(pk=report_id)
    job = report.job
    if job.status == Job.Status.SUCCEEDED and report.sha256:
        return {"status": "already generated", "sha256": report.sha256}
    job_start(job_id=job.pk, message="reading the stored results")
    data = best_execution_data(
        scope=report_scope(report),
        scope_labels=_scope_labels(report),
        date_from=report.date_from,
        date_to=report.date_to,
        thresholds=Thresholds(report.outlier_bps, report.outlier_percentile),
    )
    job_progress(job_id=job.pk, progress=0.4, message="drawing the charts")
    charts = _charts(data) if not data.empty else {}
    job_progress(job_id=job.pk, progress=0.6, message="laying out the PDF")
    versions = _versions()
    content_hash = data.content_hash()
    html = render_to_string(
        "reports/pdf/best_execution.html",
        {
            "report": report,
            "data": data,
            "charts": charts,
            "versions": versions,
            "content_hash": content_hash,
            "generated_at": timezone.now(),
            "routing": [
                ("By broker", data.brokers, "Broker"),
                ("By algo", data.algos, "Algo"),
                ("By venue", data.venues, "Venue"),
            ],
            "components": component_rows(data.summary.amount, data.summary.bps),
            "breakdown_labels": {k: label for k, (label, _) in BREAKDOWNS.items()},
            "horizons": [horizon_label(h) for h in DEFAULT_MARKOUT_HORIZONS],
        },
    )
    pdf = html_to_pdf(html, base_url=str(settings.BASE_DIR))
    job_progress(job_id=job.pk, progress=0.9, message="storing the file")
    digest = hashlib.sha256(pdf.content).hexdigest()
    name = f"best-execution-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}-{report.pk}.pdf"
    _write_atomically(pdf.content, name)
    with transaction.atomic():
        BestExecutionReport.objects.filter(pk=report.pk).update(
            file_name=name,
            sha256=digest,
            content_sha256=content_hash,
            size_bytes=len(pdf.content),
            pages=pdf.pages,
            n_orders=data.summary.n_orders,
            data_cutoff=data.cutoff,
            versions=versions,
        )
        ExportAudit.objects.create(
            user=report.requested_by,
            username=report.username,
            kind="best_execution_generated",
            filters={"report": str(report.pk), "from": report.date_from.isoformat(),
                     "to": report.date_to.isoformat(), "desk": report.desk, **report.filters,
                     "sha256": digest},
            row_count=data.summary.n_orders,
            filename=name,
        )  # fmt: skip
        result = {"sha256": digest, "pages": pdf.pages, "orders": data.summary.n_orders}
        job_finish(job_id=job.pk, result=result, succeeded=True, message="ready")
    return result


def best_execution_reports(*, user: AbstractBaseUser) -> QuerySet[BestExecutionReport]:
    """Reports the user may read: every one with all-desk rights, else their desk's."""
    qs = BestExecutionReport.objects.select_related("job")
    if not user.has_perm(PERMISSION):
        return qs.none()
    lock = desk_lock(user)
    if lock is None:
        return qs
    return qs.filter(desk=lock) if lock else qs.none()


def best_execution_download(
    *, user: AbstractBaseUser, report: BestExecutionReport
) -> tuple[Path, str]:
    """The finished file (checked against its stored hash), recorded in the audit log."""
    if not report.sha256:
        raise ReportRequestError("the report is not ready")
    path = report_store() / report.file_name
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != report.sha256:
        raise ReportRequestError("the stored file does not match its SHA-256: regenerate it")
    ExportAudit.objects.create(
        user=user if user.is_authenticated else None,
        username=user.get_username(),
        kind="best_execution_download",
        filters={"report": str(report.pk), "sha256": report.sha256},
        row_count=report.n_orders,
        filename=report.file_name,
    )
    return path, report.file_name
