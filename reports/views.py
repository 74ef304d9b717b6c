"""Pages for traders, compliance and quants; thin wrappers over selectors and pages.

Every dashboard answers two ways on the same URL: the full page, and with
``format=json`` its body fragment plus its figures, which the page's script
swaps in when a filter changes (no full reload).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from tca.pretrade.conf import pretrade_conf
from tca.pretrade.selectors import estimate_outcome_for_order, estimate_outcomes

from . import pages
from .csv_export import csv_lines
from .forms import BlotterFilterForm, CompareForm, PrePostForm
from .selectors import (
    blotter_orders,
    blotter_page,
    clean_sort,
    export_rows,
    filter_choices,
    scope_for,
)
from .selectors import (
    order_detail as order_detail_selector,
)
from .services import export_audit_create

PAGE_SIZE = 50
# A trader page needs both: orders to list and their computed costs.
DASHBOARD_PERMISSIONS = ("orders.view_parentorder", "costs.view_costresult")
dashboard_page = permission_required(DASHBOARD_PERMISSIONS, raise_exception=True)

BLOTTER_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("order_id", "Order", False),
    ("symbol", "Symbol", False),
    ("side", "Side", False),
    ("quantity", "Quantity", True),
    ("arrival", "Arrival (UTC)", False),
    ("size_adv", "% ADV", True),
    ("participation", "Particip.", True),
    ("is_bps", "IS", True),
    ("delay_bps", "Delay", True),
    ("spread_bps", "Spread", True),
    ("temporary_impact_bps", "Temp.", True),
    ("permanent_impact_bps", "Perm.", True),
    ("adverse_selection_bps", "Adverse", True),
    ("opportunity_bps", "Opport.", True),
    ("fees_bps", "Fees", True),
    ("broker", "Broker", False),
    ("algo", "Algo", False),
    ("trader", "Trader", False),
    ("regime", "Regime", False),
)


def _respond(
    request: HttpRequest,
    *,
    template: str,
    fragment: str,
    context: dict[str, Any],
    figures: dict[str, Any],
) -> HttpResponse:
    if request.GET.get("format") == "json":
        html = render_to_string(fragment, {**context, "figures": figures}, request=request)
        return JsonResponse({"html": html, "figures": figures})
    return render(request, template, {**context, "fragment": fragment, "figures": figures})


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in ("format", *names):
        query.pop(name, None)
    return query.urlencode()


@require_GET
@dashboard_page
def overview(request: HttpRequest) -> HttpResponse:
    """Shortfall of a period: totals, decomposition, trend and the worst orders."""
    form = BlotterFilterForm(request.GET or None)
    scope = scope_for(user=request.user, filters=form.to_filters())
    context, figures = pages.overview(scope)
    context.update(form=form, choices=filter_choices(user=request.user, scope=scope))
    return _respond(
        request,
        template="reports/overview.html",
        fragment="reports/_overview.html",
        context=context,
        figures=figures,
    )


@require_GET
@dashboard_page
def blotter(request: HttpRequest) -> HttpResponse:
    """Parent orders with their shortfall, filtered, sorted and paginated by the server."""
    form = BlotterFilterForm(request.GET or None)
    filters = form.to_filters()
    sort = clean_sort(request.GET.get("sort"))
    orders = blotter_orders(user=request.user, filters=filters, sort=sort)
    page, rows = blotter_page(orders, number=request.GET.get("page"), size=PAGE_SIZE)
    scope = scope_for(user=request.user, filters=filters)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "sort": sort,
        "query": _query_without(request, "page", "sort"),
        "export_query": _query_without(request, "page"),
        "choices": filter_choices(user=request.user, scope=scope),
        "columns": BLOTTER_COLUMNS,
    }
    return _respond(
        request,
        template="reports/blotter.html",
        fragment="reports/_blotter.html",
        context=context,
        figures={},
    )


@require_GET
@dashboard_page
def blotter_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered blotter as CSV (every row, not one page); audited before streaming."""
    form = BlotterFilterForm(request.GET or None)
    orders = blotter_orders(
        user=request.user, filters=form.to_filters(), sort=clean_sort(request.GET.get("sort"))
    )
    filename = f"footprint-blotter-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.csv"
    export_audit_create(
        user=request.user,
        kind="blotter",
        query=request.GET,
        row_count=orders.count(),
        filename=filename,
    )
    response = StreamingHttpResponse(
        csv_lines(export_rows(orders)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@dashboard_page
def order_detail(request: HttpRequest, order_id: str) -> HttpResponse:
    """One order: price path with its fills, its waterfall, markouts and prediction."""
    detail = order_detail_selector(user=request.user, order_id=order_id)
    if detail is None:  # unknown, or another desk's: do not tell which
        raise Http404("No such order")
    context, figures = pages.order(detail)
    context["pretrade"] = estimate_outcome_for_order(
        user=request.user, order=detail.order, conf=pretrade_conf()
    )
    return render(
        request,
        "reports/order_detail.html",
        {**context, "figures": figures, "fragment": "reports/_order_detail.html"},
    )


@require_GET
@dashboard_page
def compare(request: HttpRequest) -> HttpResponse:
    """Costs and markouts by broker, algo, venue or regime, with intervals and a test."""
    form = CompareForm(request.GET or None)
    scope = scope_for(user=request.user, filters=form.to_filters())
    by = form.group_by()
    data = form.cleaned_data if form.is_bound else {}
    context, figures = pages.compare(scope, by=by, a=data.get("a", ""), b=data.get("b", ""))
    context.update(form=form, choices_filter=filter_choices(user=request.user, scope=scope))
    return _respond(
        request,
        template="reports/compare.html",
        fragment="reports/_compare.html",
        context=context,
        figures=figures,
    )


@require_GET
@dashboard_page
def prepost(request: HttpRequest) -> HttpResponse:
    """Model predictions against realised costs, by model version."""
    form = PrePostForm(request.GET or None)
    scope = scope_for(user=request.user, filters=form.to_filters())
    version = form.cleaned_data.get("version", "") if form.is_bound else ""
    context, figures = pages.prepost(scope, version=version)
    context.update(
        form=form,
        choices=filter_choices(user=request.user, scope=scope),
        pretrade_outcomes=estimate_outcomes(user=request.user, conf=pretrade_conf()),
    )
    return _respond(
        request,
        template="reports/prepost.html",
        fragment="reports/_prepost.html",
        context=context,
        figures=figures,
    )
