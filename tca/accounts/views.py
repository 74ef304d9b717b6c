"""The user's own API token page: create (or replace) and revoke."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .tokens import api_token_create, api_token_get, api_token_revoke


@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    new_key = None
    message = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            new_key = api_token_create(user=request.user)
            message = "New token created. Copy it now: it is not shown again."
        elif action == "revoke":
            revoked = api_token_revoke(user=request.user)
            message = "Token revoked." if revoked else "You had no token."
        else:
            return HttpResponse("unknown action", status=400)
    context = {"token": api_token_get(user=request.user), "new_key": new_key, "message": message}
    return render(request, "accounts/token.html", context)
