"""Permission classes: each endpoint names the explicit permission it needs."""

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


def require(*perms: str) -> type[BasePermission]:
    """A DRF permission class granting access to users holding all of ``perms``."""

    class _Require(BasePermission):
        message = f"Requires permission: {', '.join(perms)}."

        def has_permission(self, request: Request, view: APIView) -> bool:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(perms))

    _Require.__name__ = "Require_" + "_".join(p.replace(".", "_") for p in perms)
    return _Require
