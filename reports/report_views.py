"""The Reports page: request a best-execution PDF, follow its job, download the file."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from .apis import pdf_response
from .best_execution import (
    PERMISSION,
    ReportRequestError,
    best_execution_download,
    best_execution_reports,
    best_execution_request,
)
from .selectors.scope import desk_lock


class BestExecutionForm(forms.Form):
    date_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    desk = forms.CharField(max_length=64, required=False)
    broker = forms.CharField(max_length=64, required=False)
    algo = forms.CharField(max_length=64, required=False)
    asset_class = forms.CharField(max_length=32, required=False)
    symbol = forms.CharField(max_length=32, required=False)
    outlier_bps = forms.FloatField(required=False, min_value=0, max_value=1e4,
                                   label="Outlier threshold (bps)")  # fmt: skip
    outlier_percentile = forms.FloatField(required=False, min_value=0.5, max_value=0.9999,
                                          label="Outlier percentile (0.5–0.9999)")  # fmt: skip


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied("Best-execution reports are for compliance and quants.")


@login_required
@require_http_methods(["GET", "POST"])
def reports_page(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    lock = desk_lock(request.user)
    form = BestExecutionForm(request.POST or None, initial={"desk": lock or ""})
    error = ""
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            report = best_execution_request(
                user=request.user,
                date_from=data.pop("date_from"),
                date_to=data.pop("date_to"),
                outlier_bps=data.pop("outlier_bps"),
                outlier_percentile=data.pop("outlier_percentile"),
                filters={k: v for k, v in data.items() if v},
            )
        except ReportRequestError as exc:
            error = str(exc)
        else:
            return redirect("reports:best_execution", pk=report.pk)
    return render(
        request,
        "reports/best_execution_list.html",
        {
            "form": form,
            "error": error,
            "desk_lock": lock,
            "reports": best_execution_reports(user=request.user)[:50],
        },
    )


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: str) -> HttpResponse:
    _allowed(request)
    report = get_object_or_404(best_execution_reports(user=request.user), pk=pk)
    job = report.job
    if request.GET.get("format") == "json":  # the page's progress poll
        return JsonResponse({"status": job.status, "progress": job.progress,
                             "message": job.message})  # fmt: skip
    return render(
        request,
        "reports/best_execution_detail.html",
        {"report": report, "job": job,
         "status_url": reverse("reports:best_execution", kwargs={"pk": report.pk})},
    )  # fmt: skip


@login_required
@require_GET
def report_download(request: HttpRequest, pk: str) -> HttpResponse:
    _allowed(request)
    report = get_object_or_404(best_execution_reports(user=request.user), pk=pk)
    try:
        path, name = best_execution_download(user=request.user, report=report)
    except ReportRequestError as exc:
        return HttpResponse(str(exc), status=409, content_type="text/plain")
    except FileNotFoundError as exc:
        raise Http404("The report's file is missing") from exc
    return pdf_response(path, name, report.sha256)
