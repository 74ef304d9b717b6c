"""Request guards that must run before any view reads the request.

- A body larger than the upload limit is refused from its Content-Length, before
  Django reads and spools it (the views' own check only sees a finished upload).
- A NUL byte in the path or the query string is refused: PostgreSQL cannot store
  or compare it, so it would surface as a 500 from the first query using it.
- Every response says which browser features the pages never use (Permissions-Policy).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

MULTIPART_OVERHEAD = 1024 * 1024  # headers and boundaries around the file itself


def _refuse(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=status)
    return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.FOOTPRINT_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(request, 400, "invalid Content-Length")
        if length > limit:
            return _refuse(
                request,
                413,
                f"request body of {length:,} bytes; the upload limit is "
                f"{settings.FOOTPRINT_MAX_UPLOAD_BYTES:,} bytes",
            )
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return _refuse(request, 400, "NUL bytes are not allowed in the path or the query")
        response = self.get_response(request)
        # Django sets the other security headers; this one it has no setting for.
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
