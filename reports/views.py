"""Pages for traders, compliance and quants; thin wrappers over selectors."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tca.orders.selectors import SORTABLE, order_dimension_values, order_list

from .forms import BlotterFilterForm

PAGE_SIZE = 50


@permission_required("orders.view_parentorder", raise_exception=True)
def blotter(request: HttpRequest) -> HttpResponse:
    """Parent orders with their shortfall, filtered, sorted and paginated by the server."""
    form = BlotterFilterForm(request.GET or None)
    sort = request.GET.get("sort", "-arrival")
    if sort.lstrip("-") not in SORTABLE:
        sort = "-arrival"
    orders = order_list(user=request.user, filters=form.to_filters(), sort=sort)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    return render(
        request,
        "reports/blotter.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "query": query.urlencode(),
            "choices": order_dimension_values(user=request.user),
            "columns": [
                ("order_id", "Order"),
                ("symbol", "Symbol"),
                ("side", "Side"),
                ("quantity", "Quantity"),
                ("arrival", "Arrival (UTC)"),
                ("size_adv", "% ADV"),
                ("participation", "Participation"),
                ("is_bps", "IS (bps)"),
                ("broker", "Broker"),
                ("algo", "Algo"),
                ("trader", "Trader"),
            ],
        },
    )
