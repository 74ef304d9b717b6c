"""The dealer scorecard page."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .apis import READ
from .selectors import dealer_scorecard


@permission_required(READ, raise_exception=True)
def scorecard(request: HttpRequest) -> HttpResponse:
    return render(request, "rfq/scorecard.html", {"dealers": dealer_scorecard()})
