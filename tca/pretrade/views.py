"""The "Pre-trade" page: thin views over the pre-trade services and selectors.

Times on the page are UTC (the form says so): a datetime-local value is read
as UTC whatever the browser's zone.
"""

from __future__ import annotations

import datetime as dt
import json
import math

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from reports.csv_export import csv_lines
from reports.services import export_audit_create

from .conf import pretrade_conf
from .figures import frontier, page_figures, schedule
from .forms import EstimateForm
from .models import PretradeEstimate
from .selectors import MissingInput, estimate_list
from .services import pretrade_estimate_create, pretrade_request, pretrade_schedule

READ = "pretrade.view_pretradeestimate"
RUN = "pretrade.run_pretrade"
LAMBDA_RANGE = (-5.0, 0.0)  # the slider: log10 of λ per bps


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def _estimate_for(request: HttpRequest, pk: object) -> PretradeEstimate:
    return get_object_or_404(estimate_list(user=request.user), pk=pk)  # type: ignore[arg-type]


def _risk_aversion(raw: str | None, default: float) -> float:
    try:
        value = float(raw) if raw not in (None, "") else default
    except ValueError:
        return default
    return (
        min(max(value, 10 ** LAMBDA_RANGE[0]), 10 ** LAMBDA_RANGE[1])
        if math.isfinite(value)
        else default
    )


@permission_required(READ, raise_exception=True)
@require_http_methods(["GET", "POST"])
def pretrade_page(request: HttpRequest) -> HttpResponse:
    conf = pretrade_conf()
    error = ""
    if request.method == "POST":
        if not request.user.has_perm(RUN):
            raise PermissionDenied("Requesting pre-trade estimates needs the trader or quant role.")
        form = EstimateForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                estimate = pretrade_estimate_create(
                    user=request.user,
                    request=pretrade_request(
                        symbol=d["symbol"].strip(),
                        side=int(d["side"]),
                        quantity=d["quantity"],
                        start=_utc(d["start_time"]),  # type: ignore[arg-type]
                        horizon_s=d["horizon_minutes"] * 60 if d.get("horizon_minutes") else None,
                        end=_utc(d.get("end_time")),
                        threshold_bps=d.get("threshold_bps"),
                        risk_aversion=None,
                        conf=conf,
                    ),
                    strategy=d.get("strategy") or "balanced",
                    order_ref=d.get("order_ref") or "",
                    source=PretradeEstimate.Source.PAGE,
                )
            except MissingInput as exc:
                error = str(exc)
            else:
                return redirect(f"{reverse('pretrade:page')}?estimate={estimate.pk}")
    else:
        form = EstimateForm(initial={"threshold_bps": conf.threshold_bps})
    estimate = None
    if request.GET.get("estimate"):
        estimate = _estimate_for(request, request.GET["estimate"])
    result = estimate.outputs if estimate else None
    return render(
        request,
        "pretrade/page.html",
        {
            "form": form,
            "error": error,
            "can_run": request.user.has_perm(RUN),
            "estimate": estimate,
            "result": result,
            "figures": page_figures(result) if result else {},
            "lambda_log": math.log10(result["risk_aversion"]) if result else -3,
            "lambda_range": LAMBDA_RANGE,
            "recent": estimate_list(user=request.user)[:15],
        },
        status=400 if error else 200,
    )


@permission_required(READ, raise_exception=True)
@require_POST
def pretrade_schedule_view(request: HttpRequest, pk: str) -> JsonResponse:
    """The optimal schedule for another λ (the slider); JSON, CSRF-protected."""
    estimate = _estimate_for(request, pk)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = {}
    lam = _risk_aversion(str(body.get("risk_aversion", "")), estimate.risk_aversion)
    optimal = pretrade_schedule(estimate=estimate, risk_aversion=lam)
    start = estimate.start_time.strftime("%H:%M") + " UTC"
    return JsonResponse(
        {
            "risk_aversion": lam,
            "row": optimal["row"],
            "expected_bps": optimal["expected_bps"],
            "variance_bps2": optimal["variance_bps2"],
            "figures": {"schedule": schedule(optimal, start), "frontier": frontier(optimal)},
        }
    )


@permission_required(READ, raise_exception=True)
def pretrade_slices_csv(request: HttpRequest, pk: str) -> StreamingHttpResponse:
    """Child-order slices of the optimal schedule (formula-injection safe, audited)."""
    estimate = _estimate_for(request, pk)
    lam = _risk_aversion(request.GET.get("risk_aversion"), estimate.risk_aversion)
    optimal = pretrade_schedule(estimate=estimate, risk_aversion=lam)
    sched = optimal["schedule"]
    side = "BUY" if estimate.side > 0 else "SELL"
    rows: list[list[object]] = [
        ["slice", "start_utc", "end_utc", "symbol", "side", "quantity", "remaining_after"]
    ]
    for k in range(1, len(sched["offset_s"])):
        begin = estimate.start_time + dt.timedelta(seconds=sched["offset_s"][k - 1])
        end = estimate.start_time + dt.timedelta(seconds=sched["offset_s"][k])
        rows.append([k, begin.isoformat(), end.isoformat(), estimate.symbol, side,
                     round(sched["trades"][k], 6), round(sched["holdings"][k], 6)])  # fmt: skip
    filename = f"pretrade-{estimate.symbol}-{estimate.start_time:%Y%m%dT%H%M}-slices.csv"
    export_audit_create(
        user=request.user, kind="pretrade_slices", query=request.GET,
        row_count=len(rows) - 1, filename=filename,
    )  # fmt: skip
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
